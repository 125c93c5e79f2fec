"""Secretary A reads the branch report on a 390 px phone and a 1440 px desk: every chart
shows, nothing overflows sideways, the PDF downloads; a returned task shows the reason.
Screenshots go to /tmp/shots-branch-report/."""

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.submissions.services import submission_return
from tests.browser.helpers import log_in
from tests.conftest import make_round
from tests.helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-branch-report")
CHARTS = ("radar", "items", "trend")


def _charts_drawn(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('img[data-chart]')].map(
            img => [img.dataset.chart, img.complete && img.naturalWidth > 0, img.alt.length])"""
    )


def _fits(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [390, 1440])
def test_branch_report_charts_pdf_and_returned_reason(
    browser, live_server, width, secretary_a, office, branch_a, branch_b, open_round, questionnaire
):
    SHOTS.mkdir(exist_ok=True)
    now = timezone.now()
    earlier = make_round(
        questionnaire,
        [branch_a, branch_b],
        opens_at=now - dt.timedelta(days=30),
        closes_at=now + dt.timedelta(days=14),
        name="2026年第一季度融合度测评",
    )
    latest = make_round(
        questionnaire,
        [branch_a, branch_b],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=14),
        name="2026年第三季度融合度测评",
    )
    client = Client()
    submit(client, secretary_a, earlier, questionnaire, likert="3")
    a = submit(client, secretary_a, open_round, questionnaire, likert="4")
    returned = submit(client, secretary_a, latest, questionnaire, likert="4")
    submission_return(
        user=office, submission=returned, reason="<b>第一议题</b>学习情况填写有误，请补充"
    )

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        log_in(page, live_server, secretary_a.username)
        reason = page.locator(f"#returned-{latest.pk}")
        reason.wait_for()
        assert "<b>第一议题</b>学习情况填写有误" in reason.inner_text()
        assert _fits(page)
        page.screenshot(path=str(SHOTS / f"home-{width}.png"), full_page=True)

        page.goto(live_server.url + reverse("branch_report", args=[a.pk]))
        page.locator("img[data-chart=trend]").scroll_into_view_if_needed()
        page.wait_for_function(
            "() => [...document.querySelectorAll('img[data-chart]')]"
            ".every(img => img.complete && img.naturalWidth > 0)"
        )
        drawn = _charts_drawn(page)
        assert sorted(name for name, _ok, _alt in drawn) == sorted(CHARTS)
        assert all(ok and alt > 10 for _name, ok, alt in drawn), drawn
        assert _fits(page)
        page.screenshot(path=str(SHOTS / f"report-{width}.png"), full_page=True)

        with page.expect_download() as download:
            page.click("#branch-pdf")
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF")
        assert download.value.suggested_filename.endswith(".pdf")
    finally:
        context.close()
