"""Every write to a submission goes through here: permission, deadline, optimistic lock,
answers, audit record — all in one transaction."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from reports.store import refresh_unit_scores, store_submission_scores
from surveys.audit import events
from surveys.core.permissions import require_office
from surveys.core.text import local_minute
from surveys.questionnaires.models import Question
from surveys.questionnaires.selectors import frozen_sections
from surveys.rounds.models import RosterEntry
from surveys.rounds.services import OfficeError
from surveys.submissions.models import Answer, Submission, SubmissionSnapshot
from surveys.submissions.values import (
    ANSWER_COLUMNS,
    answer_row,
    answer_value,
    decode,
)


class SubmissionError(Exception):
    """A refused write, with a message fit to show the secretary."""


class RoundNotOpen(SubmissionError):
    pass


class StaleSubmission(SubmissionError):
    pass


class NotAllowed(SubmissionError):
    pass


@dataclass
class SubmitResult:
    submission: Submission
    # Submitted before this request, holding other answers than the posted ones: nothing
    # was written (the page shows the two side by side).
    already_submitted: bool = False
    # Submitted before this request, holding exactly the posted answers: a replay of the
    # same POST, or the twin of a double submit. Nothing was written; nothing was lost.
    replayed: bool = False


def _check_can_edit(*, entry, user, now):
    if not (user.is_secretary and user.branch_id == entry.branch_id):
        raise NotAllowed("只有本支部的支部书记可以填写和提交本支部的答卷。")
    if now < entry.round.opens_at:
        raise RoundNotOpen(
            f"本批次测评将于 {local_minute(entry.round.opens_at)} 开始，目前还不能填写。"
        )
    if now >= entry.closes_at:
        raise RoundNotOpen(
            f"本批次测评已于 {local_minute(entry.closes_at)} 截止，"
            "不能再保存或提交。如需补报，请联系机关工委。"
        )


def _write_answers(submission, questions, values):
    """Write one row per question (an upsert) and return the rows: what is now stored."""
    rows = [answer_row(submission, q, values.get(q.code)) for q in questions]
    Answer.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["submission", "question"],
        update_fields=["likert", "flag", "number", "choice", "text", "not_applicable"],
    )
    return rows


def _locked_submission(*, entry, user, version, now):
    """The submission at the version the user last saw, locked for this transaction.

    version 0 means "the page was opened before any draft existed"."""
    submission = (
        Submission.objects.select_for_update()
        .filter(round_id=entry.round_id, branch_id=entry.branch_id)
        .first()
    )
    if submission is None:
        if version != 0:
            raise StaleSubmission(_STALE_MESSAGE)
        try:
            with transaction.atomic():
                return Submission.objects.create(
                    round_id=entry.round_id,
                    branch_id=entry.branch_id,
                    version=0,
                    created_at=now,
                    updated_at=now,
                    updated_by=user,
                )
        except IntegrityError:
            # Another request created it between our read and our insert (on PostgreSQL the
            # insert waited for that transaction to commit): lock what it wrote and let
            # _save compare, so an identical double submit succeeds twice.
            submission = (
                Submission.objects.select_for_update()
                .filter(round_id=entry.round_id, branch_id=entry.branch_id)
                .first()
            )
            if submission is None:
                raise StaleSubmission(_STALE_MESSAGE) from None
    return submission


def _holds(submission, questions, values):
    """Whether the submission's stored answers are exactly `values` (compared through the
    one encoder, so 3 and 3.00, or a text and its stored copy, are the same answer)."""
    stored = {
        row[0]: decode(*row[1:], for_json=True)
        for row in submission.answers.values_list("question_id", *ANSWER_COLUMNS)
    }
    return all(
        stored.get(q.id)
        == answer_value(answer_row(submission, q, values.get(q.code)), for_json=True)
        for q in questions
    )


def submission_for_attachments(*, entry: RosterEntry, user, now) -> Submission:
    """The branch's submission, locked, for a change to its evidence files: the secretary's
    own, the round open, the submission a draft or returned. A page opened before any draft
    existed gets an empty one at version 0, so the answers it then saves are not stale."""
    _check_can_edit(entry=entry, user=user, now=now)
    submission = _locked_submission(entry=entry, user=user, version=0, now=now)
    if not submission.is_editable_status:
        raise NotAllowed(
            "这份答卷已经提交，不能再添加或删除佐证材料。如需修改，请联系机关工委退回。"
        )
    return submission


class MissingEvidence(SubmissionError):
    """Required-evidence items without a file. `questions` in page order."""

    def __init__(self, questions):
        self.questions = questions
        names = "；".join(f"{q.code} {q.text[:20]}" for q in questions)
        super().__init__(
            f"还有 {len(questions)} 道题必须上传佐证材料，答卷尚未提交：{names}。"
            "请在这些题目下方的“佐证材料”处上传后再提交。"
        )


def _check_evidence(submission, questions):
    """The required-evidence questions with no file attached now: no query when the
    questionnaire requires none (the standard one), else one."""
    required = [q for q in questions if q.evidence == Question.Evidence.REQUIRED]
    if not required:
        return
    attached = set(
        submission.evidence_files.filter(removed_before__isnull=True).values_list(
            "question_id", flat=True
        )
    )
    missing = [q for q in required if q.id not in attached]
    if missing:
        raise MissingEvidence(missing)


_STALE_MESSAGE = (
    "这份答卷已在其他窗口或设备上更新过，本次内容没有保存，以免覆盖较新的答案。"
    "您刚才填写的内容仍保留在下方；请核对后再次保存，或刷新页面查看已保存的答案。"
)


def _save(*, entry, user, values, version, now):
    """(the locked submission, None, the rows written) with the answers written, or, if it
    was submitted before this request, (submission, the result to answer with, []) and
    nothing written.

    The version lock guards against overwriting *other* answers: a stale page that posts
    exactly what is stored loses nothing and is let through."""
    _dimensions, questions = frozen_sections(entry.round.questionnaire)
    submission = _locked_submission(entry=entry, user=user, version=version, now=now)
    # The entry's round and branch are the submission's: no second read of either.
    submission.round, submission.branch = entry.round, entry.branch
    if not submission.is_editable_status:
        if _holds(submission, questions, values):
            return submission, SubmitResult(submission, replayed=True), []
        return submission, SubmitResult(submission, already_submitted=True), []
    if submission.version != version:
        if not _holds(submission, questions, values):
            raise StaleSubmission(_STALE_MESSAGE)
        version = submission.version
    written = _write_answers(submission, questions, values)
    submission.version = version + 1
    submission.updated_at = now
    submission.updated_by = user
    return submission, None, written


def submission_save_draft(*, entry: RosterEntry, user, values: dict, version: int) -> SubmitResult:
    """Keep the answers on the server as a draft. `values` maps question code to value."""
    now = timezone.now()
    with transaction.atomic():
        _check_can_edit(entry=entry, user=user, now=now)
        submission, earlier, _written = _save(
            entry=entry, user=user, values=values, version=version, now=now
        )
        if earlier:
            return earlier
        submission.save(update_fields=["version", "updated_at", "updated_by"])
        answered = sum(1 for v in values.values() if v not in (None, ""))
        events.draft_saved(actor=user, submission=submission, answered=answered, at=now)
    return SubmitResult(submission)


def submission_submit(*, entry: RosterEntry, user, values: dict, version: int) -> SubmitResult:
    """Save the answers and submit. Replaying the same POST returns the earlier result.

    The caller has checked completeness (required items answered)."""
    now = timezone.now()
    with transaction.atomic():
        _check_can_edit(entry=entry, user=user, now=now)
        submission, earlier, written = _save(
            entry=entry, user=user, values=values, version=version, now=now
        )
        if earlier:
            return earlier
        _check_evidence(submission, frozen_sections(entry.round.questionnaire)[1])
        submission.status = Submission.Status.SUBMITTED
        submission.submitted_at = now
        submission.submitted_by = user
        submission.save(
            update_fields=[
                "version",
                "updated_at",
                "updated_by",
                "status",
                "submitted_at",
                "submitted_by",
            ]
        )
        number = submission.snapshots.count() + 1
        SubmissionSnapshot.objects.create(
            submission=submission,
            number=number,
            submitted_at=now,
            submitted_by=user,
            answers={row.question.code: answer_value(row, for_json=True) for row in written},
        )
        # The files on the answers now are the files this version was submitted with.
        submission.evidence_files.filter(
            submitted_in__isnull=True, removed_before__isnull=True
        ).update(submitted_in=number)
        # reports owns the numbers; the rows just written are the answers it scores
        store_submission_scores(
            submission, answers={row.question.code: answer_value(row) for row in written}
        )
        events.submission_submitted(
            actor=user, submission=submission, version=submission.version, snapshot=number, at=now
        )
    return SubmitResult(submission)


def submission_return(*, user, submission, reason, closes_at=None) -> Submission:
    """退回: the secretary may edit and resubmit. Every submitted version stays in the
    snapshots; the scores stay those of the latest submitted version until resubmission.

    If the branch's deadline has passed, a new deadline for that branch is required."""
    require_office(user)
    reason = reason.strip()
    if not reason:
        raise OfficeError("请填写退回原因，支部书记会看到它。")
    now = timezone.now()
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.status != Submission.Status.SUBMITTED:
            raise OfficeError("只有已提交的答卷可以退回。")
        entry = RosterEntry.objects.select_related("round").get(
            round_id=submission.round_id, branch_id=submission.branch_id
        )
        if not entry.is_open(now):
            if closes_at is None or closes_at <= now:
                raise OfficeError("该支部的填报时间已过，退回时请同时给出新的补报截止时间。")
            entry.closes_at_override = closes_at
            entry.override_reason = f"退回修改：{reason}"[:200]
            entry.save(update_fields=["closes_at_override", "override_reason"])
        submission.status = Submission.Status.RETURNED
        submission.return_reason = reason
        submission.updated_at = now
        submission.save(update_fields=["status", "return_reason", "updated_at"])
        events.submission_returned(
            actor=user,
            submission=submission,
            reason=reason,
            closes_at=local_minute(closes_at) if closes_at else None,
        )
        # A returned submission counts nowhere until it is submitted again: its unit's means
        # drop it now (and move the data version on).
        refresh_unit_scores(submission.round_id, [submission.branch.unit_id])
    return submission
