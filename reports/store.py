"""Stored scores: written when a submission is submitted, in the same transaction, and when
a round is re-scored. The arithmetic itself is reports/scoring.py."""

import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd
from django.db import transaction
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery
from django.dispatch import Signal
from django.utils import timezone

from reports import scoring
from reports.models import DimensionScore, ScoresVersion, SubmissionScore, UnitScore
from surveys.core.memo import Memo
from surveys.organisation.models import Unit
from surveys.questionnaires.models import Dimension, GradeBand, Question
from surveys.submissions.models import Answer, Submission, SubmissionSnapshot
from surveys.submissions.values import answer_value, decode
from surveys.verification.models import VerifiedAnswer

SCORE_FIELDS = [
    "round",
    "branch",
    "unit",
    "index",
    "grade",
    "cause_xuhua",
    "cause_ruohua",
    "cause_fenhua",
    "main_cause",
    "aspect_goal",
    "aspect_mechanism",
    "aspect_carrier",
    "straightlined",
    "self_index",
    "self_grade",
    "self_dimensions",
    "verified",
    "scored_at",
]


def scoring_model(questionnaire) -> scoring.ScoringModel:
    """The questionnaire's scoring model, read from the database (three queries)."""
    dimensions = list(Dimension.objects.filter(questionnaire=questionnaire).order_by("order", "id"))
    order = {d.id: i for i, d in enumerate(dimensions)}
    code_of = {d.id: d.code for d in dimensions}
    questions = sorted(
        Question.objects.filter(questionnaire=questionnaire),
        key=lambda q: (order[q.dimension_id], q.order, q.id),
    )
    bands = list(GradeBand.objects.filter(questionnaire=questionnaire).order_by("-min_score"))
    return scoring.ScoringModel(
        dimensions=[scoring.DimensionSpec(d.code, d.name, d.weight) for d in dimensions],
        items=[item_spec(q, dimension_code=code_of[q.dimension_id]) for q in questions],
        grade_bands=[(b.label, b.min_score) for b in bands] or scoring.DEFAULT_GRADE_BANDS,
        min_answered_ratio=questionnaire.min_answered_ratio,
    )


_frozen_models = Memo(size=16)


def frozen_scoring_model(questionnaire):
    """(scoring model, dimension ids by code) of a version a round uses, read once per
    process: a used version is frozen, and every submit of a deadline evening would read
    the same four queries again. Forgotten with the questionnaire memos (surveys/core/memo)."""
    return _frozen_models.get(
        questionnaire.pk, lambda: (scoring_model(questionnaire), _dimension_ids(questionnaire))
    )


def item_spec(question, *, dimension_code) -> scoring.ItemSpec:
    """The one adapter from a Question row to the scoring module's ItemSpec."""
    return scoring.ItemSpec(
        code=question.code,
        dimension=dimension_code,
        kind=question.kind,
        reverse_keyed=question.reverse_keyed,
        weight=question.weight,
        cause=question.cause,
        aspect=question.aspect,
        bands=tuple(question.bands),
        choices=tuple(question.choices),
    )


