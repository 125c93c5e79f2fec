"""The office's confirmations use the app's own dialog, not the browser's window.confirm
("127.0.0.1 显示"): 取消 changes nothing, 确认 posts with the button that was pressed.
The units table sorts as people expect. At 390 px and 1440 px, with screenshots in
/tmp/shots-confirm/."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reports.models import SubmissionScore
from surveys.organisation.models import Branch, Unit
from surveys.rounds.models import Reminder, RosterEntry, Round
from tests.browser.helpers import log_in
from tests.helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-confirm")
WIDTHS = {"phone": (390, 844), "desk": (1440, 900)}


@pytest.fixture(params=list(WIDTHS))
def sized_page(request, browser):
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.width_name = f"{request.param}-{width}"
    browser_dialogs = []
    page.on("dialog", lambda dialog: (browser_dialogs.append(dialog.message), dialog.dismiss()))
    page.browser_dialogs = browser_dialogs
    yield page
    context.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}-{page.width_name}.png")


def dialog_says(page, text):
    dialog = page.locator("#confirm-dialog")
    dialog.get_by_text(text).wait_for()
    assert dialog.is_visible()


def test_closing_early_and_reminding_ask_in_the_apps_dialog(
    live_server, sized_page, office, open_round, branch_a, branch_b
):
    page = sized_page
    log_in(page, live_server, office.username)
    page.goto(live_server.url + reverse("office_round", args=[open_round.pk]))

    # 催报所选支部: cancelling sends nothing; confirming posts the ticked branch only.
    page.check(f"#pending-table input[value='{branch_a.pk}']")
    page.click("#remind-chosen")
    dialog_says(page, "将向所选的 1 个支部发送催报")
    assert page.locator("#confirm-dialog-ok").inner_text() == "发送催报"
    shot(page, "remind-dialog")
    page.click("#confirm-dialog-cancel")
    page.locator("#confirm-dialog").wait_for(state="hidden")
    assert not Reminder.objects.exists()
    page.click("#remind-chosen")
    page.click("#confirm-dialog-ok")
    page.get_by_text("已向 1 个支部发出催报：").wait_for()  # on the reminder job's page
    assert list(Reminder.objects.values_list("branch_id", flat=True)) == [branch_a.pk]
    page.click("#back-to-round")

    # 提前结束: the dialog carries the page's warning; 确认 closes the round.
    page.click("#close-form button")
    dialog_says(page, "确认提前结束本批次？")
    assert page.locator("#confirm-dialog-ok").inner_text() == "提前结束"
    expect(page.locator("#confirm-dialog-ok")).to_be_focused()  # Enter confirms
    shot(page, "close-dialog")
    page.keyboard.press("Escape")
    page.locator("#confirm-dialog").wait_for(state="hidden")
    assert Round.objects.get(pk=open_round.pk).status == Round.Status.OPEN
    page.click("#close-form button")
    page.click("#confirm-dialog-ok")
    page.get_by_text("已提前结束").wait_for()
    assert Round.objects.get(pk=open_round.pk).status == Round.Status.CLOSED
    assert page.browser_dialogs == []


def test_confirming_while_the_dialog_still_opens_closes_it(live_server, sized_page, office):
    """确认 pressed while the dialog fades in (a quick finger, a slow machine) runs the
    action once and the dialog still closes, instead of staying over the page."""
    page = sized_page
    log_in(page, live_server, office.username)
    closed = page.evaluate(
        """() => new Promise((resolve) => {
          const dialog = document.getElementById("confirm-dialog");
          dialog.addEventListener("hidden.bs.modal", () => resolve(true), { once: true });
          setTimeout(() => resolve(false), 5000);
          window.confirmed = 0;
          window.rongheConfirm("确认？", () => { window.confirmed += 1; }, "确认");
          document.getElementById("confirm-dialog-ok").click();  // still fading in
        })"""
    )
    assert closed, "the dialog stayed open over the page"
    assert page.locator("#confirm-dialog").is_hidden()
    assert page.evaluate("window.confirmed") == 1
    # And the dialog still works afterwards, with its own action only.
    page.evaluate("() => window.rongheConfirm('再确认？', () => { window.confirmed += 10; })")
    dialog_says(page, "再确认？")
    page.click("#confirm-dialog-ok")
    page.locator("#confirm-dialog").wait_for(state="hidden")
    assert page.evaluate("window.confirmed") == 11


def test_excluding_a_submission_asks_in_the_apps_dialog(
    live_server, desk_page, client, office, secretary_a, open_round, questionnaire, unit_a
):
    submission = submit(client, secretary_a, open_round, questionnaire)
    page = desk_page
    seen = []
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, office.username)
    page.goto(live_server.url + reverse("unit_detail", args=[open_round.pk, unit_a.pk]))
    page.click("button:has-text('不计入统计')")
    dialog_says(page, "排除出统计")
    page.click("#confirm-dialog-ok")
    page.locator("button:has-text('恢复计入')").wait_for()
    assert SubmissionScore.objects.get(submission=submission).excluded
    assert seen == []


def test_units_table_sorts_names_first_ascending_and_missing_data_last(
    live_server, desk_page, client, office, secretary_a, secretary_b, open_round, questionnaire
):
    unit_c = Unit.objects.create(code="U-C", name="县教育局", order=3)
    RosterEntry.objects.create(
        round=open_round,
        branch=Branch.objects.create(unit=unit_c, code="U-C-1", name="县教育局机关党支部"),
    )
    submit(client, secretary_a, open_round, questionnaire, likert="4")  # 县水利局, higher
    submit(client, secretary_b, open_round, questionnaire, likert="2")  # 县财政局
    page = desk_page
    log_in(page, live_server, office.username)
    page.goto(live_server.url + reverse("dashboard"))
    table = page.locator("#units-table")
    header = table.locator("thead th")

    def units():
        names = table.locator("tbody td:first-child").all_inner_texts()
        return [re.sub(r"\s", "", name) for name in names]

    def arrow(name):
        return header.filter(has_text=name).locator(".sort-arrow").inner_text()

    assert units() == ["县水利局", "县财政局", "县教育局"]  # ranking; 数据不足 last
    assert arrow("融合度指数") == "▼"

    header.filter(has_text="单位").click()  # first click: A→Z in pinyin (cai, jiao, shui)
    assert units() == ["县财政局", "县教育局", "县水利局"]
    assert header.filter(has_text="单位").get_attribute("aria-sort") == "ascending"
    assert arrow("单位") == "▲" and arrow("融合度指数") == ""
    table.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "units-sorted-by-name-desk-1366.png")
    header.filter(has_text="单位").click()
    assert units() == ["县水利局", "县教育局", "县财政局"]

    index = header.filter(has_text="融合度指数")
    index.click()  # numbers: the first click shows the highest first ...
    assert units() == ["县水利局", "县财政局", "县教育局"]
    index.click()  # ... the next the lowest, and 数据不足 stays last either way
    assert units() == ["县财政局", "县水利局", "县教育局"]
    assert index.get_attribute("aria-sort") == "ascending" and arrow("融合度指数") == "▲"
