"""The unit page's branch table sorts the way the dashboard's tables do: the first click on a
name column sorts A→Z (pinyin), on a number column highest first; the next click reverses;
数据不足 stays last either way; an arrow marks the sorted column. At 390 px and 1440 px, with
screenshots in /tmp/shots/issue11-charts/."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from reports.models import DimensionScore, SubmissionScore
from surveys.organisation.models import Branch, User
from surveys.rounds.models import RosterEntry
from tests.browser.helpers import log_in
from tests.conftest import make_user
from tests.helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/issue11-charts")
WIDTHS = {"phone": (390, 844), "desk": (1440, 900)}


@pytest.fixture(params=list(WIDTHS))
def sized_page(request, browser):
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.width_name = f"{request.param}-{width}"
    yield page
    context.close()


def branch_secretary(unit, code, name, round_):
    branch = Branch.objects.create(unit=unit, code=code, name=name)
    RosterEntry.objects.create(round=round_, branch=branch)
    return make_user(f"sec_{code}", role=User.Role.SECRETARY, branch=branch)


def test_branch_table_sorts_names_ascending_first_and_missing_data_last(
    live_server, sized_page, client, office, secretary_a, open_round, questionnaire, unit_a
):
    # Branch codes give the page's order: 机关 (U-A-1), 工程管理 (U-A-2), 办公室 (U-A-3).
    works = branch_secretary(unit_a, "U-A-2", "县水利局工程管理党支部", open_round)
    office_branch = branch_secretary(unit_a, "U-A-3", "县水利局办公室党支部", open_round)
    submit(client, secretary_a, open_round, questionnaire, likert="3")
    submit(client, works, open_round, questionnaire, likert="5")
    without = submit(client, office_branch, open_round, questionnaire, likert="4")
    # A sheet whose scores could not be computed (数据不足), as the page shows one.
    SubmissionScore.objects.filter(submission=without).update(index=None, grade="")
    DimensionScore.objects.filter(score_of=without.score).update(score=None)

    page = sized_page
    log_in(page, live_server, office.username)
    page.goto(live_server.url + reverse("unit_detail", args=[open_round.pk, unit_a.pk]))
    table = page.locator("#branches-table")
    header = table.locator("thead th")

    def branches():
        names = table.locator("tbody td:first-child").all_inner_texts()
        return [re.sub(r"^县水利局|党支部$|\s", "", name) for name in names]

    def arrow(name):
        return header.filter(has_text=name).locator(".sort-arrow").inner_text()

    assert branches() == ["机关", "工程管理", "办公室"]
    assert table.locator("tbody tr").nth(2).get_by_text("数据不足").count() >= 2

    name = header.filter(has_text="党支部")
    name.click()  # first click: A→Z in pinyin (ban, gong, ji)
    assert branches() == ["办公室", "工程管理", "机关"]
    assert name.get_attribute("aria-sort") == "ascending" and arrow("党支部") == "▲"
    table.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"unit-branches-by-name-{page.width_name}.png")
    name.click()
    assert branches() == ["机关", "工程管理", "办公室"] and arrow("党支部") == "▼"

    index = header.filter(has_text="指数")
    index.click()  # numbers: the first click shows the highest first ...
    assert branches() == ["工程管理", "机关", "办公室"]
    assert arrow("指数") == "▼" and arrow("党支部") == ""
    index.press("Enter")  # ... the next (here from the keyboard) the lowest; 数据不足 stays last
    assert branches() == ["机关", "工程管理", "办公室"]
    assert index.get_attribute("aria-sort") == "ascending" and arrow("指数") == "▲"
    page.screenshot(path=SHOTS / f"unit-branches-by-index-{page.width_name}.png")

    # The row's own actions move with it: the 答卷 link of the first row is its own.
    first = table.locator("tbody tr").first
    assert "县水利局机关党支部" in first.inner_text()
    href = first.get_by_role("link", name="答卷").get_attribute("href")
    assert href == reverse("submission_detail", args=[secretary_a.branch.submissions.get().pk])


def wait_for_charts(page):
    """Scroll each (lazily loaded) chart into view and wait until it has been drawn."""
    for chart in page.locator("img[data-chart]").all():
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
        )


def test_unit_page_charts_load_and_open_as_svgs_with_hover_values(
    live_server,
    sized_page,
    client,
    office,
    secretary_a,
    secretary_b,
    open_round,
    questionnaire,
    unit_a,
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    page = sized_page
    log_in(page, live_server, office.username)
    page.goto(live_server.url + reverse("unit_detail", args=[open_round.pk, unit_a.pk]))
    wait_for_charts(page)
    # Nothing wider than the screen: the page never scrolls sideways (tables scroll inside).
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"unit-page-{page.width_name}.png", full_page=True)

    items = page.locator("details").first.locator("tbody tr").count()  # the chart's data table
    downloads = page.locator("[data-chart-downloads='items']")
    downloads.get_by_role("link", name="打开图表查看数值").click()
    page.wait_for_url("**/charts/items.svg")
    # Every bar of the item chart has its hover title, first in its group: "题目 得分".
    bars = page.locator("g[id^='ronghe-bar-']")
    titles = page.evaluate(
        "[...document.querySelectorAll(\"g[id^='ronghe-'] > title:first-child\")]"
        ".map(t => t.textContent)"
    )
    assert len(titles) == bars.count() == items > 0
    assert all(re.fullmatch(r".+ (\d+\.\d\d|数据不足)", t) for t in titles), titles
    page.screenshot(
        path=SHOTS / f"items-svg-{page.width_name}.png"
    )  # an SVG document: no full_page

    page.goto(live_server.url + reverse("dashboard"))
    wait_for_charts(page)
    page.screenshot(path=SHOTS / f"dashboard-{page.width_name}.png", full_page=True)