def _nan_to_none(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _rows(submission, values, dimension_ids, self_values=None):
    """One SubmissionScore and its DimensionScores from a dict of scoring outputs.

    `values` are the counted numbers; `self_values` the self-assessed ones when the office
    has verified an item (the counted ones are then the verified ones), else None."""
    own = values if self_values is None else self_values
    score = SubmissionScore(
        self_index=_nan_to_none(own["index"]),
        self_grade=own["grade"] or "",
        self_dimensions={code: _nan_to_none(own[code]) for code in dimension_ids},
        verified=self_values is not None,
        submission_id=submission.id,
        round_id=submission.round_id,
        branch_id=submission.branch_id,
        unit_id=submission.branch.unit_id,
        index=_nan_to_none(values["index"]),
        grade=values["grade"] or "",
        main_cause=values["main_cause"] or "",
        straightlined=bool(values["straightlined"]),
        scored_at=timezone.now(),
    )
    for tag in scoring.CAUSE_TAGS:
        setattr(score, f"cause_{tag}", _nan_to_none(values[tag]))
    for tag in scoring.ASPECT_TAGS:
        setattr(score, f"aspect_{tag}", _nan_to_none(values[tag]))
    dimension_rows = [
        DimensionScore(
            score_of_id=submission.id,
            round_id=submission.round_id,
            unit_id=submission.branch.unit_id,
            dimension_id=dimension_id,
            score=_nan_to_none(values[code]),
        )
        for code, dimension_id in dimension_ids.items()
    ]
    return score, dimension_rows


_bumps = threading.local()  # .pending: None outside bump_version_once, else "a bump is owed"


# Sent after the commit that moved the data version on: reports/warming.py listens and draws
# the new version's charts in the background. A signal, because the floor imports no charts.
version_moved = Signal()


def bump_version():
    """Move the data version on, inside the caller's transaction (see ScoresVersion)."""
    if getattr(_bumps, "pending", None) is not None:
        _bumps.pending = True
        return
    if not ScoresVersion.objects.filter(pk=1).update(value=F("value") + 1):
        ScoresVersion.objects.get_or_create(pk=1, defaults={"value": 1})
    # After the commit, and robust: whatever the listeners do never fails the write.
    transaction.on_commit(lambda: version_moved.send_robust(sender=ScoresVersion), robust=True)


@contextmanager
def bump_version_once():
    """Bulk writes: every bump_version() inside, explicit or from the signals of
    reports/invalidation.py, becomes one bump at the end, in the same transaction.

    An import of 500 branches would otherwise update the version row 500 times. The block
    is atomic of its own, so when it fails nothing it wrote stays and no bump is owed."""
    if getattr(_bumps, "pending", None) is not None:  # nested: the outer block bumps
        yield
        return
    _bumps.pending = False
    try:
        with transaction.atomic():
            yield
            owed, _bumps.pending = _bumps.pending, None
            if owed:
                bump_version()
    finally:
        _bumps.pending = None


def current_version() -> int:
    return ScoresVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def refresh_unit_scores(round_id, unit_ids=None):
    """Recompute a round's unit means (all its units, or those given) from the stored
    submission scores, and move the data version on. Runs inside the caller's transaction.

    The units are locked first: on PostgreSQL two branches of one unit submitting at once
    then take turns, and the second sees the first's committed score when it averages (on
    SQLite the immediate transactions already take turns)."""
    with transaction.atomic():
        units = Unit.objects.select_for_update().order_by("pk")
        if unit_ids is not None:
            units = units.filter(pk__in=set(unit_ids))
        locked = list(units.values_list("pk", flat=True))
        # Counted: submitted (a returned submission waits for its resubmission) and not
        # excluded by the office; the same rule as reports.selectors.counted_scores.
        counted = SubmissionScore.objects.filter(
            round_id=round_id, excluded=False, submission__status=Submission.Status.SUBMITTED
        )
        dimension_scores = DimensionScore.objects.filter(
            round_id=round_id,
            score_of__excluded=False,
            score_of__submission__status=Submission.Status.SUBMITTED,
        )
        if unit_ids is not None:
            counted = counted.filter(unit_id__in=locked)
            dimension_scores = dimension_scores.filter(unit_id__in=locked)
        aggregates = {
            "index": Avg("index"),
            "branches_scored": Count("pk"),
            "straightlined": Count("pk", filter=Q(straightlined=True)),
        }
        aggregates.update({f"cause_{tag}": Avg(f"cause_{tag}") for tag in scoring.CAUSE_TAGS})
        rows = {}
        for row in counted.values("unit_id").annotate(**aggregates).order_by("unit_id"):
            unit_id = row.pop("unit_id")
            rows[unit_id] = UnitScore(round_id=round_id, unit_id=unit_id, dimensions={}, **row)
        for unit_id, code, score in (
            dimension_scores.values("unit_id", "dimension__code")
            .annotate(score=Avg("score"))
            .values_list("unit_id", "dimension__code", "score")
        ):
            if unit_id in rows:
                rows[unit_id].dimensions[code] = score
        stale = UnitScore.objects.filter(round_id=round_id).exclude(unit_id__in=list(rows))
        if unit_ids is not None:
            stale = stale.filter(unit_id__in=locked)
        stale.delete()
        UnitScore.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["round", "unit"],
            update_fields=[
                "index",
                "branches_scored",
                "straightlined",
                "dimensions",
                *(f"cause_{tag}" for tag in scoring.CAUSE_TAGS),
            ],
            batch_size=500,
        )
        bump_version()


