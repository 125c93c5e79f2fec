"""A round's data for spreadsheets: each report yields its header, then its rows, once
(pretix's exporter idea); `to_xlsx` and `csv_stream` only hand those rows to the writer.

Unit and county numbers come from reports.selectors, the same numbers the dashboards show;
the 自评与他评 sheet (raters.py) is surveys/ratings' comparison, with its anonymity rules;
nothing is re-aggregated here. Scores are rounded with scoring.round2 and stay numbers, so
the office can sort and sum them in Excel; a missing score is an empty cell.

Nothing here writes a file: the rows go to surveys.core.downloads, the one XLSX and CSV
writer, which neutralises every text cell (free-text answers, branch names and question texts
are typed by people; OWASP "CSV injection").
"""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone

from reports import scoring, selectors
from reports.exports import raters
from reports.models import DimensionScore, SubmissionScore
from reports.store import item_spec
from surveys.core import downloads
from surveys.questionnaires.models import AspectTag, CauseTag, Dimension, Question
from surveys.ratings import selectors as rating_selectors
from surveys.submissions.models import Answer, Submission
from surveys.submissions.values import decode

CHUNK_SIZE = 5000  # answers fetched per round trip when streaming
HEADER_TEXT_CHARS = 12  # characters of the question text in a raw-answer column header
NOT_APPLICABLE = "不适用"
CAUSE_LABELS = dict(CauseTag.choices)
ASPECT_LABELS = dict(AspectTag.choices)
KIND_LABELS = dict(Question.Kind.choices)
EXPORT_ZONE = ZoneInfo("Asia/Shanghai")  # the county's clock, whatever the server's TIME_ZONE


def _yes_no(flag):
    return "是" if flag else "否"


