"""Branches set up while a round is open (or not yet open) can be put on its roster from
the round's page: confirmed, audited, once only, and the dashboards' data version moves."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import ScoresVersion
from surveys.audit.models import AuditEvent
from surveys.organisation.models import Branch, User
from surveys.rounds import services
from surveys.rounds.models import RosterEntry
from tests.conftest import make_round, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(unit_a, unit_b):
    """Two branches created after the round, as a people import does, and a closed one."""
    return [
        Branch.objects.create(unit=unit_a, code="U-A-2", name="县水利局第二党支部"),
        Branch.objects.create(unit=unit_b, code="U-B-2", name="县财政局第二党支部"),
    ]


@pytest.fixture
def inactive(unit_a):
    return Branch.objects.create(unit=unit_a, code="U-A-9", name="已撤销支部", is_active=False)


def data_version():
    row = ScoresVersion.objects.filter(pk=1).first()
    return row.value if row else 0


def roster_ids(round_):
    return set(round_.roster.values_list("branch_id", flat=True))


def test_round_page_lists_active_branches_missing_from_the_roster(
    client, office, open_round, imported, inactive
):
    client.force_login(office)
    html = client.get(reverse("office_round", args=[open_round.pk])).content.decode()
    assert "有 2 个启用的党支部不在本批次名单中" in html
    assert 'data-confirm="确认将勾选的党支部加入本批次参评名单？' in html
    for branch in imported:
        assert f'value="{branch.pk}" id="missing-{branch.pk}" checked' in html
    assert "已撤销支部" not in html


def test_round_list_flags_open_rounds_with_branches_missing(
    client,
    office,
    questionnaire,
    open_round,
    branch_a,
    imported,
    inactive,
    django_assert_num_queries,
):
    now = timezone.now()
    past = make_round(
        questionnaire,
        [branch_a],
        opens_at=now - dt.timedelta(days=9),
        closes_at=now - dt.timedelta(days=2),
        name="上一轮",
    )
    client.force_login(office)
    client.get(reverse("office_home"))
    with django_assert_num_queries(3):  # session, user, the rounds with their counts
        html = client.get(reverse("office_home")).content.decode()
    rows = {r.split("</a>", 1)[0].rsplit(">", 1)[-1]: r for r in html.split("<tr>")[2:]}
    assert "2 个支部未在名单中" in rows[open_round.name]
    assert f'href="{reverse("office_round", args=[open_round.pk])}#missing-branches"' in html
    assert "未在名单中" not in rows[past.name]  # a closed round takes no new branches


def test_office_adds_the_chosen_missing_branches(
    client, office, open_round, branch_a, branch_b, imported
):
    before = data_version()
    client.force_login(office)
    response = client.post(
        reverse("office_round", args=[open_round.pk]), {"branch": [imported[0].pk]}, follow=True
    )
    assert "已将 1 个党支部加入本批次参评名单" in response.content.decode()
    assert roster_ids(open_round) == {branch_a.pk, branch_b.pk, imported[0].pk}
    assert data_version() > before
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROUND_CHANGED)
    assert event.actor == office and event.round == open_round and event.branch == imported[0]
    assert event.detail["changes"] == {"roster": [2, 3]}
    assert event.detail["note"] == "加入参评支部：县水利局第二党支部"
    assert event.detail["added"] == ["U-A-2"]
    # The other one is still offered.
    assert "有 1 个启用的党支部不在本批次名单中" in response.content.decode()


def test_new_branch_secretary_sees_and_fills_in_the_round_after_being_added(
    client, office, open_round, imported
):
    secretary = make_user("sec_new", role=User.Role.SECRETARY, branch=imported[0])
    client.force_login(secretary)
    home = client.get(reverse("home")).content.decode()
    assert "目前没有需要填写的测评" in home and "请联系机关工委加入" in home
    assert client.get(reverse("questionnaire", args=[open_round.pk])).status_code == 404

    services.roster_add(user=office, round_=open_round)
    home = client.get(reverse("home")).content.decode()
    assert open_round.name in home and "开始填写" in home
    assert client.get(reverse("questionnaire", args=[open_round.pk])).status_code == 200


def test_adding_all_missing_ignores_inactive_and_is_idempotent(
    office, open_round, branch_a, branch_b, imported, inactive
):
    added = services.roster_add(user=office, round_=open_round)
    assert {b.pk for b in added} == {b.pk for b in imported}
    assert roster_ids(open_round) == {branch_a.pk, branch_b.pk} | {b.pk for b in imported}
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ROUND_CHANGED).count()
    version = data_version()

    # A replay (or a stale form naming branches already on it, or an inactive one) adds
    # nothing, records nothing and moves no version.
    again = services.roster_add(
        user=office, round_=open_round, branch_ids=[imported[0].pk, inactive.pk, branch_a.pk]
    )
    assert again == []
    assert RosterEntry.objects.filter(round=open_round).count() == 4
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROUND_CHANGED).count() == events
    assert data_version() == version


def test_replayed_form_says_nothing_was_added(client, office, open_round, imported):
    client.force_login(office)
    url = reverse("office_round", args=[open_round.pk])
    data = {"branch": [b.pk for b in imported]}
    client.post(url, data)
    response = client.post(url, data, follow=True)
    html = response.content.decode()
    assert "所选党支部已在本批次参评名单中，无需再次加入" in html
    assert "不在本批次名单中" not in html
    assert RosterEntry.objects.filter(round=open_round).count() == 4


def test_an_empty_choice_is_refused(client, office, open_round, imported):
    client.force_login(office)
    response = client.post(reverse("office_round", args=[open_round.pk]), {}, follow=True)
    assert "请先勾选要加入本批次的党支部" in response.content.decode()
    assert RosterEntry.objects.filter(round=open_round).count() == 2


def test_a_scheduled_round_is_offered_its_missing_branches_too(
    client, office, questionnaire, branch_a, imported
):
    now = timezone.now()
    round_ = make_round(
        questionnaire,
        [branch_a],
        opens_at=now + dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=9),
    )
    client.force_login(office)
    assert "有 2 个启用的党支部不在本批次名单中" in (
        client.get(reverse("office_round", args=[round_.pk])).content.decode()
    )
    services.roster_add(user=office, round_=round_, branch_ids=[imported[1].pk])
    assert roster_ids(round_) == {branch_a.pk, imported[1].pk}


def test_a_closed_round_takes_no_new_branches(client, office, questionnaire, branch_a, imported):
    now = timezone.now()
    round_ = make_round(
        questionnaire,
        [branch_a],
        opens_at=now - dt.timedelta(days=9),
        closes_at=now - dt.timedelta(days=2),
    )
    client.force_login(office)
    assert "不在本批次名单中" not in (
        client.get(reverse("office_round", args=[round_.pk])).content.decode()
    )
    response = client.post(
        reverse("office_round", args=[round_.pk]), {"branch": [imported[0].pk]}, follow=True
    )
    assert "本批次已经结束，不能再加入参评支部" in response.content.decode()
    assert roster_ids(round_) == {branch_a.pk}


def test_secretaries_cannot_add_branches(client, secretary_a, open_round, imported):
    client.force_login(secretary_a)
    response = client.post(
        reverse("office_round", args=[open_round.pk]), {"branch": [imported[0].pk]}
    )
    assert response.status_code == 403
    assert RosterEntry.objects.filter(round=open_round).count() == 2


def test_round_edit_refusal_points_to_adding_branches(client, office, open_round):
    client.force_login(office)
    response = client.get(reverse("round_edit", args=[open_round.pk]), follow=True)
    assert "加入参评名单" in response.content.decode()
