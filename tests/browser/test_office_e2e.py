"""The office at a desk: log in, open the dashboard and a unit page, see the charts load."""

import pytest
from django.conf import settings

from surveys.demo.seed import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_charts_loaded(page, expected):
    charts = page.locator("img.chart-img")
    assert charts.count() == expected
    for i in range(expected):
        charts.nth(i).scroll_into_view_if_needed()
    # Every chart image arrived and decoded: naturalWidth is 0 for a broken image.
    page.wait_for_function(
        "n => [...document.querySelectorAll('img.chart-img')]"
        ".filter(i => i.complete && i.naturalWidth > 0).length === n",
        arg=expected,
    )
    for i in range(expected):
        assert charts.nth(i).get_attribute("alt")


def test_office_dashboard_and_unit_page_show_charts(live_server, desk_page):
    seed_demo(seed=3)
    page = desk_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", settings.RONGHE_DEMO_PASSWORD)
    page.click("button[type=submit]")

    page.locator("h1", has_text="融合度看板").wait_for()
    assert page.locator("#county-index").inner_text().strip() not in ("", "数据不足")
    assert_charts_loaded(page, 5)  # ranking, grades, causes, heatmap, trend

    # Sorting the unit table by name changes the order without a reload.
    first_before = page.locator("#units-table tbody tr").first.inner_text()
    page.locator("#units-table th", has_text="融合度指数").click()
    assert page.locator("#units-table tbody tr").first.inner_text() != first_before

    # A unit with scores (one without draws no empty charts): its row carries a grade badge.
    scored = page.locator("#units-table tbody tr", has=page.locator("span.badge"))
    scored.first.locator("td").first.locator("a").click()
    page.get_by_text("单位画像").wait_for()
    assert_charts_loaded(page, 4)
    assert page.locator("#unit-index").inner_text().strip()