def _save(scores, dimension_rows, *, round_id, unit_ids=None):
    """Store submission and dimension scores, then the unit means they feed.

    `excluded` is the office's decision and survives re-scoring, so it is not updated."""
    SubmissionScore.objects.bulk_create(
        scores,
        update_conflicts=True,
        unique_fields=["submission"],
        update_fields=SCORE_FIELDS,
        batch_size=1000,
    )
    DimensionScore.objects.bulk_create(
        dimension_rows,
        update_conflicts=True,
        unique_fields=["score_of", "dimension"],
        update_fields=["score", "round", "unit"],
        batch_size=2000,
    )
    refresh_unit_scores(round_id, unit_ids)


def _dimension_ids(questionnaire):
    return dict(Dimension.objects.filter(questionnaire=questionnaire).values_list("code", "id"))


def _result_values(result):
    return {
        **result.dimensions,
        **result.causes,
        **result.aspects,
        "index": result.index,
        "grade": result.grade,
        "main_cause": result.main_cause,
        "straightlined": result.straightlined,
    }


def verified_value(value):
    """A VerifiedAnswer's JSON value in the shape the scoring takes ("NA" is 不适用)."""
    if value == "NA":
        return scoring.NOT_APPLICABLE
    return value


def store_submission_scores(submission, verified=None, answers=None):
    """Score one submitted submission and store the numbers. Called inside the submit
    transaction, so a submission is never submitted without its scores.

    `verified` maps item code to the office's verified value (考评) for the submitted version
    being scored; the counted numbers then use those values, and the self-assessed ones are
    kept beside them. A fresh submission has no verified values: it is a new version.
    `answers` (code -> value) are the rows the caller has just written, if it has them;
    else they are read."""
    model, dimension_ids = frozen_scoring_model(submission.round.questionnaire)
    if answers is None:
        answers = {
            a.question.code: answer_value(a) for a in submission.answers.select_related("question")
        }
    result = scoring.score_submission(model, answers)
    self_values = None
    if verified:
        self_values = _result_values(result)
        overridden = {code: verified_value(v) for code, v in verified.items()}
        result = scoring.score_submission(model, {**answers, **overridden})
    score, dimension_rows = _rows(submission, _result_values(result), dimension_ids, self_values)
    _save([score], dimension_rows, round_id=submission.round_id, unit_ids=[score.unit_id])
    return result


def verified_answers(submissions):
    """(submission id, item code, value) of the office's verified values for the latest
    submitted version of each of `submissions` (a queryset), in one query."""
    latest = (
        SubmissionSnapshot.objects.filter(submission=OuterRef("verification__submission"))
        .order_by("-number")
        .values("number")[:1]
    )
    return VerifiedAnswer.objects.filter(
        verification__submission__in=submissions, verification__number=Subquery(latest)
    ).values_list("verification__submission_id", "question__code", "value")


def answers_frame(round_) -> pd.DataFrame:
    """Long answers of a round's submitted submissions: submission, item, value."""
    rows = Answer.objects.filter(
        submission__round=round_, submission__status=Submission.Status.SUBMITTED
    ).values_list(
        "submission_id", "question__code", "likert", "flag", "number", "choice", "not_applicable"
    )
    records = []
    # Free texts are never scored: their column is left unread.
    for submission_id, code, likert, flag, number, choice, not_applicable in rows.iterator(
        chunk_size=5000
    ):
        value = decode(likert, flag, number, choice, None, not_applicable)
        if value is None or scoring.is_not_applicable(value):
            value = math.nan
        elif not isinstance(value, str):
            value = float(value)  # a bool scores as 1.0 / 0.0
        records.append((submission_id, code, value))
    return pd.DataFrame.from_records(records, columns=["submission", "item", "value"])


