"""The dashboard's 自评与他评 card (issue 13): only once the round has closed and has rater
groups; the numbers are round_comparison's, ranked by composite; 样本不足 cells carry no sort
key (they stay last); the self-vs-others chart is served as SVG; the cached page moves on
when the round closes, without a query more on the cached path."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys.organisation.models import Branch, Unit, User
from surveys.ratings.models import Audience, RaterGroup
from surveys.ratings.selectors import round_comparison
from surveys.ratings.services import (
    codes_issue,
    rater_groups_add,
    rating_settings_set,
    rating_submit,
)
from surveys.rounds.models import RosterEntry, Round
from tests.browser.helpers import log_in
from tests.conftest import make_user
from tests.helpers import submit
from tests.surveys.ratings.conftest import sheet

pytestmark = pytest.mark.django_db

SHOTS = Path("/tmp/shots/raters")


@pytest.fixture
def two_submitted(client, secretary_a, secretary_b, open_round, questionnaire):
    a = submit(client, secretary_a, open_round, questionnaire, likert="4")
    b = submit(client, secretary_b, open_round, questionnaire, likert="2")
    return a, b


@pytest.fixture
def rated(office, two_submitted, open_round, branch_a, branch_b):
    """k = 2: branch A's members send 2 sheets (shown), branch B's 1 (样本不足)."""
    rating_settings_set(actor=office, round_=open_round, min_raters=2)
    rater_groups_add(actor=office, round_=open_round, audience=Audience.MEMBERS)
    group_a = RaterGroup.objects.get(round=open_round, branch=branch_a)
    group_b = RaterGroup.objects.get(round=open_round, branch=branch_b)
    for code in codes_issue(actor=office, group=group_a, count=4)[:2]:
        rating_submit(typed_code=code, answers=sheet(group_a, 4))
    [code] = codes_issue(actor=office, group=group_b, count=1)
    rating_submit(typed_code=code, answers=sheet(group_b, 5))
    return open_round


def _after_close(round_):
    return time_machine.travel(round_.closes_at + dt.timedelta(hours=1), tick=False)


def _dashboard(client, office, round_):
    client.force_login(office)
    response = client.get(reverse("dashboard") + f"?round={round_.pk}")
    assert response.status_code == 200
    return response.content.decode()


def _rows(html):
    table = re.search(r'<table[^>]*id="raters-table".*?</table>', html, re.S).group(0)
    rows = re.findall(r'<tr data-unit="(\d+)">(.*?)</tr>', table, re.S)
    return [(int(unit), re.findall(r"<td([^>]*)>(.*?)</td>", cells, re.S)) for unit, cells in rows]


def test_card_only_after_close(client, office, rated):
    cache.clear()
    assert 'id="dashboard-raters"' not in _dashboard(client, office, rated)
    with _after_close(rated):
        html = _dashboard(client, office, rated)
    assert 'id="dashboard-raters"' in html and "自评与他评" in html
    assert reverse("ratings_compare", args=[rated.pk]) in html
    assert reverse("round_chart", args=[rated.pk, "raters", "svg"]) in html
    chart = html.split('id="raters-chart"', 1)[1].split("</figure>", 1)[0]
    assert 'class="rater-compare-chart"' in chart and "县水利局" in chart  # inline, page fonts
    assert "综合 = 自评 30% + 党员评议 40% + 群众评议 30%" in html


def test_no_card_for_a_closed_round_without_groups(client, office, two_submitted, open_round):
    cache.clear()
    with _after_close(open_round):
        html = _dashboard(client, office, open_round)
    assert 'id="dashboard-raters"' not in html and "raters-table" not in html


def test_numbers_are_the_comparison_ranked_by_composite(client, office, rated, unit_a, unit_b):
    cache.clear()
    with _after_close(rated):
        html = _dashboard(client, office, rated)
        expected = {r.unit.pk: r for r in round_comparison(rated)}
    rows = _rows(html)
    assert [unit for unit, _cells in rows] == [unit_a.pk, unit_b.pk]  # both have a composite
    assert expected[unit_a.pk].composite > expected[unit_b.pk].composite
    for unit, cells in rows:
        row = expected[unit]
        _name, self_cell, members_cell, public_cell, composite_cell = cells
        assert f'data-value="{row.self.index:.4f}"' in self_cell[0]
        assert f"{row.self.index:.1f}" in self_cell[1]
        assert f'data-value="{row.composite:.4f}"' in composite_cell[0]
        assert f"{row.composite:.1f}" in composite_cell[1]
        assert "折算" in composite_cell[1]  # no public group: the composite is re-weighted
        assert "data-value" not in public_cell[0] and "—" in public_cell[1]
    a_members = dict(rows)[unit_a.pk][2]
    shown = expected[unit_a.pk].members
    assert shown.status == "shown" and shown.n == 2
    assert f'data-value="{shown.index:.4f}"' in a_members[0]
    assert f"{shown.index:.1f}" in a_members[1] and "2 人 · 50%" in a_members[1]


def test_too_few_raters_show_no_number_and_no_sort_key(client, office, rated, unit_b):
    cache.clear()
    with _after_close(rated):
        html = _dashboard(client, office, rated)
        [b] = [r for r in round_comparison(rated) if r.unit == unit_b]
    assert b.members.status == "too_few"
    attrs, text = dict(_rows(html))[unit_b.pk][2]
    assert "样本不足" in text and "data-value" not in attrs
    assert not re.search(r"\d", re.sub(r"<[^>]+>", "", text))  # no number leaks out


def test_chart_is_served_once_closed(client, office, rated):
    client.force_login(office)
    url = reverse("round_chart", args=[rated.pk, "raters", "svg"])
    cache.clear()
    assert client.get(url).status_code == 404  # open: nothing to show yet
    with _after_close(rated):
        client.force_login(office)  # the session of a fortnight ago has expired
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        body = response.content.decode()
        assert "<svg" in body and "县水利局" in body and "<script" not in body
        png = reverse("round_chart", args=[rated.pk, "raters", "png"])
        assert client.get(png).status_code == 404


def test_chart_is_office_only(client, secretary_a, rated):
    url = reverse("round_chart", args=[rated.pk, "raters", "svg"])
    assert client.get(url).status_code == 302  # anonymous: the login page
    with _after_close(rated):
        client.force_login(secretary_a)
        assert client.get(url).status_code == 403


def test_cached_page_moves_on_at_close_and_cached_path_stays_pinned(
    client, office, rated, django_assert_num_queries
):
    cache.clear()
    url = reverse("dashboard") + f"?round={rated.pk}"
    client.force_login(office)
    assert 'id="dashboard-raters"' not in client.get(url).content.decode()  # cached while open
    with _after_close(rated):
        client.force_login(office)  # the session of a fortnight ago has expired
        assert 'id="dashboard-raters"' in client.get(url).content.decode()
        # session, user, data version: the closed card is in the cached fragment too
        with django_assert_num_queries(3):
            assert 'id="dashboard-raters"' in client.get(url).content.decode()


def _cold_queries(client, office, round_):
    cache.clear()
    client.force_login(office)
    with CaptureQueriesContext(connection) as cold:
        html = client.get(reverse("dashboard") + f"?round={round_.pk}").content.decode()
    assert 'id="dashboard-raters"' in html
    return len(cold.captured_queries)


def test_card_queries_do_not_grow_with_units_or_groups(
    client, office, rated, questionnaire, branch_a
):
    with _after_close(rated):
        small = _cold_queries(client, office, rated)
    for n in range(3):  # three more units, each with a branch that submitted and rater sheets
        unit = Unit.objects.create(code=f"U-X{n}", name=f"县新增局{n}", order=10 + n)
        branch = Branch.objects.create(unit=unit, code=f"U-X{n}-1", name=f"县新增局{n}党支部")
        RosterEntry.objects.create(round=rated, branch=branch)
        secretary = make_user(f"sec_x{n}", role=User.Role.SECRETARY, branch=branch)
        submit(client, secretary, rated, questionnaire, likert="3")
        rater_groups_add(actor=office, round_=rated, audience=Audience.MEMBERS)
        group = RaterGroup.objects.get(round=rated, branch=branch)
        for code in codes_issue(actor=office, group=group, count=2):
            rating_submit(typed_code=code, answers=sheet(group, 3))
    with _after_close(rated):
        assert _cold_queries(client, office, rated) == small


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1440])
def test_sorting_keeps_too_few_last_in_the_browser(live_server, browser, office, rated, width):
    """Clicking 党员评议 sorts the shown scores either way; 样本不足 stays last both times.
    Screenshots of the card in /tmp/shots/raters/."""
    # Closed by moving its dates (update(): no signal, as if the deadline had just passed).
    Round.objects.filter(pk=rated.pk).update(
        opens_at=rated.opens_at - dt.timedelta(days=30),
        closes_at=timezone.now() - dt.timedelta(hours=1),
    )
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, office.username)
        page.goto(live_server.url + reverse("dashboard") + f"?round={rated.pk}")
        card = page.locator("#dashboard-raters")
        card.scroll_into_view_if_needed()
        header = page.locator("#raters-table thead th").nth(2)
        cells = page.locator("#raters-table tbody tr td:nth-child(3)")
        for order in ("descending", "ascending"):
            header.click()
            assert header.get_attribute("aria-sort") == order
            texts = [t.split()[0] for t in cells.all_inner_texts()]
            assert texts[-1] == "样本不足" and "样本不足" not in texts[:-1], texts
        # The composite column stays in view on a phone: no sideways scrolling to reach it.
        box = page.locator("#raters-table thead th").nth(4).bounding_box()
        assert box["x"] + box["width"] <= width
        SHOTS.mkdir(parents=True, exist_ok=True)
        card.screenshot(path=str(SHOTS / f"dashboard-raters-{width}.png"))
        page.wait_for_load_state("networkidle")  # the charts' images, before the page closes
    finally:
        context.close()
