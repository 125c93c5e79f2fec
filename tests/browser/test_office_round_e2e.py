"""The office at a desk creates a round and sends reminders (催报)."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from surveys.demo.seed import seed_demo
from surveys.rounds.models import Reminder, Round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_creates_a_round_and_sends_reminders(live_server, desk_page):
    seed_demo(seed=4)
    page = desk_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", settings.RONGHE_DEMO_PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/office/")
    page.click("#new-round")
    now = timezone.localtime()
    page.fill("input[name=name]", "2027年第一季度融合度测评")
    page.fill("input[name=opens_at]", (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=closes_at]", (now + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
    page.click("#round-save")
    page.get_by_text("已创建测评批次").wait_for()
    round_ = Round.objects.get(name="2027年第一季度融合度测评")
    assert round_.roster.count() == 60
    assert page.locator("#round-status").inner_text() == "进行中"

    page.click("#remind-all")
    page.click("#confirm-dialog-ok")  # the app's own confirmation before sending
    page.get_by_text("已向 60 个支部发出催报：").wait_for()  # on the reminder job's page
    assert Reminder.objects.filter(round=round_).count() == 60
    page.click("#back-to-round")
    assert page.locator("#reminder-log li").count() == 50  # the newest 50 are listed

    page.click("#remind-all")
    page.click("#confirm-dialog-ok")  # the app's own confirmation before sending
    page.get_by_text("24 小时内已催报过").wait_for()
    assert Reminder.objects.filter(round=round_).count() == 60
