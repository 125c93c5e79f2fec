"""Starting and pruning background jobs. A start joins a job already queued or running for
the same kind, round and parameters, and reuses a finished file of the same data version
(unless its kind does something each time, like 催报)."""

import hashlib
import json
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from reports.jobs.kinds import KINDS
from reports.jobs.models import ReportJob
from reports.jobs.run import job_fail
from reports.jobs.tasks import run_job
from reports.store import current_version
from surveys.core.permissions import require_office
from surveys.rounds.services import reminders_check

Status = ReportJob.Status
# A running job moves `updated_at` at every step (a unit of the PDF takes about a second);
# one that has not moved for this long lost its worker (restart, crash) and is given up.
STALE_AFTER = timedelta(minutes=15)
INTERRUPTED = "生成中断：后台任务进程在生成时停止了（可能是服务器重启）。请点“重新生成”。"


class UnknownKind(LookupError):
    pass


def params_key(params):
    canonical = json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _same(kind, round_, key):
    return ReportJob.objects.filter(kind=kind, round=round_, params_key=key)


def reusable(job, *, version, now):
    """A finished file of the data as it is now, not yet expired, still in the storage. A file
    built before its round closed is not reused after: the rater groups' numbers appear only
    once the round has closed, without the data version moving."""
    return (
        job is not None
        and job.status == Status.DONE
        and job.data_version == version
        and not (
            job.finished_at is not None
            and job.round.status_at(job.finished_at) != job.round.Status.CLOSED
            and job.round.status_at(now) == job.round.Status.CLOSED
        )
        and not job.expired(now)
        and bool(job.file)
        and default_storage.exists(job.file)
    )


def job_start(*, kind, round_, user, params=None) -> ReportJob:
    """The job for `kind` on `round_`: the one queued or running (joined), the finished one
    of the current data version (reused), or a new one handed to the worker."""
    require_office(user, "只有机关工委工作人员可以生成报告文件。")
    if kind not in KINDS:
        raise UnknownKind(kind)
    params = params or {}
    key = params_key(params)
    version = current_version()
    now = timezone.now()
    active = _same(kind, round_, key).filter(status__in=ReportJob.ACTIVE).first()
    if active is not None:
        if not (active.status == Status.RUNNING and active.updated_at < now - STALE_AFTER):
            return active
        job_fail(active.pk, INTERRUPTED)
    if KINDS[kind].reusable:
        latest = _same(kind, round_, key).filter(status=Status.DONE).first()
        if reusable(latest, version=version, now=now):
            return latest
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                kind=kind,
                round=round_,
                params=params,
                params_key=key,
                data_version=version,
                created_by=user,
                created_at=now,
                updated_at=now,
            )
            # In the same transaction: the worker never sees a task whose job is not
            # committed, and a job is never committed without its task.
            result = run_job.enqueue(job.pk)
            ReportJob.objects.filter(pk=job.pk).update(task_id=result.id)
    except IntegrityError:
        # A concurrent start inserted its job first: the unique constraint on active jobs
        # refused this one, and this start joins that job (or, if it has finished in
        # between, reuses or restarts it).
        joined = _same(kind, round_, key).filter(status__in=ReportJob.ACTIVE).first()
        return joined or job_start(kind=kind, round_=round_, user=user, params=params)
    job.refresh_from_db()
    return job


def reminders_start(*, user, round_, branch_ids=None) -> ReportJob:
    """催报 as a background job: refused now, without a job, if it could not be sent (not
    office, nothing ticked, no branch that can still submit); otherwise the job sending it,
    joined if the same send is already under way. `branch_ids` None is every branch."""
    reminders_check(user=user, round_=round_, branch_ids=branch_ids)
    params = {"all": True} if branch_ids is None else {"branches": sorted(set(branch_ids))}
    return job_start(kind="reminders", round_=round_, user=user, params=params)


def job_prune(*, now=None):
    """Delete the jobs whose files have expired, files first. Returns how many rows went."""
    now = now or timezone.now()
    expired = list(
        ReportJob.objects.filter(expires_at__lte=now).exclude(status__in=ReportJob.ACTIVE)
    )
    for job in expired:
        if job.file:
            default_storage.delete(job.file)
    ReportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)
