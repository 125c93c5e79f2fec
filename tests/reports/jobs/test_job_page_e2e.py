"""The office watches the whole-round PDF being built: the page polls the job, moves the bar,
and offers the file when the worker has finished; at 390 px and 1440 px."""

from pathlib import Path

import pytest
from django.core.management import call_command

from reports.jobs.models import ReportJob
from tests.browser.helpers import log_in
from tests.helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/jobs")
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.parametrize("width", [390, 1440])
def test_the_page_follows_the_job_and_offers_the_file(
    browser,
    live_server,
    settings,
    client,
    office,
    secretary_a,
    secretary_b,
    open_round,
    questionnaire,
    width,
):
    settings.TASKS = DB_QUEUE  # a real queue: the job waits for the worker
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": width, "height": 844}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, office.username)
        page.goto(f"{live_server.url}/reports/rounds/{open_round.pk}/reports.pdf")
        page.get_by_text("排队中：等待后台任务进程开始生成").wait_for()
        job = ReportJob.objects.get()
        # Another click joins the same job.
        page.goto(f"{live_server.url}/reports/rounds/{open_round.pk}/jobs/round_pdf/")
        page.get_by_text("排队中").first.wait_for()
        assert ReportJob.objects.count() == 1

        # The worker reports a step: the bar moves without a reload.
        ReportJob.objects.filter(pk=job.pk).update(done=1, total=3)
        page.get_by_text("已完成 1 / 3").wait_for()
        assert page.locator("[data-job-bar]").get_attribute("aria-valuenow") == "33"
        assert "w-pct-33" in page.locator("[data-job-bar] .progress-bar").get_attribute("class")
        page.screenshot(path=SHOTS / f"job-running-{width}.png", full_page=True)

        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
        download = page.get_by_role("link", name="下载全批次 PDF")
        download.wait_for()  # the page reloaded itself when the job finished
        page.screenshot(path=SHOTS / f"job-done-{width}.png", full_page=True)
        with page.expect_download() as info:
            download.click()
        assert info.value.suggested_filename.endswith("各单位融合度测评报告.pdf")
    finally:
        context.close()
