"""The office runs a round: create, edit until it opens, close early, extend, with frozen time."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from surveys.audit.models import AuditEvent
from surveys.organisation.models import Branch
from surveys.questionnaires.models import Questionnaire
from surveys.rounds.models import RosterEntry, Round
from tests.conftest import make_round

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def inactive_branch(unit_a):
    return Branch.objects.create(unit=unit_a, code="U-A-9", name="已撤销支部", is_active=False)


def test_create_round_with_every_active_branch(
    client, office, questionnaire, branch_a, branch_b, inactive_branch
):
    client.force_login(office)
    with time_machine.travel(T0, tick=False):
        client.force_login(office)
        response = client.post(
            reverse("round_new"),
            {
                "name": "2026年第一季度融合度测评",
                "questionnaire": questionnaire.pk,
                "opens_at": local(T0 + dt.timedelta(days=1)),
                "closes_at": local(T0 + dt.timedelta(days=15)),
                "roster_mode": "all",
            },
        )
    round_ = Round.objects.get()
    assert response.status_code == 302
    assert set(round_.roster.values_list("branch_id", flat=True)) == {branch_a.pk, branch_b.pk}
    assert round_.opens_at == T0 + dt.timedelta(days=1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROUND_CREATED)
    assert event.actor == office and event.detail["roster"] == 2


def test_create_round_with_chosen_unit(client, office, questionnaire, branch_a, branch_b, unit_b):
    client.force_login(office)
    client.post(
        reverse("round_new"),
        {
            "name": "专项测评",
            "questionnaire": questionnaire.pk,
            "opens_at": local(timezone.now()),
            "closes_at": local(timezone.now() + dt.timedelta(days=3)),
            "roster_mode": "chosen",
            "units": [unit_b.pk],
        },
    )
    assert list(Round.objects.get().roster.values_list("branch_id", flat=True)) == [branch_b.pk]


def test_bad_round_form_keeps_input(client, office, questionnaire):
    client.force_login(office)
    response = client.post(
        reverse("round_new"),
        {
            "name": "时间填反了的批次",
            "questionnaire": questionnaire.pk,
            "opens_at": local(T0 + dt.timedelta(days=5)),
            "closes_at": local(T0),
            "roster_mode": "chosen",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "截止时间必须晚于开始时间" in html and "请至少选择一个单位或党支部" in html
    assert "时间填反了的批次" in html
    assert not Round.objects.exists()


def test_round_is_editable_until_it_opens(client, office, questionnaire, branch_a, branch_b):
    with time_machine.travel(T0, tick=False):
        round_ = make_round(
            questionnaire,
            [branch_a, branch_b],
            opens_at=T0 + dt.timedelta(days=2),
            closes_at=T0 + dt.timedelta(days=9),
        )
        client.force_login(office)
        data = {
            "name": "改名后的批次",
            "questionnaire": questionnaire.pk,
            "opens_at": local(T0 + dt.timedelta(days=3)),
            "closes_at": local(T0 + dt.timedelta(days=9)),
            "roster_mode": "chosen",
            "branches": [branch_a.pk],
        }
        assert client.post(reverse("round_edit", args=[round_.pk]), data).status_code == 302
        round_.refresh_from_db()
        assert round_.name == "改名后的批次"
        assert list(round_.roster.values_list("branch_id", flat=True)) == [branch_a.pk]
        assert AuditEvent.objects.filter(action=AuditEvent.Action.ROUND_CHANGED).exists()

    with time_machine.travel(T0 + dt.timedelta(days=4), tick=False):
        client.force_login(office)
        response = client.post(reverse("round_edit", args=[round_.pk]), {**data, "name": "再改"})
        assert response.status_code == 302
        round_.refresh_from_db()
        assert round_.name == "改名后的批次"


def test_status_follows_the_clock_and_close_early(client, office, questionnaire, branch_a):
    round_ = make_round(
        questionnaire, [branch_a], opens_at=T0, closes_at=T0 + dt.timedelta(days=10)
    )
    with time_machine.travel(T0 - dt.timedelta(hours=1), tick=False):
        assert Round.objects.get().status == Round.Status.SCHEDULED
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        assert Round.objects.get().status == Round.Status.OPEN
        client.force_login(office)
        assert client.post(reverse("round_close", args=[round_.pk])).status_code == 302
        round_.refresh_from_db()
        assert round_.closes_at == T0 + dt.timedelta(days=3)
        assert round_.status == Round.Status.CLOSED


def test_extend_round_and_one_branch(client, office, questionnaire, branch_a, branch_b):
    round_ = make_round(
        questionnaire, [branch_a, branch_b], opens_at=T0, closes_at=T0 + dt.timedelta(days=10)
    )
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        client.force_login(office)
        url = reverse("round_extend", args=[round_.pk])
        new = T0 + dt.timedelta(days=12)
        client.post(url, {"closes_at": local(new), "reason": "国庆假期顺延"})
        round_.refresh_from_db()
        assert round_.closes_at == new

        client.post(url, {"closes_at": local(T0), "reason": "往前改"})  # refused: not later
        round_.refresh_from_db()
        assert round_.closes_at == new

        later = T0 + dt.timedelta(days=20)
        client.post(url, {"closes_at": local(later), "reason": "抢险", "branch": branch_b.pk})
        entry = RosterEntry.objects.get(round=round_, branch=branch_b)
        assert entry.closes_at == later and entry.override_reason == "抢险"
        assert RosterEntry.objects.get(round=round_, branch=branch_a).closes_at == new

        # A hand-made post naming no real branch: not found, never a server error.
        bad = client.post(url, {"closes_at": local(later), "reason": "抢险", "branch": "abc"})
        assert bad.status_code == 404


def test_roster_and_progress_counts(client, office, secretary_a, open_round, questionnaire):
    from tests.helpers import answer_post

    client.force_login(secretary_a)
    client.post(
        reverse("questionnaire", args=[open_round.pk]),
        answer_post(questionnaire, version=0, action="submit"),
    )
    client.force_login(office)
    html = client.get(reverse("office_round", args=[open_round.pk])).content.decode()
    assert "1 / 2（50%）" in html
    assert "未提交的支部（1）" in html
    assert "县财政局机关党支部" in html


def test_office_pages_refuse_secretaries(client, secretary_a, open_round):
    client.force_login(secretary_a)
    for url in (
        reverse("round_new"),
        reverse("round_edit", args=[open_round.pk]),
        reverse("office_round", args=[open_round.pk]),
        reverse("not_submitted_xlsx", args=[open_round.pk]),
        reverse("audit_log"),
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        reverse("round_close", args=[open_round.pk]),
        reverse("round_extend", args=[open_round.pk]),
        reverse("reminders_start", args=[open_round.pk]),
    ):
        assert client.post(url).status_code == 403, url
    client.logout()
    assert client.get(reverse("round_new")).status_code == 302


def version_of(questionnaire, version, **fields):
    return Questionnaire.objects.create(
        code=questionnaire.code,
        version=version,
        title=questionnaire.title,
        created_at=questionnaire.created_at + dt.timedelta(days=version),
        **fields,
    )


def selected_option(html):
    select = html[html.index('name="questionnaire"') :]
    select = select[: select.index("</select>")]
    match = re.search(r'<option value="(\d+)"[^>]*selected>([^<]*)</option>', select)
    assert match, select
    return int(match.group(1)), match.group(2)


def test_new_round_defaults_to_the_version_the_latest_round_used(
    client, office, questionnaire, branch_a
):
    """Not to a newer draft nobody reviewed; each option says what state it is in."""
    later = version_of(questionnaire, 2)
    draft = version_of(questionnaire, 3)
    make_round(questionnaire, [branch_a], opens_at=T0, closes_at=T0 + dt.timedelta(days=9))
    make_round(
        later,
        [branch_a],
        opens_at=T0 - dt.timedelta(days=90),
        closes_at=T0 - dt.timedelta(days=80),
    )
    make_round(
        questionnaire,
        [branch_a],
        opens_at=T0 - dt.timedelta(days=180),
        closes_at=T0 - dt.timedelta(days=170),
    )
    client.force_login(office)
    html = client.get(reverse("round_new")).content.decode()

    pk, label = selected_option(html)
    assert pk == questionnaire.pk
    assert label == f"第1版 · 已用于 2 个批次 · {questionnaire.title}"
    assert f"第2版 · 已用于 1 个批次 · {later.title}" in html
    assert f"第3版 · 草稿，未使用 · {draft.title}" in html
    assert "选用未使用过的草稿版本后，该版本即被冻结" in html


def test_new_round_without_rounds_defaults_to_the_newest_version_in_use_or_the_newest(
    client, office, questionnaire
):
    client.force_login(office)
    version_of(questionnaire, 2)
    newest = version_of(questionnaire, 3)
    assert selected_option(client.get(reverse("round_new")).content.decode())[0] == newest.pk


def test_a_draft_can_still_be_chosen_deliberately(client, office, questionnaire, branch_a):
    draft = version_of(questionnaire, 2)
    make_round(questionnaire, [branch_a], opens_at=T0, closes_at=T0 + dt.timedelta(days=9))
    client.force_login(office)
    client.post(
        reverse("round_new"),
        {
            "name": "新问卷试点",
            "questionnaire": draft.pk,
            "opens_at": local(T0 + dt.timedelta(days=20)),
            "closes_at": local(T0 + dt.timedelta(days=30)),
            "roster_mode": "all",
        },
    )
    assert Round.objects.get(name="新问卷试点").questionnaire == draft


def test_branch_extension_inputs_have_labels(client, office, open_round, branch_a):
    client.force_login(office)
    html = client.get(reverse("office_round", args=[open_round.pk])).content.decode()
    for field in ("reason", "closes"):
        input_id = f"extend-{field}-{branch_a.pk}"
        assert f'<label class="visually-hidden" for="{input_id}">' in html
        assert f'id="{input_id}"' in html
    assert f'for="extend-reason-{branch_a.pk}">县水利局机关党支部的延期原因</label>' in html


def test_round_page_reads_a_fixed_number_of_queries(
    client, office, open_round, secretary_a, unit_a, django_assert_num_queries
):
    """Its reads are surveys.rounds.selectors.round_page; more branches, same queries."""
    client.force_login(office)
    url = reverse("office_round", args=[open_round.pk])
    client.get(url)  # the session's first write is not the page's
    for extra in range(2):
        # session, user, round with progress, roster, secretaries, last reminders, missing
        # branches, the latest reminders; 考评 progress: publication, submitted sheets, reviews
        with django_assert_num_queries(11):
            response = client.get(url)
        assert len(response.context["roster"]) == open_round.roster.count()
        for i in range(5):
            branch = Branch.objects.create(unit=unit_a, code=f"x{extra}{i}", name=f"第{i}支部")
            RosterEntry.objects.create(round=open_round, branch=branch)
