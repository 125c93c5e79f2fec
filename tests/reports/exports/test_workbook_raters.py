"""The round workbook's 自评与他评 sheet (issue 13): the comparison page's numbers (checked by
hand and against the page's own download), the weights stated, no numbers before the round
closes or for a source below k, no sheet for a round without rater groups, text neutralised,
and a query count that does not grow with the number of units."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db.models import Q
from django.urls import reverse

from reports import scoring
from reports.exports import tables
from surveys.organisation.models import Branch, Unit
from surveys.ratings.models import Audience, RaterGroup
from surveys.ratings.selectors import ranked, round_comparison
from surveys.ratings.services import (
    codes_issue,
    rater_groups_add,
    rating_settings_set,
    rating_submit,
)
from surveys.rounds.models import RosterEntry
from tests.surveys.ratings.conftest import rate_by_hand, self_assessed, sheet

pytestmark = pytest.mark.django_db

TITLE = "自评与他评"
WEIGHTS = "综合指数（自评30%+党员评议40%+群众评议30%）"
DIMS = ["学用结合", "组织生活实效", "内生活力"]


@pytest.fixture
def rated(office, open_round, unit_a, unit_b, branch_a, branch_b):
    """k = 2. Unit A rates itself 86 (学用结合 90, 组织生活实效 80, 内生活力 88); its members'
    group gets 4 codes and 2 sheets answering 4 everywhere (M03 and M06 are reverse items: 4
    scores 25), one 满意 and one 不满意; A's public group 1 sheet of 5s (样本不足). Unit B:
    no self-assessment, a members' group with no sheet (样本不足), no public sheet."""
    return rate_by_hand(office, open_round, branch_a, unit_a)


def _after_close(round_):
    return time_machine.travel(round_.closes_at + dt.timedelta(hours=1), tick=False)


def _workbook(round_):
    return openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(round_)))


def _rows(workbook, title=TITLE):
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def _by_unit(rows):
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def _numbers(row):
    return [v for v in row if isinstance(v, int | float)]


def test_sheet_carries_the_hand_computed_numbers(rated):
    with _after_close(rated):
        workbook = _workbook(rated)
    assert workbook.sheetnames == ["单位得分", "支部得分", "题目均分", "原始答卷", TITLE, "说明"]
    rows = _rows(workbook)
    a = _by_unit(rows)["县水利局"]
    assert [a["自评"], *[a[f"自评·{d}"] for d in DIMS]] == [86, 90, 80, 88]
    # members: 学用结合 (75, 75, reverse 25) = 58.33, 组织生活实效 the same, 内生活力 75;
    # equal dimension weights → (58.33 · 2 + 75) / 3 = 63.89
    members_index = (175 / 3 * 2 + 75) / 3
    assert a["党员评议"] == 63.89
    assert [a[f"党员评议·{d}"] for d in DIMS] == [58.33, 58.33, 75]
    assert (a["党员评议人数"], a["党员评议参评率（%）"], a["党员评议满意率（%）"]) == (2, 50, 50)
    assert [a[f"自评−党员·{d}"] for d in DIMS] == [31.67, 21.67, 13]
    assert a["自评−党员"] == scoring.round2(86 - members_index) == 22.11
    assert a["自评偏高（党员）"] == "、".join(DIMS)  # all three over the 10-point margin
    # the public is 样本不足: composite (30 · 86 + 40 · 63.89) / 70, rescaled
    assert a[WEIGHTS] == scoring.round2((30 * 86 + 40 * members_index) / 70) == 73.37
    assert a["折算"] == "是"
    assert a["自评−群众"] is None and all(a[f"自评−群众·{d}"] is None for d in DIMS)
    cell = workbook[TITLE]["B2"]
    assert cell.data_type == "n"  # a number, sortable, not text
    assert workbook[TITLE].freeze_panes == "B2" and workbook[TITLE].auto_filter.ref


def test_numbers_and_order_are_the_comparison_pages(client, office, rated):
    """Every column the page's own download has, rounded to two decimals, in the dashboard
    card's order (ranked by composite)."""
    with _after_close(rated):
        rows = _rows(_workbook(rated))
        client.force_login(office)
        response = client.get(reverse("ratings_compare_xlsx", args=[rated.pk]))
        card = ranked(round_comparison(rated), "composite")
    assert [row[0] for row in rows[1:]] == [r.unit.name for r in card] == ["县水利局", "县财政局"]
    page = [list(r) for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.values]
    ours = _by_unit(rows)
    compared = 0
    for unit, theirs in _by_unit(page).items():
        mine = ours[unit]
        for column, value in theirs.items():
            if column == "综合指数":
                mine_value = mine[WEIGHTS]
            elif column == "折算":
                continue  # ours: 是 / 否, and empty with no composite; checked by hand above
            else:
                mine_value = mine[column]
            if column.endswith("人数") and mine[column.removesuffix("人数")] == "样本不足":
                # The page's file counts 0 raters for a source below k; ours says 样本不足.
                assert (value, mine_value) == (0, "样本不足")
            elif isinstance(value, float):
                assert mine_value == scoring.round2(value), (unit, column)
            else:
                assert (mine_value or None) == (value or None), (unit, column)
            compared += 1
    assert compared == 2 * (len(page[0]) - 1)


