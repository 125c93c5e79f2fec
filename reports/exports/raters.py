"""The round workbook's 自评与他评 sheet, as rows: the comparison page's and the dashboard
card's numbers (surveys/ratings/selectors: round_comparison, ranked by the composite as on
the card), with each source's dimension scores, n, 参评率 and 满意率 beside them.

What may be shown is decided there, not here: before the round closes round_comparison gives
nothing (the sheet says 未结束, as the page does), and a source whose groups all have fewer
than k sheets has status "too_few", whose every cell says 样本不足. Numbers are rounded with
scoring.round2 and stay numbers; the text goes through surveys.core.downloads with the rest
of the workbook."""

from reports import scoring
from surveys.core.numbers import plain_number
from surveys.questionnaires.models import Dimension
from surveys.ratings import selectors as rating_selectors
from surveys.ratings.models import RaterGroup

TOO_FEW = "样本不足"
NOT_CLOSED = "未结束：批次结束后才显示自评与他评的对比，以保护评议人匿名。"
SOURCES = (("self", "自评"), ("members", "党员评议"), ("public", "群众评议"))
OTHERS = (("members", "党员"), ("public", "群众"))


def has_rater_groups(round_):
    """A round without 党员评议 or 群众评议 groups has no 自评与他评 sheet (as the dashboard
    has no such card): nothing to compare, and an empty sheet would only ask why."""
    return RaterGroup.objects.filter(round=round_).exists()


def weights_text(settings):
    """The weights as the comparison page states them, wherever the composite is shown."""
    return (
        f"综合指数 = 自评 {settings.weight_self}% + 党员评议 {settings.weight_members}% + "
        f"群众评议 {settings.weight_public}%（某一来源样本不足或无数据时，按其余来源的权重折算，"
        f"并在“折算”列标“是”）。"
    )


def composite_header(settings):
    return (
        f"综合指数（自评{settings.weight_self}%+党员评议{settings.weight_members}%"
        f"+群众评议{settings.weight_public}%）"
    )


def rater_comparison_rows(round_, *, settings=None, now=None):
    """自评与他评: a header, then one row per unit on the roster, highest composite first
    (units without one last, in their own order), or one 未结束 row before the round closes."""
    settings = settings or rating_selectors.round_settings(round_)
    dimensions = list(
        Dimension.objects.filter(questionnaire_id=round_.questionnaire_id)
        .order_by("order", "id")
        .values_list("code", "name")
    )
    header = ["单位"]
    for key, label in SOURCES:
        header += [label, *[f"{label}·{name}" for _code, name in dimensions]]
        if key != "self":
            header += [f"{label}人数", f"{label}参评率（%）", f"{label}满意率（%）"]
    for _key, short in OTHERS:
        header += [f"自评−{short}·{name}" for _code, name in dimensions]
        header += [f"自评−{short}", f"自评偏高（{short}）"]
    header += [composite_header(settings), "折算"]
    yield header
    rows = rating_selectors.round_comparison(round_, now=now)
    if rows is None:
        yield [NOT_CLOSED] + [None] * (len(header) - 1)  # the writer wants full rows
        return
    codes = [code for code, _name in dimensions]
    for row in rating_selectors.ranked(rows, "composite"):
        line = [row.unit.name]
        for key, _label in SOURCES:
            line += _source_cells(getattr(row, key), codes, others=key != "self")
        for key, _short in OTHERS:
            index_gap, by_dimension, flagged = row.gaps[key]
            line += [scoring.round2(by_dimension.get(code)) for code in codes]
            line += [scoring.round2(index_gap), "、".join(flagged)]
        if row.composite is None:
            line += [None, None]
        else:
            line += [scoring.round2(row.composite), "否" if row.complete else "是"]
        yield line


def _source_cells(source, codes, *, others):
    """A source's index and dimension scores (and for raters n, 参评率, 满意率): 样本不足 in
    every cell below k, empty cells where there is no group or no score."""
    width = 1 + len(codes) + (3 if others else 0)
    if source.status == "too_few":
        return [TOO_FEW] * width
    cells = [
        scoring.round2(source.index),
        *[scoring.round2(source.dimensions.get(c)) for c in codes],
    ]
    if others:
        shown = source.status == "shown"
        cells += [
            source.n if shown else None,
            scoring.round2(source.rate),
            scoring.round2(source.satisfaction_rate),
        ]
    return cells


def about_rows(settings):
    """What 说明 says about the sheet: the weights, k, the 自评偏高 margin, the order."""
    margin = plain_number(settings.gap_margin)
    yield [
        "自评与他评",
        "每个参评单位一行，按综合指数从高到低排列（与看板“自评与他评”一致），没有综合指数的单位排在最后；"
        "各数值与“自评与他评对比”页相同。",
    ]
    yield ["综合指数权重", weights_text(settings)]
    yield [
        "样本不足",
        f"他评只计入评议人数不少于 {settings.min_raters} 人的评议组；某单位的党员评议或群众评议"
        f"没有这样的评议组时，该来源各列写“样本不足”，不显示得分，以保护评议人匿名。",
    ]
    yield [
        "自评偏高",
        f"自评高出他评 {margin} 分以上的维度列在“自评偏高”列；差距 = 自评 − 他评。"
        "满意率 = （满意 + 基本满意）÷ 回答满意度题的人数（不含“不了解”）。",
    ]
