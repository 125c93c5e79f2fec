"""The reports benchmark behind `manage.py bench_reports`: a synthetic county, then the time
each step of the office's reporting takes on it.

Everything here writes to whatever database is configured, so it only ever runs inside the
throw-away process the command starts (see the command's module). Numbers are milliseconds
from time.perf_counter; warm numbers are the median of WARM_RUNS runs.
"""

import datetime as dt
import io
import math
import statistics
import time
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from reports import scoring, selectors
from reports.exports import tables
from reports.models import DimensionScore, SubmissionScore
from reports.store import bump_version, rescore_round
from reports.views import ROUND_CHARTS, UNIT_CHARTS
from surveys.organisation.models import Branch, Unit, User
from surveys.questionnaires.instrument import load_questionnaire
from surveys.questionnaires.models import Dimension, GradeBand, Question, Questionnaire
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Answer, Submission

WARM_RUNS = 5
BATCH = 5000  # rows per INSERT batch (Django lowers it further where the backend needs)
ANSWER_CHUNK = 50_000  # Answer objects held in memory at once while building
BRANCHES_PER_UNIT = 20
STRAIGHTLINED_SHARE = 0.03  # submissions answered with one tick throughout
DIMENSIONS = (  # the three dimensions of docs/domain.md, codes as in the standard instrument
    ("xueyong", "学用结合", "学用脱节"),
    ("zuzhi", "组织生活实效", "重过程轻效果"),
    ("huoli", "内生活力", "内在活力不强"),
)

# The targets, echoed in the output for whoever reads the numbers; never asserted.
TARGETS = {
    "10,000 submissions × 18 Likert items (--branches 10000 --rounds 1 --items 18)": {
        # The baseline: one GROUP BY over the same answers.
        "aggregate_vs_answers_sql_ratio": "≤ 2（与直接汇总同一批答案的一条 GROUP BY 相比）",
        # Stricter, for reference: a GROUP BY of the stored indices alone.
        "aggregate_vs_sql_ratio": "参考：只汇总已存融合度指数的一条 GROUP BY",
        "dashboard_warm_ms": "< 50",
        "xlsx_ms": "< 5000",
        "csv_ms": "< 2000",
    },
    "5,000 branches × 8 rounds (--branches 5000 --rounds 8 --items 18)": {
        "dashboard_warm_ms": "< 300",
    },
}


def default_units(branches: int) -> int:
    return max(1, math.ceil(branches / BRANCHES_PER_UNIT))


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def timed(function):
    """(result, milliseconds) of one call."""
    start = time.perf_counter()
    result = function()
    return result, _ms(time.perf_counter() - start)


def median_ms(function, runs=WARM_RUNS) -> float:
    return statistics.median(timed(function)[1] for _ in range(runs))


# --- building the county -------------------------------------------------------------------


@dataclass
class County:
    questionnaire: Questionnaire
    questions: list
    units: list
    rounds: list  # oldest first; the last is the one measured
    office: User
    answers_total: int


