"""A demo secretary on a phone: log in, fill in, save a draft, reload, submit, read."""

import pytest
from django.conf import settings
from django.utils import timezone

from surveys.demo import seed_demo
from surveys.models import RosterEntry, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_task_without_submission():
    now = timezone.now()
    entries = RosterEntry.objects.filter(round__opens_at__lte=now, round__closes_at__gt=now)
    for entry in entries.select_related("branch"):
        if not Submission.objects.filter(round=entry.round, branch=entry.branch).exists():
            return entry
    raise AssertionError("the demo county has no open task left to fill in")


def test_secretary_fills_saves_reloads_and_submits(live_server, phone_page, tmp_path):
    seed_demo(seed=11)
    entry = open_task_without_submission()
    secretary = entry.branch.secretaries.get()
    page = phone_page

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", secretary.username)
    page.fill("input[name=password]", settings.RONGHE_DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.locator("h1", has_text="我的测评任务").wait_for()
    page.click(f"a[href='/rounds/{entry.round_id}/questionnaire/']")
    page.locator("#questionnaire-form").wait_for()

    rows = page.locator("tr.question")
    assert rows.count() >= 18
    for i in range(rows.count()):
        rows.nth(i).locator("input[type=radio][value='4']").check()
    numbers = page.locator("input[type=number]")
    for i in range(numbers.count()):
        numbers.nth(i).fill("3")
    for radio in page.locator("div.question input[type=radio][value='1']").all():
        radio.check()
    page.locator("textarea").first.fill("党建+N：支部与项目所在村党支部联建。")
    assert page.locator("#missing-count").inner_text() == "0"

    page.click("#save-button")
    page.get_by_text("草稿已保存").wait_for()
    page.reload()
    assert page.locator("tr.question").first.locator("input[value='4']").is_checked()
    assert "联建" in page.locator("textarea").first.input_value()
    page.screenshot(path=str(tmp_path / "questionnaire-phone.png"), full_page=False)

    page.click("#submit-button")
    page.locator("#confirm-submit-button").click()
    page.locator("#submission-status").wait_for()
    status = page.locator("#submission-status").inner_text()
    assert "只读" in status and "提交" in status
    assert Submission.objects.get(round=entry.round, branch=entry.branch).status == "submitted"
