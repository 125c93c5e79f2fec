"""The whole-round PDF as a background job: start, progress, join, reuse, failure and retry,
expiry, and who may see it. Tasks run at once (ImmediateBackend) unless a test says the
database queue."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports.jobs import kinds
from reports.jobs.models import ReportJob
from reports.jobs.services import job_start
from tests.conftest import NOW
from tests.helpers import run_concurrently, submit

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def scored(client, secretary_a, secretary_b, open_round, questionnaire):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    client.logout()
    return open_round


def start(client, round_):
    return client.post(reverse("round_job_start", args=[round_.pk, "round_pdf"]))


def only_job():
    (job,) = ReportJob.objects.all()
    return job


@pytest.mark.django_db
def test_office_starts_the_job_and_downloads_the_pdf(client, office, scored):
    client.force_login(office)
    page = client.get(reverse("round_job", args=[scored.pk, "round_pdf"]))
    assert "生成全批次 PDF" in page.content.decode()
    response = start(client, scored)
    job = only_job()
    assert response.status_code == 302 and response["Location"] == reverse(
        "job_detail", args=[job.pk]
    )
    assert job.status == ReportJob.Status.DONE and job.created_by == office
    # Cover + two units, counted as it went.
    assert (job.done, job.total) == (3, 3)
    assert job.expires_at == job.finished_at + dt.timedelta(hours=24)
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and reverse("job_file", args=[job.pk]) in page
    pdf = client.get(reverse("job_file", args=[job.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment;" in pdf["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "县水利局党建与业务融合度测评报告" in text and "县财政局党建与业务融合度测评报告" in text


@pytest.mark.django_db
def test_the_old_link_serves_a_fresh_file_without_building_again(client, office, scored):
    client.force_login(office)
    first = client.get(reverse("export_round_pdf", args=[scored.pk]))
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    again = client.get(reverse("export_round_pdf", args=[scored.pk]))
    assert again.content == first.content
    assert ReportJob.objects.count() == 1  # the same data version: the file is reused


@pytest.mark.django_db
def test_new_data_builds_a_new_file_and_the_page_says_the_old_one_is_outdated(
    client, office, scored, secretary_a, questionnaire
):
    client.force_login(office)
    start(client, scored)
    old = only_job()
    scored.name = "2026年第二轮（更正）"
    scored.save()  # names shown in the PDF move the data version on
    page = client.get(reverse("job_detail", args=[old.pk])).content.decode()
    assert "按最新数据重新生成" in page
    start(client, scored)
    assert ReportJob.objects.count() == 2
    assert ReportJob.objects.first().data_version > old.data_version


@pytest.mark.django_db
def test_a_second_start_while_queued_joins_the_first(client, office, scored, settings):
    settings.TASKS = DB_QUEUE
    client.force_login(office)
    first = start(client, scored)
    second = start(client, scored)
    job = only_job()
    assert first["Location"] == second["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == ReportJob.Status.QUEUED and job.task_id
    page = client.get(first["Location"]).content.decode()
    assert "排队中" in page and 'data-job-status="queued"' in page
    assert 'http-equiv="refresh"' in page  # inside <noscript>: the no-JS fallback
    status = client.get(reverse("job_status", args=[job.pk])).json()
    assert status["status"] == "queued" and status["file_url"] is None


@pytest.mark.django_db
def test_a_job_whose_worker_stopped_is_given_up_on_the_next_start(client, office, scored, settings):
    settings.TASKS = DB_QUEUE
    client.force_login(office)
    with time_machine.travel(NOW, tick=False):
        start(client, scored)
        stuck = only_job()
        ReportJob.objects.filter(pk=stuck.pk).update(status="running", done=1, total=3)
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        start(client, scored)  # still moving recently: joined
        assert ReportJob.objects.count() == 1
    with time_machine.travel(NOW + dt.timedelta(minutes=20), tick=False):
        response = start(client, scored)
    stuck.refresh_from_db()
    assert stuck.status == ReportJob.Status.FAILED and "生成中断" in stuck.error
    fresh = ReportJob.objects.first()
    assert fresh.pk != stuck.pk and fresh.status == ReportJob.Status.QUEUED
    assert response["Location"] == reverse("job_detail", args=[fresh.pk])


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections
def test_the_worker_runs_a_queued_job(client, office, scored, settings):
    settings.TASKS = DB_QUEUE
    client.force_login(office)
    start(client, scored)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job = only_job()
    assert job.status == ReportJob.Status.DONE and default_storage.exists(job.file)
    status = client.get(reverse("job_status", args=[job.pk])).json()
    assert status["file_url"] == reverse("job_file", args=[job.pk])
    assert (status["done"], status["total"], status["percent"]) == (3, 3, 100)


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_moment_make_one_job(office, scored, settings):
    settings.TASKS = DB_QUEUE
    outcomes = run_concurrently(
        [lambda: job_start(kind="round_pdf", round_=scored, user=office).pk] * 2
    )
    assert outcomes[0] == outcomes[1] and isinstance(outcomes[0], int), outcomes
    assert ReportJob.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_job_says_why_and_can_be_retried(client, office, scored, monkeypatch):
    def broken(round_, params, progress):
        progress(0, 3)
        raise kinds.JobFailed("名单上的单位数据不完整。")

    real = kinds.KINDS["round_pdf"]
    monkeypatch.setitem(
        kinds.KINDS, "round_pdf", kinds.Kind("round_pdf", real.label, real.step, broken)
    )
    client.force_login(office)
    response = start(client, scored)
    job = only_job()
    assert job.status == ReportJob.Status.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "生成失败" in page and "名单上的单位数据不完整。" in page and "重新生成" in page
    assert client.get(reverse("job_file", args=[job.pk])).status_code == 404

    monkeypatch.setitem(kinds.KINDS, "round_pdf", real)
    retry = start(client, scored)
    assert ReportJob.objects.count() == 2
    retried = ReportJob.objects.first()
    assert retried.status == ReportJob.Status.DONE
    assert retry["Location"] == reverse("job_detail", args=[retried.pk])


@pytest.mark.django_db
def test_a_program_error_is_reported_in_chinese_without_the_traceback(
    client, office, scored, monkeypatch
):
    def crash(round_, params, progress):
        raise ZeroDivisionError("division by zero")

    real = kinds.KINDS["round_pdf"]
    monkeypatch.setitem(
        kinds.KINDS, "round_pdf", kinds.Kind("round_pdf", real.label, real.step, crash)
    )
    client.force_login(office)
    start(client, scored)
    error = only_job().error
    assert "程序出错" in error and "重新生成" in error and "division" not in error


@pytest.mark.django_db
def test_expired_files_and_rows_are_pruned(client, office, scored):
    with time_machine.travel(NOW, tick=False):
        client.force_login(office)
        start(client, scored)
        job = only_job()
        assert default_storage.exists(job.file)
    with time_machine.travel(NOW + dt.timedelta(hours=23), tick=False):
        call_command("prune_jobs")
        assert ReportJob.objects.count() == 1
    with time_machine.travel(NOW + dt.timedelta(hours=25), tick=False):
        client.force_login(office)  # the session of a day ago has ended
        page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
        assert "已过期" in page
        assert client.get(reverse("job_file", args=[job.pk])).status_code == 404
        call_command("prune_jobs")
    assert not ReportJob.objects.exists()
    assert not default_storage.exists(job.file)


# --- access ---------------------------------------------------------------------------------


def job_urls(job):
    return [
        reverse("round_job", args=[job.round_id, "round_pdf"]),
        reverse("job_detail", args=[job.pk]),
        reverse("job_status", args=[job.pk]),
        reverse("job_file", args=[job.pk]),
    ]


@pytest.fixture
def finished(client, office, scored):
    client.force_login(office)
    start(client, scored)
    client.logout()
    return only_job()


@pytest.mark.django_db
def test_secretaries_are_refused_every_job_url(client, secretary_a, finished):
    client.force_login(secretary_a)
    for url in job_urls(finished):
        assert client.get(url).status_code == 403, url
    assert start(client, finished.round).status_code == 403
    assert ReportJob.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, finished):
    for url in [
        *job_urls(finished),
        reverse("round_job_start", args=[finished.round_id, "round_pdf"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login"), url


@pytest.mark.django_db
def test_unknown_jobs_and_kinds_are_404_for_the_office(client, office, finished):
    client.force_login(office)
    assert client.get(reverse("job_detail", args=[finished.pk + 99])).status_code == 404
    assert client.get(reverse("job_status", args=[finished.pk + 99])).status_code == 404
    assert client.get(reverse("job_file", args=[finished.pk + 99])).status_code == 404
    assert client.get(reverse("round_job", args=[finished.round_id, "nope"])).status_code == 404
    assert (
        client.get(reverse("round_job", args=[finished.round_id + 99, "round_pdf"])).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_files_are_not_under_a_public_url(client, office, finished, settings):
    assert finished.file.startswith("jobs/round_pdf/")
    assert len(finished.file.rsplit("-", 1)[-1]) >= 32  # a random name, never guessable
    client.force_login(office)
    for url in (
        f"/{finished.file}",
        f"{settings.MEDIA_URL}{finished.file}",
        f"/media/{finished.file}",
    ):
        assert client.get(url).status_code == 404, url


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_status_endpoint_and_the_page_take_a_fixed_number_of_queries(
    client, office, finished, django_assert_num_queries
):
    client.force_login(office)
    with django_assert_num_queries(3):  # session, user, the job
        client.get(reverse("job_status", args=[finished.pk]))
    with django_assert_num_queries(4):  # session, user, the job with its round, data version
        client.get(reverse("job_detail", args=[finished.pk]))
    with django_assert_num_queries(5):  # session, user, round, its latest job, data version
        client.get(reverse("round_job", args=[finished.round_id, "round_pdf"]))


@pytest.mark.django_db
def test_a_file_built_before_the_round_closed_is_not_reused_after(client, office, scored):
    """The rater groups' numbers appear in the PDF once the round has closed, without the
    data version moving: a file from before the close is built again (well within its
    24 hours: it is not expiry that makes the second job)."""
    scored.closes_at = timezone.now() + dt.timedelta(minutes=30)
    scored.save(update_fields=["closes_at"])
    client.force_login(office)
    start(client, scored)
    assert only_job().status == ReportJob.Status.DONE
    start(client, scored)
    assert ReportJob.objects.count() == 1  # still open: the file is reused
    with time_machine.travel(scored.closes_at + dt.timedelta(minutes=1)):
        assert start(client, scored).status_code == 302
    assert ReportJob.objects.count() == 2