def _local(moment):
    """Asia/Shanghai wall-clock time without tzinfo (Excel has no time zones), to the second."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def _person(last_name, first_name, username):
    # User.display_name, from values() columns so that no User object is built per row.
    if username is None:
        return None
    return f"{last_name}{first_name}" or username


def _number(value: Decimal):
    # A count of 3 reads better as 3 than as the column's 3.00.
    return int(value) if value == value.to_integral_value() else float(value)


def _dimensions(round_):
    return list(
        Dimension.objects.filter(questionnaire=round_.questionnaire).order_by("order", "id")
    )


def _questions(round_):
    return list(
        Question.objects.filter(questionnaire=round_.questionnaire)
        .select_related("dimension")
        .order_by("dimension__order", "order", "id")
    )


# --- the reports --------------------------------------------------------------------------


def unit_scores_rows(round_):
    """单位得分: one row per unit on the roster, in ranking order (数据不足 last), with its
    progress: 参评支部数 counts the submissions that count (not excluded by the office)."""
    overview = selectors.round_overview(round_)
    dimensions = overview.dimensions
    yield [
        "单位",
        "名单支部数",
        "已提交支部数",
        "参评支部数",
        "融合度指数",
        *[d.name for d in dimensions],
        "等次",
        "主要成因",
        "较上轮变化",
        "疑似应付式答卷数",
    ]
    for unit in overview.units:
        yield [
            unit.name,
            unit.roster,
            unit.submitted,
            unit.branches_scored,
            scoring.round2(unit.index),
            *[scoring.round2(unit.dimensions.get(d.code)) for d in dimensions],
            unit.grade or scoring.INSUFFICIENT,
            unit.main_cause_label,
            scoring.round2(unit.change),
            unit.straightlined,
        ]


def branch_scores_rows(round_):
    """支部得分: one row per scored submission, excluded ones too (marked)."""
    dimensions = _dimensions(round_)
    dims_of = {}
    for submission_id, code, score in DimensionScore.objects.filter(round=round_).values_list(
        "score_of_id", "dimension__code", "score"
    ):
        dims_of.setdefault(submission_id, {})[code] = score
    yield [
        "单位",
        "党支部",
        "提交时间",
        "提交人",
        "融合度指数",
        *[d.name for d in dimensions],
        "等次",
        *CAUSE_LABELS.values(),
        "主要成因",
        "疑似应付式作答",
        "不计入统计",
    ]
    scores = (
        SubmissionScore.objects.filter(round=round_)
        .order_by("unit__order", "unit__code", "branch__code")
        .values_list(
            "submission_id",
            "unit__name",
            "branch__name",
            "submission__submitted_at",
            "submission__submitted_by__last_name",
            "submission__submitted_by__first_name",
            "submission__submitted_by__username",
            "index",
            "grade",
            *[f"cause_{tag}" for tag in scoring.CAUSE_TAGS],
            "main_cause",
            "straightlined",
            "excluded",
        )
    )
    for pk, unit, branch, at, last, first, username, index, grade, *rest in scores:
        *causes, main_cause, straightlined, excluded = rest
        dims = dims_of.get(pk, {})
        yield [
            unit,
            branch,
            _local(at),
            _person(last, first, username),
            scoring.round2(index),
            *[scoring.round2(dims.get(d.code)) for d in dimensions],
            grade or scoring.INSUFFICIENT,
            *[scoring.round2(c) for c in causes],
            CAUSE_LABELS.get(main_cause, ""),
            _yes_no(straightlined),
            _yes_no(excluded),
        ]


def item_means_rows(round_):
    """题目均分: every question with its answer count and mean item score (0–100) over the
    counted submissions, county-wide."""
    questions = _questions(round_)
    specs = {q.id: item_spec(q, dimension_code=q.dimension.code) for q in questions if q.is_scored}
    counted = Answer.objects.filter(
        submission__round=round_,
        submission__status=Submission.Status.SUBMITTED,
        submission__score__excluded=False,
    )
    # Answers take few distinct values (1–5, yes/no, a few counts), so SQL counts each
    # distinct answer once and scoring.item_score scores it once: one query, no Python
    # loop over every answer of the round.
    totals = {qid: [0, 0.0] for qid in specs}  # answered, sum of scores
    for qid, likert, flag, number, choice, n in (
        counted.filter(question_id__in=specs, not_applicable=False)
        .values_list("question_id", "likert", "flag", "number", "choice")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        value = decode(likert, flag, number, choice, None, False)
        score = scoring.item_score(specs[qid], value)
        if score is not None:
            totals[qid][0] += n
            totals[qid][1] += n * score
    texts = dict(
        counted.filter(question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .values_list("question_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    yield ["维度", "题号", "题目", "题型", "反向计分", "成因", "融合方面", "作答数", "平均得分"]
    for q in questions:
        answered, total = totals[q.id] if q.is_scored else (texts.get(q.id, 0), None)
        yield [
            q.dimension.name,
            q.code,
            q.text,
            KIND_LABELS.get(q.kind, q.kind),
            _yes_no(q.reverse_keyed) if q.is_scored else None,
            CAUSE_LABELS.get(q.cause) if q.cause else None,
            ASPECT_LABELS.get(q.aspect) if q.aspect else None,
            answered,
            scoring.round2(total / answered) if total is not None and answered else None,
        ]


def raw_answer_rows(round_):
    """原始答卷: one row per submitted submission, one column per question, as answered.

    Three queries whatever the size: the questions, the submissions (small rows, held), and
    the answers streamed in chunks ordered by submission, so that one submission's answers
    arrive together and are merged with its row without holding the round in memory."""
    questions = _questions(round_)
    position = {q.id: i for i, q in enumerate(questions)}
    labels = {q.id: {c["value"]: c["label"] for c in q.choices} for q in questions if q.choices}
    yield [
        "单位",
        "党支部",
        "状态",
        "提交时间",
        "提交人",
        *[_column_header(q) for q in questions],
    ]
    submitted = Submission.objects.filter(round=round_, status=Submission.Status.SUBMITTED)
    # By unit and branch, as every other sheet; the answers come in the same order, so one
    # submission's answers still arrive together and the merge below stays one pass.
    submissions = list(
        submitted.order_by(*RAW_ORDER).values_list(
            "pk",
            "branch__unit__name",
            "branch__name",
            "submitted_at",
            "submitted_by__last_name",
            "submitted_by__first_name",
            "submitted_by__username",
        )
    )
    answers = (
        Answer.objects.filter(submission__in=submitted)
        .order_by(*[f"submission__{key}" for key in RAW_ORDER])
        .values_list(
            "submission_id",
            "question_id",
            "likert",
            "flag",
            "number",
            "choice",
            "text",
            "not_applicable",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    status = Submission.Status.SUBMITTED.label
    # A submission's place in the order; one submitted between the two reads (not in the
    # list) has its answers skipped instead of stalling the merge.
    place = {row[0]: i for i, row in enumerate(submissions)}
    pending = next(answers, None)
    for i, (pk, unit, branch, submitted_at, last, first, username) in enumerate(submissions):
        cells = [None] * len(questions)
        while pending is not None and place.get(pending[0], -1) <= i:
            sid, qid, likert, flag, number, choice, text, na = pending
            if sid == pk and qid in position:
                if na:
                    value = NOT_APPLICABLE
                elif likert is not None:
                    value = likert
                elif flag is not None:
                    value = "是" if flag else "否"
                elif number is not None:
                    value = _number(number)
                elif choice:
                    value = labels.get(qid, {}).get(choice, choice)
                else:
                    value = text or None
                cells[position[qid]] = value
            pending = next(answers, None)
        yield [unit, branch, status, _local(submitted_at), _person(last, first, username), *cells]


RAW_ORDER = ("branch__unit__order", "branch__unit__code", "branch__code", "pk")


def about_rows(round_, *, now=None, rater_settings=None):
    """说明: what the workbook is: the round, the questionnaire version, when it was exported
    (Beijing time) and what each sheet holds; with `rater_settings` (the round has rater
    groups) also the 自评与他评 sheet, its weights, k and margin."""
    questionnaire = round_.questionnaire
    exported = timezone.localtime(now or timezone.now(), EXPORT_ZONE)
    yield ["项目", "内容"]
    yield ["测评批次", round_.name]
    yield ["批次时间", f"{_minute(round_.opens_at)} 至 {_minute(round_.closes_at)}"]
    yield ["问卷版本", f"第{questionnaire.version}版 · {questionnaire.title}"]
    yield ["导出时间", f"{exported:%Y-%m-%d %H:%M:%S}（北京时间）"]
    yield ["单位得分", "每个参评单位一行，按融合度指数排名，数据不足的单位排在最后。"]
    yield [
        "支部得分",
        "每份已计分的答卷一行，按单位、党支部排列；“不计入统计”为“是”的答卷不计入单位和全县得分。",
    ]
    yield ["题目均分", "每道题一行，含完整题目、题型和全县平均得分（0–100）。"]
    yield [
        "原始答卷",
        "每份已提交答卷一行，按单位、党支部排列；列标题为题号和题目开头，完整题目见“题目均分”表（按题号对应）。",
    ]
    if rater_settings is not None:
        yield from raters.about_rows(rater_settings)
    yield ["筛选", "每张表的表头都带筛选按钮，可按单位、等次等筛选。"]


def _minute(moment):
    return f"{timezone.localtime(moment, EXPORT_ZONE):%Y-%m-%d %H:%M}"


def _column_header(question):
    text = question.text.strip()
    if len(text) > HEADER_TEXT_CHARS:
        text = text[:HEADER_TEXT_CHARS] + "…"
    return f"{question.code} {text}"


# --- renderers: the core writer renders the same rows as XLSX and as CSV -----------------

SHEETS = (
    ("单位得分", unit_scores_rows),
    ("支部得分", branch_scores_rows),
    ("题目均分", item_means_rows),
    ("原始答卷", raw_answer_rows),
)


def csv_stream(round_, rows=raw_answer_rows):
    """The raw answers as CSV, in encoded pieces for a StreamingHttpResponse."""
    return downloads.csv_chunks(rows(round_))


def to_xlsx(round_, *, now=None) -> bytes:
    """The four reports as the sheets of one workbook, then 自评与他评 when the round has
    rater groups, then 说明 (written row by row, never as a DataFrame, whose per-cell
    formatting doubled the time of a large round)."""
    sheets = [_sheet(title, report(round_)) for title, report in SHEETS]
    rater_settings = None
    if raters.has_rater_groups(round_):
        rater_settings = rating_selectors.round_settings(round_)
        rows = raters.rater_comparison_rows(round_, settings=rater_settings, now=now)
        # Keep 单位 in view when scrolling across the sources and gaps.
        sheets.append(downloads.Sheet("自评与他评", next(rows), rows, freeze="B2", filters=True))
    about = about_rows(round_, now=now, rater_settings=rater_settings)
    sheets.append(downloads.Sheet("说明", next(about), about, widths=[14, 90]))
    return downloads.xlsx_bytes(sheets)


def _sheet(title, rows):
    header = next(rows)
    # Keep 单位 and 党支部 in view when scrolling across a wide sheet.
    freeze = "C2" if header[1:2] == ["党支部"] else "A2"
    return downloads.Sheet(title, header, rows, freeze=freeze, filters=True)
