"""A rater on a phone (390 px): open a code's link, answer, submit, open the same code again
and be refused; the slips page and the office's groups page at 390 and 1440 px."""

import pytest

from surveys.ratings.models import Audience, RaterGroup, RaterItem, RaterResponse
from surveys.ratings.services import CODE_REFUSED, codes_issue, rater_groups_add
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/shots/rater"


def test_a_rater_answers_once_on_a_phone(phone_page, live_server, office, open_round, branch_a):
    rater_groups_add(actor=office, round_=open_round, audience=Audience.MEMBERS)
    group = RaterGroup.objects.get(branch=branch_a)
    [code] = codes_issue(actor=office, group=group, count=1)
    page = phone_page
    page.goto(f"{live_server.url}/r/{code}/")
    assert page.locator("h1").inner_text() == "党员评议问卷"
    page.screenshot(path=f"{SHOTS}/form-390.png", full_page=True)

    # Nothing overflows the phone's width, and every option is a big enough target.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    items = list(RaterItem.objects.filter(questionnaire=group.questionnaire))
    first = items[0]
    box = page.locator(f"label[for='item_{first.pk}-1']").bounding_box()
    assert box["height"] >= 40

    # Submitting with one item missing keeps what was chosen and points at the gap.
    page.locator("textarea").fill("希望多结合业务开展主题党日")
    for item in items:
        if item.kind == RaterItem.Kind.SCALE and item.code != "M05":
            page.locator(f"label[for='item_{item.pk}-2']").click()
        elif item.kind == RaterItem.Kind.SATISFACTION:
            page.locator(f"label[for='item_{item.pk}-1']").click()
    page.locator("#rater-submit").click()
    page.wait_for_selector("#form-errors")
    assert page.locator("textarea").input_value() == "希望多结合业务开展主题党日"
    assert page.locator(f"#item_{first.pk}-2").is_checked()
    page.screenshot(path=f"{SHOTS}/form-error-390.png", full_page=True)
    m05 = next(i for i in items if i.code == "M05")
    page.locator(f"label[for='item_{m05.pk}-6']").click()  # 不了解
    page.locator("#rater-submit").click()
    page.wait_for_selector("#rater-done")
    page.screenshot(path=f"{SHOTS}/done-390.png", full_page=True)
    assert RaterResponse.objects.count() == 1

    # The same code again: refused, with the one message, and nothing more recorded.
    page.goto(f"{live_server.url}/r/{code}/")
    assert page.locator("#code-error").inner_text() == CODE_REFUSED
    page.screenshot(path=f"{SHOTS}/refused-390.png", full_page=True)
    page.goto(f"{live_server.url}/r/")
    page.fill("#id_code", code.lower())
    page.locator("button:has-text('开始评议')").click()
    assert page.locator("#code-error").inner_text() == CODE_REFUSED
    assert RaterResponse.objects.count() == 1


@pytest.mark.parametrize("width", [390, 1440])
def test_office_pages_and_slips(browser, live_server, office, open_round, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, office.username)
        page.goto(f"{live_server.url}/office/rounds/{open_round.pk}/ratings/")
        page.select_option("#id_audience", "members")
        page.locator("#groups-add-form button").click()
        page.wait_for_selector("#groups-members")
        page.screenshot(path=f"{SHOTS}/round-{width}.png", full_page=True)
        group = RaterGroup.objects.order_by("branch__code").first()
        page.fill(f"#count-{group.pk}", "4")
        page.locator(f"#group-{group.pk} button").click()
        page.locator("#confirm-dialog-ok").click()
        page.wait_for_selector(".slip")
        assert page.locator(".slip").count() == 4
        assert page.locator(".slip svg.rater-qr").count() == 4
        page.screenshot(path=f"{SHOTS}/slips-{width}.png", full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=f"{SHOTS}/slips-print-{width}.png", full_page=True)
        assert not page.locator("nav.navbar").is_visible()
        page.emulate_media(media="screen")
        page.reload()
        page.wait_for_selector("#already-shown")
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1440])
def test_results_and_comparison_after_close(
    browser, live_server, office, open_round, unit_a, branch_a, width
):
    import datetime as dt

    from django.utils import timezone

    from reports.models import UnitScore
    from surveys.ratings.services import rating_settings_set, rating_submit
    from tests.surveys.ratings.conftest import self_assessed, sheet

    # The branch's own self-assessment (what the comparison's 自评 reads) and its unit mean.
    self_assessed(open_round, branch_a, 86, {"xueyong": 90, "zuzhi": 80, "huoli": 88})
    UnitScore.objects.create(
        round=open_round,
        unit=unit_a,
        index=86,
        dimensions={"xueyong": 90, "zuzhi": 80, "huoli": 88},
    )
    rater_groups_add(actor=office, round_=open_round, audience=Audience.MEMBERS)
    group = RaterGroup.objects.get(branch=branch_a)
    rating_settings_set(actor=office, round_=open_round, min_raters=2)
    for value, code in zip([4, 5, 3], codes_issue(actor=office, group=group, count=3), strict=True):
        rating_submit(typed_code=code, answers=sheet(group, value), comment=f"建议{value}")
    open_round.closes_at = timezone.now() - dt.timedelta(minutes=1)
    open_round.save(update_fields=["closes_at"])
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, live_server, office.username)
        page.goto(f"{live_server.url}/office/ratings/groups/{group.pk}/")
        assert page.locator("#n").inner_text() == "3"
        page.screenshot(path=f"{SHOTS}/group-{width}.png", full_page=True)
        page.goto(f"{live_server.url}/office/rounds/{open_round.pk}/ratings/compare/")
        assert "自评偏高" in page.locator("#compare-table").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=f"{SHOTS}/compare-{width}.png", full_page=True)
        page.goto(f"{live_server.url}/office/rounds/{open_round.pk}/ratings/")
        page.screenshot(path=f"{SHOTS}/round-closed-{width}.png", full_page=True)
    finally:
        context.close()
