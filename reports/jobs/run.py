"""Running one job inside the worker: status, progress and the finished file. Called only by
the task in tasks.py; every write here is one UPDATE so pollers see it at once."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from reports.jobs.kinds import KINDS, JobFailed
from reports.jobs.models import ReportJob

logger = logging.getLogger(__name__)
Status = ReportJob.Status


def file_hours():
    return timedelta(hours=settings.RONGHE_JOB_FILE_HOURS)


def failure_message(exc, failed="生成失败"):
    if isinstance(exc, JobFailed):
        return f"{failed}：{exc}"
    return (
        f"生成失败：程序出错（{type(exc).__name__}）。请点“重新生成”再试一次；"
        "如果仍然失败，请联系系统管理员查看服务器日志。"
    )


def job_fail(job_id, message):
    now = timezone.now()
    ReportJob.objects.filter(pk=job_id).update(
        status=Status.FAILED,
        error=message,
        updated_at=now,
        finished_at=now,
        expires_at=now + file_hours(),
    )


def job_run(job_id):
    """Build the job's file. A job that is gone (pruned) or no longer queued (another worker
    took it, or it was given up as interrupted) is left alone."""
    now = timezone.now()
    if not ReportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, updated_at=now
    ):
        return
    job = ReportJob.objects.select_related("round__questionnaire", "created_by").get(pk=job_id)
    kind = KINDS[job.kind]
    acting = {"user": job.created_by} if kind.needs_user else {}

    def progress(done, total):
        ReportJob.objects.filter(pk=job_id).update(
            done=min(done, total), total=total, updated_at=timezone.now()
        )

    try:
        built = kind.build(job.round, job.params, progress, **acting)
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        job_fail(job_id, failure_message(exc, kind.failed))
        raise  # the worker's own record of the task says failed too
    name = default_storage.save(
        f"jobs/{job.kind}/{job.round_id}-{uuid.uuid4().hex}{built.extension}",
        ContentFile(built.content),
    )
    now = timezone.now()
    job.refresh_from_db(fields=["total"])
    # Only if still ours: a job given up as interrupted (job_start's STALE_AFTER) whose
    # worker comes back to life must not overwrite the failure or the job started since.
    finished = ReportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
        status=Status.DONE,
        done=job.total,
        file=name,
        filename=built.filename,
        content_type=built.content_type,
        summary=built.summary,
        updated_at=now,
        finished_at=now,
        expires_at=now + file_hours(),
    )
    if not finished:
        default_storage.delete(name)
