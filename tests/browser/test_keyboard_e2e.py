"""Keyboard use: the red buttons show where focus is, and Enter in a number box on the
questionnaire does not post the form (a phone keyboard's 前往 key sends Enter)."""

import pytest

from surveys.submissions.models import Submission
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_party_red_button_shows_a_focus_ring(live_server, desk_page):
    page = desk_page
    page.goto(f"{live_server.url}/login/")
    button = page.locator("button.btn-ronghe")
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    assert page.evaluate("document.activeElement.classList.contains('btn-ronghe')")
    assert button.evaluate("el => getComputedStyle(el).boxShadow") != "none"


def test_enter_in_a_number_box_neither_saves_nor_jumps(
    live_server, phone_page, secretary_a, open_round
):
    page = phone_page
    log_in(page, live_server, secretary_a.username)
    page.goto(f"{live_server.url}/rounds/{open_round.pk}/questionnaire/")
    number = page.locator("input[type=number]").first
    number.fill("3")
    number.press("Enter")
    page.wait_for_timeout(500)
    assert "/questionnaire/" in page.url and not Submission.objects.exists()
    assert page.evaluate("window.scrollY") > 0, "the page stays where the secretary was"
    assert number.input_value() == "3"
