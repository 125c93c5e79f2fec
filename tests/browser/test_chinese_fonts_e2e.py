"""On a machine without a Chinese font (CI's Chromium has none): the admin pages draw Chinese
in the bundled face, and bold Chinese is bold (synthesised from the one regular weight)."""

import io
import os
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from tests.browser.helpers import log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("RONGHE_SHOTS", "/tmp/shots-chinese"))


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def ink(png):
    """How many dark pixels an element's screenshot has."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return sum(image.histogram()[:128])


def test_the_admin_draws_chinese_in_the_bundled_font(live_server, wide_page):
    make_user("admin_user", is_staff=True, is_superuser=True)
    page = wide_page
    log_in(page, live_server, "admin_user")
    page.goto(live_server.url + reverse("admin:index"))
    page.wait_for_function("document.fonts.status === 'loaded'")
    used = page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('Ronghe CJK')).map(f => f.status)"
    )
    assert "loaded" in used  # the Chinese text asked for the bundled face, and got it
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "admin-index-1440.png")


def test_a_bold_chinese_heading_is_bold_with_the_bundled_font(live_server, wide_page, office):
    page = wide_page
    log_in(page, live_server, office.username)
    page.goto(live_server.url + reverse("round_close", args=[1]))  # the 405 page
    heading = page.locator("h1")
    heading.evaluate("el => { el.style.fontWeight = '700'; }")
    page.wait_for_function("document.fonts.status === 'loaded'")
    bold = heading.screenshot()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "bold-heading-1440.png")
    heading.evaluate("el => { el.style.fontWeight = '400'; }")
    regular = heading.screenshot()
    assert ink(bold) > ink(regular) * 1.15
