"""The office downloads the 通报 from the dashboard in Chromium and gets a Word file that
opens, with the dashboard's county index in it."""

import io

import pytest
from django.conf import settings
from docx import Document

from surveys.demo.seed import seed_demo
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_the_notice_from_the_dashboard(live_server, desk_page):
    seed_demo(seed=3)
    page = desk_page
    log_in(page, live_server, "office", settings.RONGHE_DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    county_index = page.locator("#county-index").inner_text().strip()
    # Built in the request for now: on a busy machine that may take a while.
    with page.expect_download(timeout=90_000) as download:
        page.click("#notice-link", no_wait_after=True)
    assert download.value.suggested_filename.endswith("融合度测评通报.docx")
    document = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    assert any(f"全县融合度指数为 {county_index}" in p.text for p in document.paragraphs)
