"""The writes of rectification tasks: the office sets a task, a secretary reports progress
with evidence files, checked and processed as a questionnaire answer's (surveys.evidence)."""

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone

from reports.rectification.models import RectificationTask, TaskEvidence, TaskUpdate
from surveys.audit import events
from surveys.core.permissions import require_office
from surveys.core.stored_files import purge_orphans
from surveys.evidence import files, uploads
from surveys.evidence.uploads import FilesRefused, StoredFiles

Status = RectificationTask.Status
# One report carries as many files as one answer may.
MAX_FILES_PER_REPORT = files.MAX_FILES_PER_QUESTION
LIMITS_TEXT = (
    "可上传照片（JPG、PNG、HEIC）、PDF、Word（.docx）、Excel（.xlsx）；"
    f"单个文件不超过 {files.MAX_FILE_BYTES // 1024 // 1024} MB，"
    f"每次最多 {MAX_FILES_PER_REPORT} 个文件，"
    f"每项任务合计不超过 {files.MAX_SUBMISSION_BYTES // 1024 // 1024} MB。"
)


class TaskFilesError(FilesRefused):
    """Refused evidence: one Chinese message per fault, each naming its file."""


@transaction.atomic
def create_task(
    *,
    actor,
    round_,
    unit,
    title,
    due_date,
    branch=None,
    detail="",
    dimension_code="",
    question_codes=(),
) -> RectificationTask:
    """A task for a unit (or one of its branches) from a round's results."""
    require_office(actor, "只有机关工委可以下达整改任务。")
    if branch is not None and branch.unit_id != unit.pk:
        raise ValueError("branch of another unit")
    task = RectificationTask.objects.create(
        round=round_,
        unit=unit,
        branch=branch,
        title=title,
        detail=detail,
        due_date=due_date,
        dimension_code=dimension_code,
        question_codes=list(question_codes),
        created_by=actor,
    )
    events.task_created(
        actor=actor,
        round_=round_,
        branch=branch,
        title=title,
        due_date=formats.date_format(due_date, "DATE_FORMAT"),
        unit=unit.name,
    )
    return task


def can_report(user, task) -> bool:
    """The secretary of the task's branch, or of any branch of its unit for a unit's task."""
    branch = getattr(user, "branch", None)
    if not user.is_secretary or branch is None:
        return False
    if task.branch_id is not None:
        return task.branch_id == branch.pk
    return task.unit_id == branch.unit_id


def prepare_files(sent) -> list[uploads.NamedFile]:
    """Check and process every upload (name, bytes) before anything is written: all the
    refusals at once (TaskFilesError), each naming its file, or the files ready to store."""
    return uploads.prepare_all(
        sent,
        max_files=MAX_FILES_PER_REPORT,
        too_many="每次最多上传 {max_files} 个文件，您选择了 {count} 个，请分次报告。",
        error=TaskFilesError,
    )


def report_progress(*, actor, task_id, note, status, evidence=()) -> TaskUpdate:
    """Record a progress note with its evidence (from ``prepare_files``) and move the task
    to ``status`` (整改中 or 已完成); a done task reported as in progress again is reopened.

    The files are written to storage inside the transaction that writes the rows; if
    anything fails, the rows roll back and the files just written are deleted."""
    with StoredFiles() as stored, transaction.atomic():
        task = RectificationTask.objects.select_for_update().get(pk=task_id)
        if not can_report(actor, task):
            raise PermissionDenied("只有该支部的书记可以报告整改进展。")
        if status not in (Status.IN_PROGRESS, Status.DONE):
            raise ValueError(status)
        _check_task_total(task, evidence)
        now = timezone.now()
        task.status = status
        task.completed_at = now if status == Status.DONE else None
        task.save(update_fields=["status", "completed_at"])
        events.task_reported(
            actor=actor,
            round_=task.round,
            branch=actor.branch,
            title=task.title,
            status=task.get_status_display(),
            note=note,
            files=[item.name for item in evidence],
        )
        update = TaskUpdate.objects.create(
            task=task, author=actor, at=now, note=note, status=status
        )
        for item in evidence:
            TaskEvidence.objects.create(
                update=update,
                uploaded_by=actor,
                uploaded_at=now,
                **stored.save(f"rectification/{task.pk}", item),
            )
        return update


def _check_task_total(task, evidence):
    """Every file stored for the task counts against its cap, as for one submission."""
    used = TaskEvidence.objects.filter(update__task=task).aggregate(total=Sum("size"))["total"] or 0
    adding = sum(item.prepared.size for item in evidence)
    if evidence and used + adding > files.MAX_SUBMISSION_BYTES:
        raise TaskFilesError(
            [
                f"本任务的佐证材料合计将超过 {files.MAX_SUBMISSION_BYTES // 1024 // 1024} MB"
                f"（已用 {used / 1024 / 1024:.1f} MB，本次 {adding / 1024 / 1024:.1f} MB），"
                f"{uploads.quoted_names(evidence)}没有上传。"
            ]
        )


@transaction.atomic
def delete_task(*, actor, task) -> None:
    """Withdraw a task with its reports; their files leave storage once that commits."""
    require_office(actor, "只有机关工委可以撤销整改任务。")
    events.task_withdrawn(actor=actor, round_=task.round, branch=task.branch, title=task.title)
    names = [
        name
        for pair in TaskEvidence.objects.filter(update__task=task).values_list("file", "thumbnail")
        for name in pair
        if name
    ]
    task.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def purge_orphan_files() -> int:
    """Delete stored task evidence no row points at any more (left behind when rounds or
    units were deleted wholesale and their tasks went with them, e.g. the demo reset).
    Returns how many files went."""
    return purge_orphans("rectification", TaskEvidence.objects.values_list("file", "thumbnail"))
