"""Every write of verification (考评), publication (公示) and appeal (申诉): permission, state,
optimistic lock, re-scoring — each in one transaction.

Each step is also in the audit log (surveys/audit/events.py); the rows here keep who did
what and when, and the pages show the whole chain."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from reports.store import store_submission_scores
from surveys.audit import events
from surveys.core.permissions import require_office
from surveys.core.stored_files import purge_orphans
from surveys.evidence import files, uploads
from surveys.evidence.uploads import FilesRefused, StoredFiles
from surveys.rounds.models import Round
from surveys.submissions.models import Submission
from surveys.verification.models import (
    Appeal,
    AppealEvidence,
    RoundPublication,
    Verification,
    VerifiedAnswer,
)

MAX_REASON = 1000
MAX_APPEAL = 2000
MAX_APPEAL_DAYS = 60
# An appeal points at what the office missed: a few files, not the whole archive again.
MAX_APPEAL_FILES = 5
MAX_APPEAL_BYTES = files.MAX_SUBMISSION_BYTES
APPEAL_LIMITS_TEXT = (
    "可附照片（JPG、PNG、HEIC）、PDF、Word（.docx）、Excel（.xlsx）作为佐证；"
    f"最多 {MAX_APPEAL_FILES} 个文件，单个文件不超过 {files.MAX_FILE_BYTES // 1024 // 1024} MB，"
    f"合计不超过 {MAX_APPEAL_BYTES // 1024 // 1024} MB。"
)


class VerificationError(Exception):
    """A refused write, with a message fit to show the user."""


class VerificationConflict(VerificationError):
    pass


class AppealFilesError(VerificationError, FilesRefused):
    """Refused appeal evidence: one Chinese message per fault, each naming its file."""


def prepare_appeal_files(sent) -> list[uploads.NamedFile]:
    """Check and process every upload (name, bytes) before anything is written: all the
    refusals at once (AppealFilesError), each naming its file, or the files ready to store."""
    prepared = uploads.prepare_all(
        sent,
        max_files=MAX_APPEAL_FILES,
        too_many="申诉最多附 {max_files} 个文件，您选择了 {count} 个，请精选后再提交。",
        error=AppealFilesError,
    )
    total = sum(item.prepared.size for item in prepared)
    if total > MAX_APPEAL_BYTES:
        raise AppealFilesError(
            [
                f"申诉的佐证材料合计 {total / 1024 / 1024:.1f} MB，超过 "
                f"{MAX_APPEAL_BYTES // 1024 // 1024} MB 的上限，"
                f"{uploads.quoted_names(prepared)}没有上传。"
            ]
        )
    return prepared


CONFLICT_MESSAGE = (
    "另一位工作人员刚刚保存了这份答卷的考评，本次内容没有保存，以免覆盖对方的结果。"
    "您填写的内容仍保留在下方；请对照最新的考评结果核对后再次保存。"
)


def _locked_round_publication(round_id):
    publication, _created = RoundPublication.objects.select_for_update().get_or_create(
        round_id=round_id
    )
    return publication


def _check_unlocked(publication, now):
    if publication.results_locked(now):
        raise VerificationError(
            "本批次的考评结果已锁定（申诉期已结束或申诉均已处理），不能再修改。"
        )


def _apply(*, user, submission, verification, changes, now):
    """Write `changes` (question -> (value, reason) or None to clear) into the verification,
    bump its version and re-score the submission with its verified values."""
    for question, change in changes.items():
        if change is None:
            VerifiedAnswer.objects.filter(verification=verification, question=question).delete()
            continue
        value, reason = change[0], change[1].strip()[:MAX_REASON]
        VerifiedAnswer.objects.update_or_create(
            verification=verification,
            question=question,
            defaults={"value": value, "reason": reason, "verified_at": now, "verified_by": user},
        )
    verification.version += 1
    verification.updated_at = now
    verification.updated_by = user
    verification.save(update_fields=["version", "updated_at", "updated_by"])
    verified = dict(verification.items.values_list("question__code", "value"))
    store_submission_scores(submission, verified=verified)


def _locked_submission(submission_id):
    submission = (
        Submission.objects.select_for_update()
        .select_related("round__questionnaire", "branch")
        .get(pk=submission_id)
    )
    if submission.status != Submission.Status.SUBMITTED:
        raise VerificationError("只有已提交的答卷可以考评；这份答卷已被退回或尚未提交。")
    return submission


def verification_save(*, user, submission, changes: dict, version: int) -> Verification:
    """The office's verified values for the current submitted version. `changes` maps a
    Question to (value, reason) — the value as JSON, the reason required — or to None to
    drop a verified value. `version` is the review's version when the form was opened; a
    save by someone else since then is refused (VerificationConflict) and nothing is lost."""
    require_office(user)
    now = timezone.now()
    with transaction.atomic():
        submission = _locked_submission(submission.pk)
        publication = _locked_round_publication(submission.round_id)
        _check_unlocked(publication, now)
        for question, change in changes.items():
            if change is not None and not change[1].strip():
                raise VerificationError(f"请填写第 {question.code} 题的考评依据。")
        number = submission.snapshots.count()
        verification, _created = Verification.objects.select_for_update().get_or_create(
            submission=submission, number=number
        )
        if verification.version != version:
            raise VerificationConflict(CONFLICT_MESSAGE)
        _apply(
            user=user, submission=submission, verification=verification, changes=changes, now=now
        )
        events.submission_verified(
            actor=user,
            submission=submission,
            changes={
                q.code: "（撤销考评值）" if change is None else change[0]
                for q, change in changes.items()
            },
            reasons=[f"{q.code}：{change[1].strip()}" for q, change in changes.items() if change],
        )
    return verification


def round_publish(*, user, round_: Round, appeal_days: int, overclaim_margin: float):
    """公示: the branches see their verified scores and may appeal for `appeal_days` days."""
    require_office(user)
    if not 1 <= appeal_days <= MAX_APPEAL_DAYS:
        raise VerificationError(f"申诉期请填写 1 至 {MAX_APPEAL_DAYS} 天。")
    if not 0 <= overclaim_margin <= 100:
        raise VerificationError("自评偏高阈值请填写 0 至 100 之间的分数。")
    now = timezone.now()
    with transaction.atomic():
        publication = _locked_round_publication(round_.pk)
        if publication.published_at is not None:
            raise VerificationError("本批次的考评结果已经公示过了。")
        publication.published_at = now
        publication.published_by = user
        publication.appeal_days = appeal_days
        publication.overclaim_margin = overclaim_margin
        publication.save()
        events.round_published(
            actor=user, round_=round_, appeal_days=appeal_days, margin=overclaim_margin
        )
    return publication


def appeal_lodge(*, user, submission, text: str, evidence=()) -> Appeal:
    """申诉: the branch's secretary, once per submission, within the appeal window, with
    evidence files already checked by ``prepare_appeal_files``.

    The files are written to storage inside the transaction that writes the rows; if
    anything fails, the rows roll back and the files just written are deleted."""
    if not (user.is_secretary and user.branch_id == submission.branch_id):
        raise VerificationError("只有本支部的支部书记可以对本支部的考评结果提出申诉。")
    text = text.strip()
    if not text:
        raise VerificationError("请写明申诉理由。")
    if len(text) > MAX_APPEAL:
        raise VerificationError(f"申诉理由请不超过 {MAX_APPEAL} 字（现在 {len(text)} 字）。")
    evidence = list(evidence)
    if len(evidence) > MAX_APPEAL_FILES:
        raise AppealFilesError([f"申诉最多附 {MAX_APPEAL_FILES} 个文件。"])
    now = timezone.now()
    with StoredFiles() as stored, transaction.atomic():
        submission = _locked_submission(submission.pk)
        publication = RoundPublication.objects.filter(round_id=submission.round_id).first()
        if publication is None or publication.published_at is None:
            raise VerificationError("考评结果尚未公示，公示后才能申诉。")
        if not publication.appeals_open(now):
            raise VerificationError("申诉期已结束，不能再提出申诉。")
        if Appeal.objects.filter(submission=submission).exists():
            raise VerificationError("每份答卷只能申诉一次，您已经提出过申诉。")
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    submission=submission,
                    number=submission.snapshots.count(),
                    text=text,
                    lodged_at=now,
                    lodged_by=user,
                )
        except IntegrityError as error:
            raise VerificationError("每份答卷只能申诉一次，您已经提出过申诉。") from error
        for item in evidence:
            AppealEvidence.objects.create(
                appeal=appeal,
                uploaded_by=user,
                uploaded_at=now,
                **stored.save(f"appeals/{appeal.pk}", item),
            )
        events.appeal_lodged(
            actor=user,
            submission=submission,
            text=text,
            files=[item.name for item in evidence],
        )
    return appeal


def appeal_decide(*, user, appeal, decision: str, reason: str, question=None, value=None):
    """维持 or 调整 with a reason. 调整 sets the verified value of one item and re-scores in
    the same transaction."""
    require_office(user)
    reason = reason.strip()
    if not reason:
        raise VerificationError("请填写处理理由，支部书记会看到它。")
    if len(reason) > MAX_REASON:
        raise VerificationError(f"处理理由请不超过 {MAX_REASON} 字。")
    if decision not in (Appeal.Status.UPHELD, Appeal.Status.ADJUSTED):
        raise VerificationError("请选择维持或调整。")
    if decision == Appeal.Status.ADJUSTED and (question is None or value is None):
        raise VerificationError("调整时请选择要调整的题目并填写调整后的考评值。")
    now = timezone.now()
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.status != Appeal.Status.OPEN:
            raise VerificationError("这条申诉已经处理过了。")
        if decision == Appeal.Status.ADJUSTED:
            submission = _locked_submission(appeal.submission_id)
            verification, _created = Verification.objects.select_for_update().get_or_create(
                submission=submission, number=submission.snapshots.count()
            )
            _apply(
                user=user,
                submission=submission,
                verification=verification,
                changes={question: (value, f"申诉调整：{reason}")},
                now=now,
            )
        appeal.status = decision
        appeal.decision_reason = reason
        appeal.decided_at = now
        appeal.decided_by = user
        appeal.save(update_fields=["status", "decision_reason", "decided_at", "decided_by"])
        events.appeal_decided(
            actor=user,
            submission=appeal.submission,
            decision=appeal.get_status_display(),
            reason=reason,
            item=question.code if decision == Appeal.Status.ADJUSTED else None,
        )
    return appeal


def appeal_purge_orphans() -> int:
    """Delete stored appeal evidence no row points at any more (left behind when rounds or
    submissions were deleted wholesale and their appeals went with them, e.g. the demo
    reset). Returns how many files went."""
    return purge_orphans("appeals", AppealEvidence.objects.values_list("file", "thumbnail"))
