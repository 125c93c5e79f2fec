"""A large round's workbook is built by a background job (kind round_xlsx); a small one is
sent at once as before. The job's file is the same workbook."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.exports import views as export_views
from reports.jobs.models import ReportJob
from tests.helpers import submit

pytestmark = pytest.mark.django_db
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def scored(client, secretary_a, secretary_b, open_round, questionnaire):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    return open_round


def sheets(content):
    return load_workbook(io.BytesIO(content)).sheetnames


def test_a_small_round_is_sent_at_once(client, office, scored):
    client.force_login(office)
    response = client.get(reverse("export_round_xlsx", args=[scored.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ReportJob.objects.exists()


def test_a_large_round_goes_through_a_job_with_the_same_workbook(
    client, office, scored, monkeypatch, settings
):
    client.force_login(office)
    direct = client.get(reverse("export_round_xlsx", args=[scored.pk])).content
    monkeypatch.setattr(export_views, "LARGE_ROUND", 1)
    # Tasks run at once here: the job is done and its file is sent.
    response = client.get(reverse("export_round_xlsx", args=[scored.pk]))
    job = ReportJob.objects.get()
    assert (job.kind, job.status) == ("round_xlsx", ReportJob.Status.DONE)
    assert sheets(
        b"".join(response.streaming_content) if response.streaming else response.content
    ) == sheets(direct)
    # With a real queue the office is sent to the job page and a second click joins it.
    ReportJob.objects.all().delete()
    settings.TASKS = DB_QUEUE
    first = client.get(reverse("export_round_xlsx", args=[scored.pk]))
    second = client.get(reverse("export_round_xlsx", args=[scored.pk]))
    job = ReportJob.objects.get()
    assert first.url == second.url == reverse("job_detail", args=[job.pk])
    assert "全批次数据 Excel" in client.get(first.url).content.decode()
