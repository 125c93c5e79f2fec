"""The terms page in Chromium at a phone's and a desk's width: the chart is drawn, nothing
scrolls sideways, and clicking a term lists its sentences. Screenshots go to
/tmp/shots/notice-terms/ for a person to look at."""

from pathlib import Path

import pytest
from django.conf import settings

from surveys.demo.seed import seed_demo
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/notice-terms")


@pytest.mark.parametrize("width", [390, 1440])
def test_terms_page_at_phone_and_desk_width(live_server, browser, width):
    seed_demo(seed=3)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, live_server, "office", settings.RONGHE_DEMO_PASSWORD)
        page.goto(f"{live_server.url}/reports/")  # the newest round with scores
        page.click("#terms-link")
        page.locator("h1", has_text="文字答案说了什么").wait_for()
        page.wait_for_function(
            "() => { const i = document.querySelector('img[data-chart=terms]');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"terms-{width}.png"), full_page=True)
        page.locator("#terms-table tbody a").first.click()
        page.locator("#sentences-table mark").first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(SHOTS / f"terms-sentences-{width}.png"), full_page=True)
    finally:
        context.close()
