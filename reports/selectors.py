"""What the office's dashboards and the unit report read: stored scores aggregated in SQL,
in a fixed number of queries whatever the number of units, branches or rounds.

Unit score = mean of its branches' scores in a round; county score = mean over units
(docs/scoring.md). Submissions the office excluded do not count."""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, FloatField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from reports import scoring
from reports.models import DimensionScore, Recommendation, SubmissionScore, UnitScore
from reports.recommendations import recommended
from reports.store import current_version, item_spec
from surveys.organisation.models import Unit
from surveys.questionnaires.models import CauseTag, Dimension, GradeBand, Question
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Answer, Submission
from surveys.submissions.values import decode

CAUSE_LABELS = dict(CauseTag.choices)
CAUSE_FIELDS = {tag: f"cause_{tag}" for tag in scoring.CAUSE_TAGS}


def counted_scores(**filters):
    """The scores that count: submitted (a returned submission counts again only once it is
    resubmitted) and not excluded by the office. Item means and texts use the same rule."""
    return SubmissionScore.objects.filter(
        excluded=False, submission__status=Submission.Status.SUBMITTED, **filters
    )


def rounds_for_picker():
    """Rounds that have scores, newest first."""
    return list(
        Round.objects.select_related("questionnaire")
        .filter(pk__in=UnitScore.objects.values("round_id"))
        .order_by("-opens_at", "-id")
    )


def data_version():
    """Goes up whenever any score is stored or excluded (reports/store.py). One version for
    everything, since a round's page also shows earlier rounds (trend, change against the
    previous round)."""
    return current_version()


def grade_bands(questionnaire):
    bands = list(
        GradeBand.objects.filter(questionnaire=questionnaire)
        .order_by("-min_score")
        .values_list("label", "min_score")
    )
    return bands or list(scoring.DEFAULT_GRADE_BANDS)


def good_enough_threshold(bands):
    """The lower bound of 较好; a dimension below it gets the report's countermeasures."""
    for label, minimum in bands:
        if label == "较好":
            return minimum
    return 70.0


@dataclass
class UnitRow:
    unit_id: int
    name: str
    order: int
    index: float | None = None
    grade: str | None = None
    dimensions: dict = field(default_factory=dict)  # dimension code -> score
    causes: dict = field(default_factory=dict)  # cause tag -> score
    main_cause: str | None = None
    branches_scored: int = 0
    straightlined: int = 0
    previous_index: float | None = None
    position: int | None = None  # 1, 2, 2, 4: ties (as shown) share a position
    roster: int = 0  # branches of the unit on the round's roster
    submitted: int = 0  # of those, how many have submitted

    @property
    def change(self):
        """较上轮: the difference of the two indices as shown (two decimals each), so that
        the page's own numbers add up: 70.00 after 69.99 is +0.01, whatever the digits."""
        if self.index is None or self.previous_index is None:
            return None
        return scoring.round2(scoring.round2(self.index) - scoring.round2(self.previous_index))

    @property
    def main_cause_label(self):
        return CAUSE_LABELS.get(self.main_cause, "")


UNIT_SCORE_FIELDS = (
    "round_id",
    "unit_id",
    "unit__name",
    "unit__order",
    "index",
    "dimensions",
    "branches_scored",
    "straightlined",
    *CAUSE_FIELDS.values(),
)


def _rounds_up_to(round_):
    """{round id: (name, opens_at)} of this round and every earlier one."""
    return {
        pk: (name, at)
        for pk, name, at in Round.objects.filter(opens_at__lte=round_.opens_at).values_list(
            "pk", "name", "opens_at"
        )
    }


def _unit_scores(round_ids, **filters):
    """The stored unit means of those rounds (one query; named tuples rather than model
    instances, since the dashboard reads one row per unit and round)."""
    return UnitScore.objects.filter(round_id__in=round_ids, **filters).values_list(
        *UNIT_SCORE_FIELDS, named=True
    )


