"""Reads of verification: the office's queue of a round, one submission's review beside its
evidence, a branch's published results, and whether a round's results are locked."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.shortcuts import get_object_or_404

from reports import scoring
from reports.models import SubmissionScore
from reports.store import scoring_model, verified_value
from surveys.evidence.selectors import by_question, evidence_of_version
from surveys.questionnaires.models import Question
from surveys.submissions.models import Submission
from surveys.submissions.selectors import visible_submissions
from surveys.submissions.values import answer_value
from surveys.verification.models import (
    DEFAULT_APPEAL_DAYS,
    DEFAULT_OVERCLAIM_MARGIN,
    Appeal,
    AppealEvidence,
    RoundPublication,
    Verification,
)

SCORED_KINDS = (
    Question.Kind.LIKERT,
    Question.Kind.YES_NO,
    Question.Kind.NUMBER,
    Question.Kind.CHOICE,
)


def publication_of(round_):
    """The round's publication row, or an unsaved one with the defaults."""
    publication = RoundPublication.objects.filter(round=round_).first()
    return publication or RoundPublication(
        round=round_, appeal_days=DEFAULT_APPEAL_DAYS, overclaim_margin=DEFAULT_OVERCLAIM_MARGIN
    )


def appeals_open(publication, now=None) -> bool:
    return publication.appeals_open(now)


def results_locked(publication, now=None) -> bool:
    return publication.results_locked(now)


def overclaimed(score, margin) -> bool:
    """自评偏高: the self-assessed index above the verified one by more than `margin`."""
    if not score or not score.verified or score.self_index is None or score.index is None:
        return False
    return score.self_index - score.index > margin


@dataclass
class QueueRow:
    submission: Submission
    score: SubmissionScore | None
    reviewed: bool
    overclaimed: bool
    appeal: Appeal | None


@dataclass
class Queue:
    round: object
    publication: RoundPublication
    rows: list
    submitted: int
    reviewed: int
    open_appeals: int
    locked: bool
    appeals_open: bool


def round_queue(round_) -> Queue:
    """The office's queue: every submitted submission of the round in branch order, whether
    its current version has been reviewed, its self and verified index, its appeal."""
    publication = publication_of(round_)
    submissions = list(
        Submission.objects.filter(round=round_, status=Submission.Status.SUBMITTED)
        .select_related("branch", "branch__unit", "score", "appeal")
        .annotate(n=Count("snapshots"))
        .order_by("branch__unit__order", "branch__code")
    )
    reviewed = set(
        Verification.objects.filter(submission__round=round_).values_list("submission_id", "number")
    )
    rows = []
    for submission in submissions:
        score = getattr(submission, "score", None)
        rows.append(
            QueueRow(
                submission=submission,
                score=score,
                reviewed=(submission.pk, submission.n) in reviewed,
                overclaimed=overclaimed(score, publication.overclaim_margin),
                appeal=getattr(submission, "appeal", None),
            )
        )
    open_appeals = sum(1 for r in rows if r.appeal and r.appeal.status == Appeal.Status.OPEN)
    return Queue(
        round=round_,
        publication=publication,
        rows=rows,
        submitted=len(rows),
        reviewed=sum(1 for r in rows if r.reviewed),
        open_appeals=open_appeals,
        locked=results_locked(publication),
        appeals_open=appeals_open(publication),
    )


def next_unreviewed(submission):
    """The next submitted submission of the round, in the queue's order after this one
    (wrapping round), whose current version has not been reviewed; None when all are."""
    queue = round_queue(submission.round)
    ids = [r.submission.pk for r in queue.rows]
    if submission.pk in ids:
        at = ids.index(submission.pk)
        ordered = queue.rows[at + 1 :] + queue.rows[:at]
    else:
        ordered = queue.rows
    for row in ordered:
        if not row.reviewed:
            return row.submission
    return None


@dataclass
class ReviewItem:
    question: Question
    self_value: object  # as the form shows it (for_json shape)
    verified: object  # the VerifiedAnswer, or None
    evidence: list = field(default_factory=list)
    self_score: float | None = None
    verified_score: float | None = None

    @property
    def changed(self):
        return self.verified is not None


@dataclass
class Review:
    submission: Submission
    number: int
    verification: Verification | None
    items: list
    score: SubmissionScore | None
    publication: RoundPublication
    locked: bool
    overclaimed: bool
    appeal: Appeal | None

    @property
    def version(self):
        return self.verification.version if self.verification else 0

    @property
    def changed_items(self):
        return [item for item in self.items if item.changed]


def review(submission) -> Review:
    """One submitted version item by item: the self-assessed answer, its evidence and the
    office's verified value with its reason."""
    number = submission.snapshots.count()
    verification = (
        Verification.objects.filter(submission=submission, number=number)
        .prefetch_related("items")
        .first()
    )
    verified = {v.question_id: v for v in verification.items.all()} if verification else {}
    answers = {a.question_id: a for a in submission.answers.all()}
    evidence = by_question(evidence_of_version(submission, number))
    questions = list(
        submission.round.questionnaire.questions.filter(kind__in=SCORED_KINDS)
        .select_related("dimension")
        .order_by("dimension__order", "order", "id")
    )
    model = scoring_model(submission.round.questionnaire)
    specs = {item.code: item for item in model.items}
    items = []
    for question in questions:
        answer = answers.get(question.pk)
        self_value = answer_value(answer, for_json=True) if answer else None
        chosen = verified.get(question.pk)
        item = ReviewItem(
            question=question,
            self_value=self_value,
            verified=chosen,
            evidence=evidence.get(question.pk, []),
        )
        spec = specs.get(question.code)
        if spec is not None:
            item.self_score = _item_score(spec, answer)
            if chosen is not None:
                item.verified_score = _item_score_of_json(spec, chosen.value)
        items.append(item)
    publication = publication_of(submission.round)
    score = SubmissionScore.objects.filter(submission=submission).first()
    return Review(
        submission=submission,
        number=number,
        verification=verification,
        items=items,
        score=score,
        publication=publication,
        locked=results_locked(publication),
        overclaimed=overclaimed(score, publication.overclaim_margin),
        appeal=Appeal.objects.filter(submission=submission)
        .select_related("lodged_by", "decided_by")
        .prefetch_related("files")
        .first(),
    )


def _item_score(spec, answer):
    return scoring.item_score(spec, answer_value(answer) if answer else None)


def _item_score_of_json(spec, value):
    return scoring.item_score(spec, verified_value(value))


def visible_appeal_file(user, pk):
    """One appeal evidence file the user may fetch, or 404: the office sees every branch's,
    a secretary only their own branch's; for anyone else the file does not exist."""
    return get_object_or_404(
        AppealEvidence.objects.filter(
            appeal__submission__in=visible_submissions(user).values("pk")
        ),
        pk=pk,
    )
