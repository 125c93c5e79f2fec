"""A round's name is unique: the form says so in Chinese (create and edit), spaces and case
aside; the database refuses a second row of the same name; old duplicates are renumbered by
the migration before the constraint is added."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from surveys.rounds.models import Round
from tests.conftest import make_round

pytestmark = pytest.mark.django_db

MIGRATION = "0006_round_name_unique_email_changed"

NAME = "2026年第一季度融合度测评"


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def form_data(questionnaire, name):
    now = timezone.now()
    return {
        "name": name,
        "questionnaire": questionnaire.pk,
        "opens_at": local(now + dt.timedelta(days=1)),
        "closes_at": local(now + dt.timedelta(days=15)),
        "roster_mode": "all",
    }


@pytest.fixture
def existing(questionnaire, branch_a):
    now = timezone.now()
    return make_round(
        questionnaire,
        [branch_a],
        name=NAME,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=9),
    )


@pytest.mark.parametrize("typed", [NAME, f"  {NAME} ", f"{NAME}\u3000"])
def test_creating_a_second_round_of_the_same_name_is_refused_in_chinese(
    client, office, questionnaire, existing, typed
):
    client.force_login(office)
    response = client.post(reverse("round_new"), form_data(questionnaire, typed))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"已有名为“{NAME}”的测评批次，请换一个名称" in page
    assert Round.objects.count() == 1
    # What was typed is kept in the form.
    assert 'name="closes_at"' in page and NAME in page


def test_names_differing_only_in_case_and_inner_spaces_clash(
    client, office, questionnaire, branch_a
):
    now = timezone.now()
    make_round(
        questionnaire,
        [branch_a],
        name="Q1 Review",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=9),
    )
    client.force_login(office)
    response = client.post(reverse("round_new"), form_data(questionnaire, "q1   REVIEW"))
    assert "已有名为“q1 REVIEW”的测评批次" in response.content.decode()
    assert Round.objects.count() == 1


def test_a_new_name_is_stored_with_spaces_collapsed(client, office, questionnaire, branch_a):
    client.force_login(office)
    response = client.post(reverse("round_new"), form_data(questionnaire, "  专项   测评 "))
    assert response.status_code == 302
    assert Round.objects.get().name == "专项 测评"


def test_editing_keeps_its_own_name_but_cannot_take_another(
    client, office, questionnaire, branch_a, existing
):
    later = timezone.now() + dt.timedelta(days=30)
    scheduled = make_round(
        questionnaire,
        [branch_a],
        name="2026年第二季度融合度测评",
        opens_at=later,
        closes_at=later + dt.timedelta(days=9),
    )
    client.force_login(office)
    url = reverse("round_edit", args=[scheduled.pk])
    data = form_data(questionnaire, "2026年第二季度融合度测评")
    data["opens_at"], data["closes_at"] = local(later), local(later + dt.timedelta(days=9))
    assert client.post(url, data).status_code == 302  # its own name is no clash

    data["name"] = NAME
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"已有名为“{NAME}”的测评批次" in response.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.name == "2026年第二季度融合度测评"


def test_the_service_refuses_a_clash_the_form_did_not_see(office, questionnaire, existing):
    from surveys.rounds import services

    now = timezone.now()
    with pytest.raises(services.OfficeError, match="已有名为"):
        services.round_create(
            user=office,
            name=NAME.upper(),
            questionnaire=questionnaire,
            opens_at=now,
            closes_at=now + dt.timedelta(days=3),
        )


def test_the_database_refuses_a_second_row_of_the_same_name(questionnaire, existing):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.create(
            name=NAME, questionnaire=questionnaire, opens_at=now, closes_at=now + dt.timedelta(1)
        )


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_old_duplicates():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("surveys", "0005_audit_login_lockout")], [("surveys", MIGRATION)]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    questionnaire = old.get_model("surveys", "Questionnaire").objects.create(
        code="q", version=1, title="问卷"
    )
    OldRound = old.get_model("surveys", "Round")
    now = timezone.now()
    for i, name in enumerate(["甲批次", "其他", "甲批次", " 甲批次 "]):
        OldRound.objects.create(
            name=name,
            questionnaire=questionnaire,
            opens_at=now,
            closes_at=now + dt.timedelta(days=1),
            created_at=now + dt.timedelta(minutes=i),
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    names = list(Round.objects.order_by("created_at").values_list("name", flat=True))
    assert names == ["甲批次", "其他", "甲批次（2）", "甲批次（3）"]
