"""The writes of rectification tasks: the office sets a task, a secretary reports progress."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats, timezone

from reports.rectification.models import RectificationTask, TaskUpdate
from surveys.audit import events
from surveys.core.permissions import require_office

Status = RectificationTask.Status


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


@transaction.atomic
def report_progress(*, actor, task_id, note, status) -> TaskUpdate:
    """Record a progress note and move the task to ``status`` (整改中 or 已完成); a done task
    reported as in progress again is reopened."""
    task = RectificationTask.objects.select_for_update().get(pk=task_id)
    if not can_report(actor, task):
        raise PermissionDenied("只有该支部的书记可以报告整改进展。")
    if status not in (Status.IN_PROGRESS, Status.DONE):
        raise ValueError(status)
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
    )
    return TaskUpdate.objects.create(task=task, author=actor, at=now, note=note, status=status)


@transaction.atomic
def delete_task(*, actor, task) -> None:
    require_office(actor, "只有机关工委可以撤销整改任务。")
    events.task_withdrawn(actor=actor, round_=task.round, branch=task.branch, title=task.title)
    task.delete()