def _unit_row(score, bands):
    causes = {tag: getattr(score, name) for tag, name in CAUSE_FIELDS.items()}
    return UnitRow(
        unit_id=score.unit_id,
        name=score.unit__name,
        order=score.unit__order,
        index=score.index,
        grade=scoring.grade_for(score.index, bands),
        dimensions=score.dimensions,
        causes=causes,
        main_cause=scoring.main_cause(causes),
        branches_scored=score.branches_scored,
        straightlined=score.straightlined,
    )


@dataclass
class Overview:
    round: Round
    dimensions: list
    bands: list
    units: list  # UnitRow, ranked by index (数据不足 last)
    roster_count: int
    submitted_count: int
    county_index: float | None
    county_grade: str | None
    county_dimensions: dict
    county_causes: dict
    county_main_cause: str | None
    grade_counts: list  # [(label, count)], bands order then 数据不足
    trend: list  # [(round name, county index, {dimension code: score})]
    previous_round: str | None  # name of the round "较上轮" compares with

    @property
    def county_main_cause_label(self):
        return CAUSE_LABELS.get(self.county_main_cause, "")


def round_overview(round_) -> Overview:
    questionnaire = round_.questionnaire
    dimensions = list(Dimension.objects.filter(questionnaire=questionnaire).order_by("order"))
    bands = grade_bands(questionnaire)
    rounds = _rounds_up_to(round_)
    history = _county_history(rounds, dimensions)
    previous = history[-2] if len(history) > 1 and history[-1]["id"] == round_.pk else None
    # This round's unit rows and the previous round's (for 较上轮) in one query.
    rows, previous_index = {}, {}
    for score in _unit_scores([round_.pk, *([previous["id"]] if previous else [])]):
        if score.round_id == round_.pk:
            rows[score.unit_id] = _unit_row(score, bands)
        else:
            previous_index[score.unit_id] = score.index
    for unit_id, row in rows.items():
        row.previous_index = previous_index.get(unit_id)
    # Units on the roster with nothing counted yet are listed too (数据不足), with their
    # progress: those are the ones the office has to chase.
    for unit_id, name, order, roster in (
        RosterEntry.objects.filter(round=round_)
        .values_list("branch__unit_id", "branch__unit__name", "branch__unit__order")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows.setdefault(unit_id, UnitRow(unit_id=unit_id, name=name, order=order)).roster = roster
    for unit_id, submitted in (
        Submission.objects.filter(round=round_, status=Submission.Status.SUBMITTED)
        .values_list("branch__unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if unit_id in rows:
            rows[unit_id].submitted = submitted
    units = sorted(rows.values(), key=lambda r: (r.index is None, -(r.index or 0), r.order, r.name))
    for unit, position in zip(
        units, scoring.competition_ranks([u.index for u in units]), strict=True
    ):
        unit.position = position
    county_dimensions = {
        d.code: scoring.county_score(u.dimensions.get(d.code) for u in units) for d in dimensions
    }
    county_causes = {
        tag: scoring.county_score(u.causes.get(tag) for u in units) for tag in scoring.CAUSE_TAGS
    }
    county_index = scoring.county_score(u.index for u in units)
    counts = {label: 0 for label, _ in bands}
    insufficient = 0
    for unit in units:
        if unit.grade is None:
            insufficient += 1
        else:
            counts[unit.grade] += 1
    roster = sum(u.roster for u in units)
    submitted = sum(u.submitted for u in units)
    return Overview(
        round=round_,
        dimensions=dimensions,
        bands=bands,
        units=units,
        roster_count=roster,
        submitted_count=submitted,
        county_index=county_index,
        county_grade=scoring.grade_for(county_index, bands),
        county_dimensions=county_dimensions,
        county_causes=county_causes,
        county_main_cause=scoring.main_cause(county_causes),
        grade_counts=[*counts.items(), (scoring.INSUFFICIENT, insufficient)],
        trend=[(r["name"], r["index"], r["dims"]) for r in history],
        previous_round=previous["name"] if previous else None,
    )


def _county_history(rounds, dimensions):
    """County index and dimension scores of every round with unit means, oldest first.
    County = mean over units, so one GROUP BY over the unit means does it; dimensions are
    matched by code across questionnaire versions."""
    means = {
        # A unit's 数据不足 dimension is a JSON null, which SQLite casts to 0: leave it out.
        f"dimension_{i}": Avg(
            Cast(KT(f"dimensions__{d.code}"), FloatField()),
            filter=~Q(**{f"dimensions__{d.code}": None}),
        )
        for i, d in enumerate(dimensions)
    }
    history = []
    for row in (
        UnitScore.objects.filter(round_id__in=rounds)
        .values("round_id")
        .annotate(county_index=Avg("index"), **means)
        .order_by()
    ):
        name, at = rounds[row["round_id"]]
        history.append(
            {
                "id": row["round_id"],
                "name": name,
                "at": at,
                "index": row["county_index"],
                "dims": {d.code: row[f"dimension_{i}"] for i, d in enumerate(dimensions)},
            }
        )
    return sorted(history, key=lambda r: (r["at"], r["id"]))


@dataclass
class UnitReport:
    round: Round
    unit: Unit
    row: UnitRow
    dimensions: list
    county: Overview
    items: list  # [(question, mean item score or None)] scored items in order
    trend: list  # [(round name, index, {dimension code: score})]
    branches: list  # [dict(branch, submission_id, index, grade, straightlined, excluded)]
    recommendations: list
    texts: list  # [(question, [(branch name, text)])]
    weakest: set = field(default_factory=set)


def unit_report(round_, unit, *, county=None) -> UnitReport:
    county = county or round_overview(round_)
    row = next((u for u in county.units if u.unit_id == unit.id), None) or UnitRow(
        unit_id=unit.id, name=unit.name, order=unit.order
    )
    questions = list(
        Question.objects.filter(questionnaire=round_.questionnaire)
        .select_related("dimension")
        .order_by("dimension__order", "order", "id")
    )
    items = _item_means(round_, unit, questions)
    scored = [(q, s) for q, s in items if s is not None]
    weakest = scoring.lowest_with_ties(((q.code, v) for q, v in scored), 3)
    threshold = good_enough_threshold(county.bands)
    return UnitReport(
        round=round_,
        unit=unit,
        row=row,
        dimensions=county.dimensions,
        county=county,
        items=items,
        trend=unit_trend(round_, unit, county.dimensions),
        branches=_branch_rows(round_, unit),
        recommendations=recommended(
            list(Recommendation.objects.all()),
            dimension_scores=row.dimensions,
            main_cause=row.main_cause,
            threshold=threshold,
        ),
        texts=_free_texts(round_, unit, questions),
        weakest=weakest,
    )


def _item_means(round_, unit, questions):
    """Mean item score per scored question over the unit's counted submissions (one query)."""
    specs = {
        q.id: item_spec(q, dimension_code=q.dimension.code)
        for q in questions
        if q.kind != Question.Kind.TEXT
    }
    sums = {qid: [] for qid in specs}
    answers = Answer.objects.filter(
        submission__round=round_,
        submission__branch__unit=unit,
        submission__status=Submission.Status.SUBMITTED,
        submission__score__excluded=False,
        question_id__in=specs,
    ).values_list("question_id", "likert", "flag", "number", "choice", "not_applicable")
    for qid, likert, flag, number, choice, na in answers:
        value = decode(likert, flag, number, choice, None, na)
        score = scoring.item_score(specs[qid], value)
        if score is not None:
            sums[qid].append(score)
    return [
        (q, scoring.mean_or_none(sums[q.id])) for q in questions if q.kind != Question.Kind.TEXT
    ]


def unit_trend(round_, unit, dimensions):
    """The unit's index and dimension scores in this round and every earlier one."""
    rounds = _rounds_up_to(round_)
    history = sorted(
        _unit_scores(rounds, unit=unit), key=lambda s: (rounds[s.round_id][1], s.round_id)
    )
    return [(rounds[s.round_id][0], s.index, s.dimensions) for s in history]


def _branch_rows(round_, unit):
    dims_of = {}
    for submission_id, code, score in DimensionScore.objects.filter(
        round=round_, unit=unit
    ).values_list("score_of_id", "dimension__code", "score"):
        dims_of.setdefault(submission_id, {})[code] = score
    rows = []
    scores = (
        SubmissionScore.objects.filter(round=round_, unit=unit)
        .select_related("branch")
        .order_by("branch__code")
    )
    for score in scores:
        dims = dims_of.get(score.submission_id, {})
        rows.append(
            {
                "branch": score.branch,
                "submission_id": score.submission_id,
                "index": score.index,
                "grade": score.grade,
                "dimensions": dims,
                "straightlined": score.straightlined,
                "excluded": score.excluded,
                "verified": score.verified,
                "self_index": score.self_index,
            }
        )
    return rows


def _free_texts(round_, unit, questions):
    texts = {q.id: [] for q in questions if q.kind == Question.Kind.TEXT}
    for qid, branch, text in (
        Answer.objects.filter(
            submission__round=round_,
            submission__branch__unit=unit,
            submission__status=Submission.Status.SUBMITTED,
            submission__score__excluded=False,
            question_id__in=texts,
        )
        .exclude(text="")
        .values_list("question_id", "submission__branch__name", "text")
        .order_by("submission__branch__code")
    ):
        texts[qid].append((branch, text))
    return [(q, texts[q.id]) for q in questions if q.id in texts and texts[q.id]]


@dataclass
class BranchReport:
    """A branch's own report. County numbers, the position and the recommendations are
    filled in only once they are final (`closed`)."""

    submission: Submission
    score: SubmissionScore
    dims: list  # DimensionScore rows in dimension order
    closed: bool  # no branch may still submit: county numbers are final
    extended: bool  # the round's deadline has passed but a branch's own extension has not
    main_cause_label: str
    dim_rows: list  # (DimensionScore, county mean or None)
    county: "Overview | None" = None
    county_dims: dict = field(default_factory=dict)
    position: int | None = None
    ranked_count: int = 0
    recommendations: list = field(default_factory=list)
    items: list = field(default_factory=list)  # [(question, item score or None)] scored items
    trend: list = field(default_factory=list)  # [(round name, index, {dimension code: score})]


def county_numbers_final(round_, now) -> tuple[bool, bool]:
    """(closed, extended): county numbers and positions are final only once no branch may
    still submit: the round's deadline has passed and so has every branch's own extension
    (单独延期)."""
    past_deadline = round_.status_at(now) == Round.Status.CLOSED
    extended = past_deadline and RosterEntry.objects.filter(round=round_).open_at(now).exists()
    return past_deadline and not extended, extended


def branch_report(submission, *, overview_of, now=None) -> BranchReport | None:
    """The report of a submitted submission, or None before it is submitted and scored.
    `overview_of(round_)` gives the round's Overview (the caller may cache it)."""
    score = SubmissionScore.objects.filter(submission=submission).first()
    if submission.status != Submission.Status.SUBMITTED or score is None:
        return None
    round_ = submission.round
    closed, extended = county_numbers_final(round_, now or timezone.now())
    dims = list(score.dimension_scores.select_related("dimension").order_by("dimension__order"))
    report = BranchReport(
        submission=submission,
        score=score,
        dims=dims,
        closed=closed,
        extended=extended,
        main_cause_label=CAUSE_LABELS.get(score.main_cause, ""),
        dim_rows=[(d, None) for d in dims],
        items=_branch_items(submission),
        trend=_branch_trend(submission),
    )
    if not closed:
        return report
    overview = overview_of(round_)
    ranked = dict(
        counted_scores(round=round_, index__isnull=False).values_list("submission_id", "index")
    )
    report.county = overview
    report.county_dims = {
        d.code: overview.county_dimensions.get(d.code) for d in overview.dimensions
    }
    # Standard competition ranking: branches whose indices show the same share a position.
    positions = dict(zip(ranked, scoring.competition_ranks(list(ranked.values())), strict=True))
    report.position = positions.get(submission.pk)
    report.ranked_count = len(ranked)
    report.recommendations = recommended(
        list(Recommendation.objects.all()),
        dimension_scores={d.dimension.code: d.score for d in dims},
        main_cause=score.main_cause,
        threshold=good_enough_threshold(overview.bands),
    )
    report.dim_rows = [(d, report.county_dims.get(d.dimension.code)) for d in dims]
    return report


def _branch_items(submission):
    """The submission's own item scores, scored items in questionnaire order (two queries)."""
    questions = [
        q
        for q in Question.objects.filter(questionnaire=submission.round.questionnaire_id)
        .select_related("dimension")
        .order_by("dimension__order", "order", "id")
        if q.kind != Question.Kind.TEXT
    ]
    values = {
        qid: decode(likert, flag, number, choice, None, na)
        for qid, likert, flag, number, choice, na in Answer.objects.filter(
            submission=submission, question_id__in=[q.id for q in questions]
        ).values_list("question_id", "likert", "flag", "number", "choice", "not_applicable")
    }
    return [
        (
            q,
            scoring.item_score(item_spec(q, dimension_code=q.dimension.code), values[q.id])
            if q.id in values
            else None,
        )
        for q in questions
    ]


def _branch_trend(submission):
    """The branch's own index and dimension scores in this round and every earlier round it
    submitted in, oldest first (two queries). Dimensions are matched by code across
    questionnaire versions. A score the office left out of the county's statistics is still
    the branch's own, so it is here."""
    scores = list(
        SubmissionScore.objects.filter(
            branch_id=submission.branch_id,
            submission__status=Submission.Status.SUBMITTED,
            round__opens_at__lte=submission.round.opens_at,
        )
        .order_by("round__opens_at", "round_id")
        .values_list("submission_id", "round__name", "index", named=True)
    )
    dims = {}
    for score_of, code, value in DimensionScore.objects.filter(
        score_of_id__in=[s.submission_id for s in scores]
    ).values_list("score_of_id", "dimension__code", "score"):
        dims.setdefault(score_of, {})[code] = value
    return [(s.round__name, s.index, dims.get(s.submission_id, {})) for s in scores]


def item_means_by_code(round_, unit, codes) -> dict:
    """{question code: the unit's mean item score in the round} for those codes (matched
    by code, so a later round's questionnaire version answers for the same items)."""
    questions = list(
        Question.objects.filter(questionnaire=round_.questionnaire, code__in=list(codes))
        .select_related("dimension")
        .order_by("dimension__order", "order", "id")
    )
    return {q.code: mean for q, mean in _item_means(round_, unit, questions)}


@dataclass
class UnitSelfScores:
    """A unit's self-assessed numbers beside the counted ones (考评): the means over its
    counted submissions of what the secretaries scored themselves, by the same rule as the
    counted unit means (mean of the branches that have a value)."""

    verified: int  # how many counted submissions carry verified values
    index: float | None
    dimensions: dict  # dimension code -> self-assessed mean


def unit_self_scores(round_, unit) -> UnitSelfScores:
    """One query over the unit's counted scores."""
    verified, indices, dims = 0, [], {}
    for self_index, self_dimensions, is_verified in counted_scores(
        round=round_, unit=unit
    ).values_list("self_index", "self_dimensions", "verified"):
        verified += is_verified
        if self_index is not None:
            indices.append(self_index)
        for code, score in (self_dimensions or {}).items():
            if score is not None:
                dims.setdefault(code, []).append(score)
    return UnitSelfScores(
        verified=verified,
        index=scoring.mean_or_none(indices),
        dimensions={code: scoring.mean_or_none(values) for code, values in dims.items()},
    )