def synthetic_questionnaire(items: int) -> Questionnaire:
    """`items` Likert items in three dimensions (blocks of about items/3), every cause and
    aspect tag used, every fourth item reverse-keyed, the default grade bands."""
    if items < len(DIMENSIONS):
        raise ValueError(f"at least {len(DIMENSIONS)} items are needed, one per dimension")
    questionnaire = Questionnaire.objects.create(
        code="bench", version=1, title=f"基准测试问卷（{items}题）"
    )
    GradeBand.objects.bulk_create(
        GradeBand(questionnaire=questionnaire, label=label, min_score=minimum)
        for label, minimum in scoring.DEFAULT_GRADE_BANDS
    )
    dimensions = [
        Dimension.objects.create(
            questionnaire=questionnaire, code=code, name=name, problem=problem, order=i
        )
        for i, (code, name, problem) in enumerate(DIMENSIONS)
    ]
    Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            dimension=dimensions[i * len(dimensions) // items],
            code=f"Q{i + 1:02d}",
            text=f"基准题目{i + 1}：本支部党建工作与业务工作在这一方面融合紧密。",
            kind=Question.Kind.LIKERT,
            reverse_keyed=i % 4 == 3,
            cause=scoring.CAUSE_TAGS[i % 3],
            aspect=scoring.ASPECT_TAGS[(i // 3) % 3],
            order=i,
        )
        for i in range(items)
    )
    return questionnaire


def _answer_matrix(rng, questions, level):
    """Answers of len(level) submissions: a column per question, as the Answer field value."""
    n = len(level)
    difficulty = rng.normal(0.0, 0.3, len(questions))
    likert = np.clip(
        np.rint(
            3.6 + level[:, None] + difficulty[None, :] + rng.normal(0.0, 0.8, (n, len(questions)))
        ),
        1,
        5,
    ).astype(int)
    lines = rng.random(n) < STRAIGHTLINED_SHARE
    likert[lines] = rng.integers(3, 6, lines.sum())[:, None]
    columns = []
    for j, question in enumerate(questions):
        kind = question.kind
        if kind == Question.Kind.LIKERT:
            values = likert[:, j]
            if question.reverse_keyed:
                # The item states the problem: a strong branch disagrees with it, while a
                # straight-liner ticks the same box anyway.
                values = np.where(lines, values, 6 - values)
            columns.append(("likert", [int(v) for v in values]))
        elif kind == Question.Kind.YES_NO:
            columns.append(("flag", [bool(v) for v in level + rng.normal(0, 0.5, n) > -0.3]))
        elif kind == Question.Kind.NUMBER:
            top = question.max_value or 10
            columns.append(
                ("number", [Decimal(int(v)) for v in rng.integers(0, min(top, 12) + 1, n)])
            )
        elif kind == Question.Kind.CHOICE:
            values = [c["value"] for c in question.choices]
            columns.append(("choice", [values[k] for k in rng.integers(0, len(values), n)]))
        else:
            said = rng.random(n) < 0.3
            columns.append(
                ("text", ["结合业务开展主题党日，效果较好。" if s else "" for s in said])
            )
    return columns


def build(*, branches: int, rounds: int, items: int | None, units: int, seed: int) -> County:
    """The synthetic county in one transaction: units, branches, rounds with everyone on the
    roster and one submitted submission per branch and round, seeded answers."""
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        if items:
            questionnaire = synthetic_questionnaire(items)
        else:
            questionnaire, _created = load_questionnaire()
        questions = list(
            Question.objects.filter(questionnaire=questionnaire).order_by(
                "dimension__order", "order", "id"
            )
        )
        Unit.objects.bulk_create(
            (
                Unit(code=f"BU{u:05d}", name=f"基准单位{u:05d}", order=u)
                for u in range(1, units + 1)
            ),
            batch_size=BATCH,
        )
        unit_list = list(Unit.objects.filter(code__startswith="BU").order_by("order"))
        Branch.objects.bulk_create(
            (
                Branch(
                    unit=unit_list[i * units // branches],
                    code=f"BB{i + 1:06d}",
                    name=f"{unit_list[i * units // branches].name}第{i + 1}党支部",
                    member_count=int(rng.integers(5, 60)),
                )
                for i in range(branches)
            ),
            batch_size=BATCH,
        )
        branch_ids = list(
            Branch.objects.filter(code__startswith="BB")
            .order_by("code")
            .values_list("id", "unit_id")
        )
        office = User.objects.create(username="bench_office", role=User.Role.OFFICE)
        unit_effect = rng.normal(0.0, 0.4, units)
        branch_level = (
            rng.normal(0.0, 0.6, branches) + unit_effect[np.arange(branches) * units // branches]
        )
        now = timezone.now()
        round_list, answers_total = [], 0
        for r in range(rounds):
            opens_at = now - dt.timedelta(days=90 * (rounds - r))
            round_ = Round.objects.create(
                name=f"基准测评第{r + 1}轮",
                questionnaire=questionnaire,
                opens_at=opens_at,
                closes_at=opens_at + dt.timedelta(days=30),
            )
            round_list.append(round_)
            RosterEntry.objects.bulk_create(
                (RosterEntry(round=round_, branch_id=b) for b, _unit in branch_ids),
                batch_size=BATCH,
            )
            at = round_.closes_at - dt.timedelta(days=1)
            Submission.objects.bulk_create(
                (
                    Submission(
                        round=round_,
                        branch_id=b,
                        status=Submission.Status.SUBMITTED,
                        version=2,
                        created_at=at,
                        updated_at=at,
                        submitted_at=at,
                        submitted_by=office,
                    )
                    for b, _unit in branch_ids
                ),
                batch_size=BATCH,
            )
            submission_of = dict(
                Submission.objects.filter(round=round_).values_list("branch_id", "id")
            )
            submission_ids = [submission_of[b] for b, _unit in branch_ids]
            # Branches drift a little between rounds so that trends are not flat.
            level = branch_level + 0.05 * r + rng.normal(0.0, 0.15, branches)
            answers_total += _insert_answers(
                questions, submission_ids, _answer_matrix(rng, questions, level)
            )
    return County(questionnaire, questions, unit_list, round_list, office, answers_total)


def _insert_answers(questions, submission_ids, columns):
    pending, count = [], 0
    for i, submission_id in enumerate(submission_ids):
        for question, (field, values) in zip(questions, columns, strict=True):
            value = values[i]
            if field == "text" and not value:
                continue
            pending.append(
                Answer(submission_id=submission_id, question_id=question.id, **{field: value})
            )
        if len(pending) >= ANSWER_CHUNK:
            Answer.objects.bulk_create(pending, batch_size=BATCH)
            count += len(pending)
            pending = []
    Answer.objects.bulk_create(pending, batch_size=BATCH)
    return count + len(pending)


# --- measuring -----------------------------------------------------------------------------


class QueryTimer:
    """Counts the queries a block runs and the time spent inside the database driver."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


def _instrumented(function):
    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        _result, ms = timed(function)
    return ms, timer.count, _ms(timer.seconds)


def measure_scoring(county, log) -> dict:
    *earlier, latest = county.rounds
    history_ms = 0.0
    for round_ in earlier:  # so that the dashboards have a history to show
        history_ms += timed(lambda r=round_: rescore_round(r))[1]
    log(f"scored {len(earlier)} earlier round(s) in {history_ms:.0f} ms")
    report, ms = timed(lambda: rescore_round(latest))
    return {
        "score_store_ms": ms,
        "score_store_per_submission_ms": round(ms / max(report.scored, 1), 4),
        "score_history_ms": round(history_ms, 3),
        "scored_latest_round": report.scored,
    }


def measure_aggregation(round_) -> dict:
    round_ = Round.objects.select_related("questionnaire").get(pk=round_.pk)
    first_ms = timed(lambda: selectors.round_overview(round_))[1]
    aggregate_ms = median_ms(lambda: selectors.round_overview(round_))
    _elapsed, queries, in_sql_ms = _instrumented(lambda: selectors.round_overview(round_))

    qn = connection.ops.quote_name
    scores, dims = qn(SubmissionScore._meta.db_table), qn(DimensionScore._meta.db_table)
    index_sql = (
        f"SELECT {qn('unit_id')}, AVG({qn('index')}), COUNT(*) FROM {scores} "
        f"WHERE {qn('round_id')} = %s GROUP BY {qn('unit_id')}"
    )
    dims_sql = (
        f"SELECT {qn('unit_id')}, {qn('dimension_id')}, AVG({qn('score')}) FROM {dims} "
        f"WHERE {qn('round_id')} = %s GROUP BY {qn('unit_id')}, {qn('dimension_id')}"
    )
    # One GROUP BY that yields every per-unit number the dashboard shows: index, the three
    # cause scores, the dimension means and the counts, over the counted submissions.
    causes = ", ".join(f"AVG(s.{qn(f'cause_{tag}')})" for tag in scoring.CAUSE_TAGS)
    dashboard_sql = (
        f"SELECT d.{qn('unit_id')}, d.{qn('dimension_id')}, AVG(d.{qn('score')}), "
        f"AVG(s.{qn('index')}), {causes}, COUNT(*), "
        f"SUM(CASE WHEN s.{qn('straightlined')} THEN 1 ELSE 0 END) "
        f"FROM {dims} d JOIN {scores} s ON s.{qn('submission_id')} = d.{qn('score_of_id')} "
        f"WHERE d.{qn('round_id')} = %s AND NOT s.{qn('excluded')} "
        f"GROUP BY d.{qn('unit_id')}, d.{qn('dimension_id')}"
    )

    # The floor over the same answers, as the numpy and pandas baselines below: each unit's
    # mean Likert item score (reverse-keyed items turned round) straight from the answers.
    answers, submissions = qn(Answer._meta.db_table), qn(Submission._meta.db_table)
    branches, questions = qn(Branch._meta.db_table), qn(Question._meta.db_table)
    answers_sql = (
        f"SELECT b.{qn('unit_id')}, AVG(CASE WHEN q.{qn('reverse_keyed')} "
        f"THEN 5 - a.{qn('likert')} ELSE a.{qn('likert')} - 1 END) * 25.0 "
        f"FROM {answers} a JOIN {submissions} s ON s.{qn('id')} = a.{qn('submission_id')} "
        f"JOIN {branches} b ON b.{qn('id')} = s.{qn('branch_id')} "
        f"JOIN {questions} q ON q.{qn('id')} = a.{qn('question_id')} "
        f"WHERE s.{qn('round_id')} = %s AND a.{qn('likert')} IS NOT NULL "
        f"GROUP BY b.{qn('unit_id')}"
    )

    def run(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [round_.pk])
            return cursor.fetchall()

    for sql in (index_sql, dims_sql, dashboard_sql, answers_sql):
        run(sql)  # the same warm start round_overview had
    sql_ms = median_ms(lambda: run(index_sql))
    dashboard_sql_ms = median_ms(lambda: run(dashboard_sql))
    answers_sql_ms = median_ms(lambda: run(answers_sql))
    return {
        "aggregate_ms": aggregate_ms,
        "aggregate_first_ms": first_ms,
        "aggregate_queries": queries,
        "aggregate_time_in_sql_ms": in_sql_ms,
        "baseline_sql_groupby_ms": sql_ms,
        "baseline_sql_groupby_dimensions_ms": median_ms(lambda: run(dims_sql)),
        "baseline_sql_groupby_dashboard_numbers_ms": dashboard_sql_ms,
        "aggregate_vs_sql_ratio": round(aggregate_ms / sql_ms, 3),
        "aggregate_vs_dashboard_sql_ratio": round(aggregate_ms / dashboard_sql_ms, 3),
        "baseline_sql_groupby_answers_ms": answers_sql_ms,
        "aggregate_vs_answers_sql_ratio": round(aggregate_ms / answers_sql_ms, 3),
        **_numpy_baselines(round_),
    }


def _by_unit_mean(units, values):
    groups, inverse = np.unique(units, return_inverse=True)
    present = ~np.isnan(values)
    sums = np.bincount(inverse[present], weights=values[present], minlength=len(groups))
    counts = np.bincount(inverse[present], minlength=len(groups))
    with np.errstate(invalid="ignore", divide="ignore"):
        return groups, sums / counts


def _numpy_baselines(round_) -> dict:
    """The floor in memory: arrays loaded first, only the arithmetic timed."""
    rows = SubmissionScore.objects.filter(round=round_).values_list("unit_id", "index")
    units = np.fromiter((u for u, _i in rows), dtype=np.int64)
    index = np.array([np.nan if i is None else i for _u, i in rows], dtype=float)

    def load_answers():
        return list(
            Answer.objects.filter(
                submission__round=round_, question__kind=Question.Kind.LIKERT, likert__isnull=False
            ).values_list("submission__branch__unit_id", "question__reverse_keyed", "likert")
        )

    answers, load_ms = timed(load_answers)
    answer_units = np.fromiter((a[0] for a in answers), dtype=np.int64, count=len(answers))
    reverse = np.fromiter((a[1] for a in answers), dtype=bool, count=len(answers))
    likert = np.fromiter((a[2] for a in answers), dtype=float, count=len(answers))

    def numpy_answers():
        item_scores = np.where(reverse, 5.0 - likert, likert - 1.0) / 4.0 * 100.0
        return _by_unit_mean(answer_units, item_scores)

    def pandas_answers():
        frame = pd.DataFrame({"unit": answer_units, "reverse": reverse, "likert": likert})
        item_scores = np.where(frame["reverse"], 5.0 - frame["likert"], frame["likert"] - 1.0)
        return frame.assign(score=item_scores / 4.0 * 100.0).groupby("unit")["score"].mean()

    return {
        "baseline_numpy_ms": median_ms(lambda: _by_unit_mean(units, index)),
        "baseline_answers_load_ms": load_ms,
        "baseline_numpy_answers_ms": median_ms(numpy_answers),
        "baseline_pandas_answers_ms": median_ms(pandas_answers),
        "answers_latest_round_likert": len(answers),
    }


def _fetch(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    body = b"".join(response) if response.streaming else response.content
    return len(body)


def _page_set(client, urls):
    """Milliseconds of each request, in order."""
    return [timed(lambda u=url: _fetch(client, u))[1] for url in urls]


def _cold_and_warm(client, urls, prefix):
    _page_set(client, urls)  # imports, templates and fonts: paid once per server process
    cache.clear()
    cold = _page_set(client, urls)
    warm = [_page_set(client, urls) for _ in range(WARM_RUNS)]
    return {
        f"{prefix}_cold_ms": round(sum(cold), 3),
        f"{prefix}_page_cold_ms": cold[0],
        f"{prefix}_warm_ms": round(statistics.median(sum(run) for run in warm), 3),
        f"{prefix}_page_warm_ms": statistics.median(run[0] for run in warm),
    }


def measure_pages(county) -> dict:
    latest, unit = county.rounds[-1], county.units[0]
    dashboard = [reverse("dashboard") + f"?round={latest.pk}"] + [
        reverse("round_chart", args=[latest.pk, name, "svg"]) for name in ROUND_CHARTS
    ]
    unit_page = [reverse("unit_detail", args=[latest.pk, unit.pk])] + [
        reverse("unit_chart", args=[latest.pk, unit.pk, name, "svg"]) for name in UNIT_CHARTS
    ]
    with override_settings(ALLOWED_HOSTS=["*"]):
        client = Client()
        client.force_login(county.office)
        result = _cold_and_warm(client, dashboard, "dashboard")
        result.update(_cold_and_warm(client, unit_page, "unit"))
        cache.clear()
        # Where a warm dashboard request goes: only data_version() and the picker reach
        # the database once the overview is cached.
        _fetch(client, dashboard[0])
        _elapsed, queries, sql_ms = _instrumented(lambda: _fetch(client, dashboard[0]))
    result.update(dashboard_page_warm_queries=queries, dashboard_page_warm_sql_ms=sql_ms)
    return result


def measure_exports(round_) -> dict:
    workbook, xlsx_ms = timed(lambda: tables.to_xlsx(round_))
    csv_bytes, csv_ms = timed(lambda: sum(len(piece) for piece in tables.csv_stream(round_)))
    cells = _workbook_cells(workbook)
    return {
        "xlsx_ms": xlsx_ms,
        "xlsx_bytes": len(workbook),
        "xlsx_cells": cells,
        # The same number of cells written by a bare openpyxl loop: what this machine's
        # openpyxl costs at best, to read xlsx_ms against on a shared, noisy machine.
        "reference_openpyxl_bare_cells_ms": timed(lambda: _bare_openpyxl(cells))[1],
        "csv_ms": csv_ms,
        "csv_bytes": csv_bytes,
    }


def _workbook_cells(workbook: bytes) -> int:
    book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
    try:
        return sum(1 for sheet in book for row in sheet.iter_rows(values_only=True) for _ in row)
    finally:
        book.close()


def _bare_openpyxl(cells: int, width: int = 20) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    row = [1, "县委办机关党支部", 3.5, 4, 5, "是", 2, 3, 4, 5] * (width // 10)
    for _ in range(cells // width):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def mark_verified(round_, share) -> int:
    """Stored scores as 考评 leaves them for `share` of the round's submissions: flagged
    verified, the self-assessed index 5 points above the counted one (what the dashboard's
    自评偏高 and the unit pages read). The stored numbers only, not the review's rows: the
    benchmark measures the reads."""
    ids = list(
        SubmissionScore.objects.filter(round=round_)
        .order_by("submission_id")
        .values_list("submission_id", flat=True)
    )
    chosen = ids[: round(len(ids) * share)]
    SubmissionScore.objects.filter(submission_id__in=chosen, index__isnull=False).update(
        verified=True, self_index=F("index") + 5
    )
    bump_version()
    return len(chosen)


def run(
    *, branches, rounds, items, units=None, seed=2026, verified=0.0, log=lambda message: None
) -> dict:
    units = units or default_units(branches)
    result = {"database_vendor": connection.vendor, "seed": seed}
    _none, result["migrate_ms"] = timed(
        lambda: call_command("migrate", verbosity=0, interactive=False)
    )
    log(f"building {branches} branches, {units} units, {rounds} round(s), {items or '标准'} items")
    county, result["build_ms"] = timed(
        lambda: build(branches=branches, rounds=rounds, items=items, units=units, seed=seed)
    )
    latest = county.rounds[-1]
    result.update(
        branches=branches,
        units=units,
        rounds=rounds,
        items=sum(1 for q in county.questions if q.kind != Question.Kind.TEXT),
        questions=len(county.questions),
        submissions_latest_round=Submission.objects.filter(round=latest).count(),
        submissions_total=Submission.objects.count(),
        answers_total=county.answers_total,
    )
    log("scoring")
    result.update(measure_scoring(county, log))
    result["verified_submissions"] = mark_verified(latest, verified) if verified else 0
    log("aggregating")
    result.update(measure_aggregation(latest))
    log("pages")
    result.update(measure_pages(county))
    log("exports")
    result.update(measure_exports(latest))
    result["targets"] = TARGETS
    return result