@dataclass
class RescoreReport:
    scored: int = 0
    changed: list = field(default_factory=list)  # (branch name, old index, new index, grades)


def rescore_round(round_) -> RescoreReport:
    """Re-score every submitted submission of a round in one pass (the vectorised path)."""
    report = RescoreReport()
    questionnaire = round_.questionnaire
    model = scoring_model(questionnaire)
    submissions = {
        s.id: s
        for s in Submission.objects.filter(
            round=round_, status=Submission.Status.SUBMITTED
        ).select_related("branch")
    }
    if not submissions:
        return report
    answers = answers_frame(round_)
    frame = scoring.score_frame(model, answers)
    verified_frame = _verified_frame(model, round_, answers)
    before = dict(
        SubmissionScore.objects.filter(round=round_).values_list("submission_id", "index")
    )
    grades_before = dict(
        SubmissionScore.objects.filter(round=round_).values_list("submission_id", "grade")
    )
    dimension_ids = _dimension_ids(questionnaire)
    scores, dimension_rows = [], []
    verified_rows = dict(zip(verified_frame.index, verified_frame.to_dict("records"), strict=True))
    for submission_id, values in zip(frame.index, frame.to_dict("records"), strict=True):
        if submission_id in verified_rows:
            score, dims = _rows(
                submissions[submission_id], verified_rows[submission_id], dimension_ids, values
            )
        else:
            score, dims = _rows(submissions[submission_id], values, dimension_ids)
        scores.append(score)
        dimension_rows.extend(dims)
        old = before.get(submission_id)
        if _differs(old, score.index) or grades_before.get(submission_id, "") != score.grade:
            report.changed.append(
                (
                    submissions[submission_id].branch.name,
                    old,
                    score.index,
                    grades_before.get(submission_id),
                    score.grade,
                )
            )
    # Submitted submissions with no answers at all do not appear in the frame.
    for submission_id in submissions.keys() - set(frame.index):
        values = {code: None for code in dimension_ids}
        values.update({tag: None for tag in (*scoring.CAUSE_TAGS, *scoring.ASPECT_TAGS)})
        values.update(index=None, grade=None, main_cause=None, straightlined=False)
        score, dims = _rows(submissions[submission_id], values, dimension_ids)
        scores.append(score)
        dimension_rows.extend(dims)
    with transaction.atomic():
        _save(scores, dimension_rows, round_id=round_.pk)
    report.scored = len(scores)
    return report


def _verified_frame(model, round_, answers):
    """The scores of the round's submissions the office has verified an item of, with the
    verified values in place of the answers (an empty frame when there are none)."""
    overrides = {}
    for submission_id, code, value in verified_answers(
        Submission.objects.filter(round=round_, status=Submission.Status.SUBMITTED)
    ):
        value = verified_value(value)
        if scoring.is_not_applicable(value) or value is None:
            value = math.nan
        elif not isinstance(value, str):
            value = float(value)
        overrides[(submission_id, code)] = value
    if not overrides:
        return pd.DataFrame()
    ids = {submission_id for submission_id, _code in overrides}
    subset = answers[answers["submission"].isin(ids)]
    kept = subset[
        [(s, c) not in overrides for s, c in zip(subset["submission"], subset["item"], strict=True)]
    ]
    added = pd.DataFrame.from_records(
        [(s, c, v) for (s, c), v in overrides.items()], columns=["submission", "item", "value"]
    )
    return scoring.score_frame(model, pd.concat([kept, added], ignore_index=True))


def _differs(old, new):
    if old is None or new is None:
        return old is not new
    return abs(old - new) > 1e-9
