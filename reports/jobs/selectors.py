"""The reads of the job pages: one query each."""

from reports.jobs.models import ReportJob


def job_detail(job_id):
    return ReportJob.objects.select_related("round", "created_by").filter(pk=job_id).first()


def latest_job(kind, round_):
    return ReportJob.objects.select_related("created_by").filter(kind=kind, round=round_).first()


def job_status(job_id):
    """The polled status: the job's own row only."""
    return ReportJob.objects.filter(pk=job_id).first()
