"""The office's pages in Chromium: the 退回 form checks the reason before it asks to
confirm; long office tables keep names on one line on a phone."""

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Submission
from tests.browser import conftest as browser_fixtures
from tests.conftest import PASSWORD

# Chromium as tests/browser drives it (those fixtures live in that directory's conftest).
browser = browser_fixtures.browser
desk_page = browser_fixtures.desk_page
phone_page = browser_fixtures.phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_return_asks_to_confirm_only_once_a_reason_is_given(
    live_server,
    desk_page,
    office,
    secretary_a,
    open_round,
):
    submission = Submission.objects.create(
        round=open_round,
        branch=secretary_a.branch,
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=secretary_a,
    )
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page = desk_page
    page.on("dialog", answer)
    log_in(page, live_server, office)
    page.goto(live_server.url + reverse("submission_return", args=[submission.pk]))

    page.fill("textarea[name=reason]", "   ")
    page.click("#return-form button[type=submit]")
    page.get_by_text("请填写退回原因，支部书记会看到它。").wait_for()
    assert dialogs == []
    assert page.evaluate("document.activeElement.name") == "reason"
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED

    page.fill("textarea[name=reason]", "第一议题情况填写有误")
    page.click("#return-form button[type=submit]")
    page.get_by_text("答卷退回修改").wait_for()
    assert dialogs == ["确认退回这份答卷？"]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
