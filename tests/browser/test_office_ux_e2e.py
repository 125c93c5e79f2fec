"""The office's pages in Chromium: the 退回 form checks the reason before it asks to
confirm; long office tables keep names on one line on a phone."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.organisation.models import Branch, User
from surveys.submissions.models import Submission
from tests.browser.helpers import log_in
from tests.conftest import make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_return_asks_to_confirm_only_once_a_reason_is_given(
    live_server, desk_page, office, secretary_a, open_round
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

    def steps(page):
        page.on("dialog", answer)
        log_in(page, live_server, office.username)
        page.goto(live_server.url + reverse("submission_return", args=[submission.pk]))

        page.fill("textarea[name=reason]", "   ")
        page.click("#return-form button[type=submit]")
        page.get_by_text("请填写退回原因，支部书记会看到它。").wait_for()
        assert dialogs == []
        assert page.evaluate("document.activeElement.name") == "reason"
        assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SUBMITTED

        page.fill("textarea[name=reason]", "第一议题情况填写有误")
        page.click("#return-form button[type=submit]")
        # The app's own dialog asks (not the browser's window.confirm).
        page.locator("#confirm-dialog").get_by_text("确认退回这份答卷？").wait_for()
        page.click("#confirm-dialog-ok")
        page.get_by_text("答卷退回修改").wait_for()

    steps(desk_page)
    assert dialogs == []
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED


def one_line(locator):
    """Whether an element's text fits one line (two at most for a wrapping badge)."""
    return locator.evaluate(
        "el => el.getBoundingClientRect().height"
        " < 2 * parseFloat(getComputedStyle(el).lineHeight || 24) + 8"
    )


def test_long_office_tables_keep_names_on_one_line_on_a_phone(
    live_server, phone_page, office, questionnaire, unit_a
):
    names = [f"县人力资源和社会保障局机关第{i}党支部" for i in range(1, 13)]
    branches = [
        Branch.objects.create(unit=unit_a, code=f"U-A-{i:02d}", name=name)
        for i, name in enumerate(names, start=1)
    ]
    for i, branch in enumerate(branches):
        User.objects.create(
            username=f"s_{i:02d}",
            role=User.Role.SECRETARY,
            branch=branch,
            last_name="欧阳",
            first_name="晓明",
            phone=f"138000000{i:02d}",
        )
    now = timezone.now()
    round_ = make_round(
        questionnaire,
        branches,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=7),
    )

    def steps(page):
        log_in(page, live_server, office.username)
        page.goto(live_server.url + reverse("office_round", args=[round_.pk]))
        first = page.locator("#pending-table tbody tr").first
        # Whom to call is on screen without scrolling sideways.
        call = first.locator("a[href^='tel:']:visible")
        assert call.count() == 1 and call.bounding_box()["x"] + call.bounding_box()["width"] < 390
        for cell in range(1, 5):  # unit, branch, secretary, phone
            assert one_line(first.locator("td").nth(cell))
        assert page.locator("#pending-more").is_hidden()
        page.click("#pending-toggle")
        page.locator("#pending-more tr").last.wait_for(state="visible")
        assert page.locator("#pending-toggle").inner_text() == "收起"
        assert one_line(page.locator("#roster-table tbody tr").first.locator("td").nth(1))

        page.goto(live_server.url + reverse("people"))
        row = page.locator("#branch-U-A-01")
        assert one_line(row.locator("td").nth(1)) and one_line(row.locator("td").nth(3))
        # Twelve branches read as twelve rows, not a column of single characters.
        assert page.evaluate("document.documentElement.scrollHeight") < 2000

    steps(phone_page)
