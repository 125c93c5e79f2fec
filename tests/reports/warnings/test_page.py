"""The warning page: each unit's light from the stored numbers, the filter, the rules form,
and who may see it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.business.models import BusinessResult
from reports.warnings.models import WarningRules
from surveys.audit.models import AuditEvent
from tests.conftest import make_round
from tests.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_round(client, open_round, questionnaire, secretary_a, secretary_b):
    submit(client, secretary_a, open_round, questionnaire, likert="5")
    submit(client, secretary_b, open_round, questionnaire, likert="1")
    return open_round


def page(client, round_, **params):
    return client.get(reverse("warnings_page", args=[round_.pk]), params)


def test_a_poor_unit_is_red_and_a_strong_one_green(client, office, scored_round):
    client.force_login(office)
    rows = {r.name: r for r in page(client, scored_round).context["rows"]}
    assert rows["县水利局"].light == "green"
    poor = rows["县财政局"]
    assert poor.light == "red"
    assert poor.reasons[0].startswith("等次为“差”")
    assert any("低于 60" in reason for reason in poor.reasons)


def test_a_unit_with_nothing_counted_is_grey(
    client, office, open_round, questionnaire, secretary_a
):
    submit(client, secretary_a, open_round, questionnaire, likert="5")
    client.force_login(office)
    rows = {r.name: r.light for r in page(client, open_round).context["rows"]}
    assert rows == {"县水利局": "green", "县财政局": "grey"}


def test_the_filter_shows_one_light_and_counts_all(client, office, scored_round):
    client.force_login(office)
    response = page(client, scored_round, light="red")
    assert [r.name for r in response.context["rows"]] == ["县财政局"]
    assert response.context["counts"] == [
        ("red", "红灯", 1),
        ("yellow", "黄灯", 0),
        ("green", "绿灯", 1),
        ("grey", "灰灯", 0),
    ]
    assert len(page(client, scored_round, light="bogus").context["rows"]) == 2


def test_both_weak_in_business_turns_red_once_imported(
    client, office, open_round, questionnaire, secretary_a, secretary_b, unit_a, unit_b
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="3")
    client.force_login(office)
    WarningRules.objects.create(round=open_round, red_grades="", dimension_floor=None)
    assert {r.light for r in page(client, open_round).context["rows"]} == {"green"}
    BusinessResult.objects.create(round=open_round, unit=unit_a, score=90)
    BusinessResult.objects.create(round=open_round, unit=unit_b, score=50)
    rows = {r.name: r for r in page(client, open_round).context["rows"]}
    assert rows["县财政局"].light == "red"
    assert rows["县财政局"].reasons == ["党建、业务均低于全县平均（双弱）"]
    assert rows["县水利局"].light == "green"


def test_two_falls_in_a_row_are_yellow(
    client, office, questionnaire, branch_a, branch_b, secretary_a, secretary_b
):
    now = timezone.now()
    rounds = []
    for k, likert in enumerate(("5", "4", "3")):
        round_ = make_round(
            questionnaire,
            [branch_a, branch_b],
            opens_at=now - dt.timedelta(days=90 - 30 * k),
            closes_at=now + dt.timedelta(days=10 + k),
            name=f"第{k + 1}轮",
        )
        submit(client, secretary_a, round_, questionnaire, likert=likert)
        submit(client, secretary_b, round_, questionnaire, likert="5")
        rounds.append(round_)
    client.force_login(office)
    WarningRules.objects.create(round=rounds[-1], red_grades="", dimension_floor=None)
    rows = {r.name: r for r in page(client, rounds[-1]).context["rows"]}
    assert rows["县水利局"].light == "yellow"
    assert rows["县水利局"].reasons[0].startswith("连续 2 轮下降（")
    assert rows["县财政局"].light == "green"


def test_the_office_sets_the_rules_and_bad_numbers_are_refused(client, office, scored_round):
    client.force_login(office)
    url = reverse("warnings_page", args=[scored_round.pk])
    bad = client.post(url, {"red_grades": "差", "falls": "2", "dimension_floor": "160"})
    assert bad.status_code == 200
    assert "请填写 0 到 100 之间的分数" in bad.content.decode()
    assert not WarningRules.objects.exists()
    good = client.post(url, {"red_grades": "", "falls": "0", "dimension_floor": ""})
    assert good.status_code == 302
    rules = WarningRules.objects.get(round=scored_round)
    assert (rules.red_grades, rules.falls, rules.dimension_floor, rules.red_both_weak) == (
        "",
        0,
        None,
        False,
    )
    lights = {r.name: r.light for r in page(client, scored_round).context["rows"]}
    assert lights == {"县水利局": "green", "县财政局": "green"}
    event = AuditEvent.objects.get(action="warning_rules_changed")
    assert event.detail["changes"]["红灯等次"] == ["差", "（不启用）"]
    assert event.detail["changes"]["维度低于此分亮黄灯"] == ["60", "（不启用）"]


def test_only_the_office_sees_the_warnings(client, secretary_a, office, scored_round):
    url = reverse("warnings_page", args=[scored_round.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    client.force_login(secretary_a)
    assert client.get(url).status_code == 403
    assert client.post(url, {"falls": "0"}).status_code == 403
    assert not WarningRules.objects.exists()
    client.force_login(office)
    assert client.get(url).status_code == 200


def test_the_dashboard_table_shows_each_units_light_with_its_reasons(client, office, scored_round):
    client.force_login(office)
    html = client.get(reverse("dashboard"), {"round": scored_round.pk}).content.decode()
    assert 'id="warnings-link"' in html
    assert 'class="light light-red"' in html and 'class="light light-green"' in html
    assert 'title="等次为“差”' in html
    assert f"{reverse('warnings_page', args=[scored_round.pk])}?light=red" in html