def test_below_k_shows_no_numbers(rated):
    with _after_close(rated):
        by_unit = _by_unit(_rows(_workbook(rated)))
    a, b = by_unit["县水利局"], by_unit["县财政局"]
    public = [c for c in a if c.startswith("群众评议")]
    assert len(public) == 7 and all(a[c] == "样本不足" for c in public)
    members = [c for c in b if c.startswith("党员评议")]
    assert len(members) == 7 and all(b[c] == "样本不足" for c in members)
    assert _numbers(b.values()) == []  # no self score, no rater number, no composite
    assert 100 not in _numbers(a.values())  # A's one public sheet (all 5s) is nowhere


def test_before_close_the_sheet_says_so_and_shows_no_numbers(rated):
    rows = _rows(_workbook(rated))
    assert rows[0][0] == "单位" and WEIGHTS in rows[0]
    assert len(rows) == 2 and rows[1][0].startswith("未结束：批次结束后才显示自评与他评的对比")
    assert [v for row in rows[1:] for v in row if v is not None] == [rows[1][0]]


def test_weights_are_stated_and_used(office, rated):
    rating_settings_set(
        actor=office,
        round_=rated,
        min_raters=2,
        weights={"self": 50, "members": 50, "public": 0},
        gap_margin=25,
    )
    with _after_close(rated):
        workbook = _workbook(rated)
    rows = _rows(workbook)
    header = "综合指数（自评50%+党员评议50%+群众评议0%）"
    a = _by_unit(rows)["县水利局"]
    assert a[header] == scoring.round2((86 + (175 / 3 * 2 + 75) / 3) / 2) == 74.94
    assert a["折算"] == "否"  # the public weighs nothing, so nothing was rescaled
    assert a["自评偏高（党员）"] == "学用结合"  # only 90 − 58.3 is over 25
    about = dict(row[:2] for row in _rows(workbook, "说明"))
    assert about["综合指数权重"].startswith(
        "综合指数 = 自评 50% + 党员评议 50% + 群众评议 0%（某一来源样本不足或无数据时"
    )
    assert "不少于 2 人" in about["样本不足"] and "25 分以上" in about["自评偏高"]


def test_no_sheet_without_rater_groups(client, secretary_a, open_round, branch_a):
    self_assessed(open_round, branch_a, 86)
    with _after_close(open_round):
        workbook = _workbook(open_round)
    assert TITLE not in workbook.sheetnames
    assert not any(TITLE in str(v) for row in _rows(workbook, "说明") for v in row)


def test_unit_names_are_neutralised(rated, unit_a):
    Unit.objects.filter(pk=unit_a.pk).update(name='=HYPERLINK("http://x")')
    with _after_close(rated):
        workbook = _workbook(rated)
    cell = workbook[TITLE]["A2"]
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://x")'


def _more_units(office, round_, count):
    """`count` more units on the roster, each self-assessed, with a members' group of 2
    sheets (shown) and a public group of one (样本不足)."""
    for n in range(count):
        unit = Unit.objects.create(code=f"U-X{n}", name=f"县新增局{n}", order=10 + n)
        branch = Branch.objects.create(unit=unit, code=f"U-X{n}-1", name=f"县新增局{n}党支部")
        RosterEntry.objects.create(round=round_, branch=branch)
        self_assessed(round_, branch, 70 + n, {"xueyong": 70, "zuzhi": 72, "huoli": 68})
    rater_groups_add(actor=office, round_=round_, audience=Audience.MEMBERS)
    rater_groups_add(actor=office, round_=round_, audience=Audience.PUBLIC)
    new = Q(branch__unit__code__startswith="U-X") | Q(unit__code__startswith="U-X")
    for group in RaterGroup.objects.filter(new, round=round_):
        used = 2 if group.audience == Audience.MEMBERS else 1
        for code in codes_issue(actor=office, group=group, count=used):
            rating_submit(typed_code=code, answers=sheet(group, 3))


def test_workbook_queries_do_not_grow_with_units(office, rated, django_assert_num_queries):
    # 16 for the four sheets; 9 for 自评与他评: groups exist, settings, dimensions, then
    # round_comparison's settings, dimensions, units, self scores, groups, answers
    queries = 25
    with _after_close(rated):
        with django_assert_num_queries(queries):
            small = _workbook(rated)
    assert len(_rows(small)) == 3
    _more_units(office, rated, 3)
    with _after_close(rated):
        with django_assert_num_queries(queries):
            large = _workbook(rated)
    rows = _by_unit(_rows(large))
    assert len(rows) == 5
    assert rows["县新增局0"]["党员评议人数"] == 2 and rows["县新增局0"]["群众评议"] == "样本不足"
