"""Writes to evidence files: attach one to an answer, remove one. Each checks who may and
whether the submission is still editable, inside one transaction with the row.

The file is written to storage before the row; if anything after that fails, the
transaction rolls back and the files just written are deleted, so a failure half-way leaves
neither an orphan file nor a half-written row. A removed file leaves storage only after the
removal commits."""

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from surveys.audit import events
from surveys.core.stored_files import purge_orphans
from surveys.evidence import files
from surveys.evidence.files import EvidenceFileError
from surveys.evidence.models import Evidence
from surveys.evidence.uploads import NamedFile, StoredFiles
from surveys.submissions.services import NotAllowed, submission_for_attachments

__all__ = [
    "EvidenceFileError",
    "NotAllowed",
    "evidence_add",
    "evidence_purge_orphans",
    "evidence_remove",
]


def evidence_add(*, entry, user, question, name, content) -> Evidence:
    """Attach one uploaded file (`content`: its bytes) to the answer to `question`."""
    if question.questionnaire_id != entry.round.questionnaire_id or not question.takes_evidence:
        raise EvidenceFileError("该题目不需要上传佐证材料。")
    prepared = files.prepare(name, content)  # refuses before anything is locked or written
    with StoredFiles() as stored, transaction.atomic():
        submission = submission_for_attachments(entry=entry, user=user, now=timezone.now())
        current = submission.evidence_files.filter(removed_before__isnull=True)
        if current.filter(question=question).count() >= files.MAX_FILES_PER_QUESTION:
            raise EvidenceFileError(
                f"本题已有 {files.MAX_FILES_PER_QUESTION} 个文件，达到上限，"
                f"“{files.display_name(name)}”没有上传。"
            )
        # Every file still stored for the submission counts, removed ones of submitted
        # versions included: they stay for those versions.
        used = submission.evidence_files.aggregate(total=Sum("size"))["total"] or 0
        if used + prepared.size > files.MAX_SUBMISSION_BYTES:
            raise EvidenceFileError(
                f"本答卷的佐证材料合计将超过 {files.MAX_SUBMISSION_BYTES // 1024 // 1024} MB"
                f"（已用 {used / 1024 / 1024:.1f} MB），“{files.display_name(name)}”没有上传。"
            )
        evidence = Evidence.objects.create(
            submission=submission,
            question=question,
            uploaded_by=user,
            **stored.save(
                f"evidence/{submission.round_id}", NamedFile(files.display_name(name), prepared)
            ),
        )
        events.evidence_added(
            actor=user, submission=submission, item=question.code, file=evidence.original_name
        )
        return evidence


def evidence_remove(*, user, evidence) -> None:
    """Take a file off the answer. A file some submitted version carried stays for that
    version; any other file is deleted from storage once the removal commits."""
    with transaction.atomic():
        entry = evidence.submission.round.roster.select_related("round").get(
            branch_id=evidence.submission.branch_id
        )
        submission = submission_for_attachments(entry=entry, user=user, now=timezone.now())
        evidence = Evidence.objects.select_for_update().get(
            pk=evidence.pk, submission=submission, removed_before__isnull=True
        )
        events.evidence_removed(
            actor=user,
            submission=submission,
            item=evidence.question.code,
            file=evidence.original_name,
        )
        if evidence.submitted_in is not None:
            evidence.removed_before = submission.snapshots.count() + 1
            evidence.save(update_fields=["removed_before"])
            return
        names = [n for n in (evidence.file.name, evidence.thumbnail.name) if n]
        evidence.delete()
        transaction.on_commit(lambda: [default_storage.delete(n) for n in names])


def evidence_purge_orphans() -> int:
    """Delete stored evidence files no row points at any more (left behind when submissions
    were deleted wholesale, e.g. the demo reset). Returns how many files went."""
    return purge_orphans("evidence", Evidence.objects.values_list("file", "thumbnail"))
