"""The background task every job kind runs through (django-tasks; `manage.py db_worker`)."""

from django_tasks import task

from reports.jobs.run import job_run


@task()
def run_job(job_id):
    job_run(job_id)
