"""Rectification tasks: the office sets one, the secretary sees it on the home page and
reports progress, overdue tasks stand out for both, the next round shows before → after,
and the tasks export to XLSX."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.rectification.models import RectificationTask, TaskUpdate
from surveys.audit.models import AuditEvent
from surveys.organisation.models import Branch
from surveys.questionnaires.models import Question
from tests.conftest import make_round, make_user
from tests.helpers import submit

pytestmark = pytest.mark.django_db


def tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def task(open_round, unit_a, branch_a, office):
    return RectificationTask.objects.create(
        round=open_round,
        unit=unit_a,
        branch=branch_a,
        title="规范三会一课记录",
        due_date=tomorrow(),
        created_by=office,
    )


def test_the_office_sets_a_task_for_a_branch(client, office, open_round, unit_a, branch_a):
    client.force_login(office)
    question = (
        Question.objects.filter(questionnaire=open_round.questionnaire)
        .exclude(kind=Question.Kind.TEXT)
        .first()
    )
    response = client.post(
        reverse("rectification_round", args=[open_round.pk]),
        {
            "unit": unit_a.pk,
            "branch": branch_a.pk,
            "title": "学用结合不够",
            "detail": "每月一次业务学习",
            "due_date": tomorrow().isoformat(),
            "dimension_code": question.dimension.code,
            "question_codes": [question.code],
        },
    )
    assert response.status_code == 302
    task = RectificationTask.objects.get()
    event = AuditEvent.objects.get(action="task_created")
    assert (event.actor, event.branch, event.detail["title"]) == (office, branch_a, "学用结合不够")
    assert (task.unit, task.branch, task.title, task.question_codes, task.created_by) == (
        unit_a,
        branch_a,
        "学用结合不够",
        [question.code],
        office,
    )


def test_bad_task_input_is_refused_in_chinese_and_kept(
    client, office, open_round, unit_a, branch_b
):
    client.force_login(office)
    response = client.post(
        reverse("rectification_round", args=[open_round.pk]),
        {
            "unit": unit_a.pk,
            "branch": branch_b.pk,
            "title": "整改事项甲",
            "due_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "完成时限不能早于今天" in html
    assert "不属于“县水利局”" in html
    assert 'value="整改事项甲"' in html
    assert not RectificationTask.objects.exists()


def test_the_secretary_sees_the_task_at_home_and_reports_it_done(client, secretary_a, task):
    client.force_login(secretary_a)
    home = client.get(reverse("home")).content.decode()
    assert "整改任务：1 项未完成" in home
    assert "规范三会一课记录" in home
    url = reverse("rectification_report", args=[task.pk])
    refused = client.post(url, {"status": "done", "note": ""})
    assert "请填写进展说明" in refused.content.decode()
    assert client.post(url, {"status": "in_progress", "note": "已建立台账"}).status_code == 302
    assert client.post(url, {"status": "done", "note": "已整改到位"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    assert list(TaskUpdate.objects.values_list("note", "status")) == [
        ("已建立台账", "in_progress"),
        ("已整改到位", "done"),
    ]
    reports = AuditEvent.objects.filter(action="task_reported").order_by("at", "id")
    assert [(e.actor, e.detail["status"], e.detail["note"]) for e in reports] == [
        (secretary_a, "整改中", "已建立台账"),
        (secretary_a, "已完成", "已整改到位"),
    ]
    assert "整改任务：" not in client.get(reverse("home")).content.decode()


def test_a_unit_task_reaches_every_secretary_of_the_unit_and_no_other(
    client, open_round, unit_a, branch_a, secretary_a, secretary_b, office
):
    second = Branch.objects.create(unit=unit_a, code="B-A2", name="第二支部")
    colleague = make_user("s_a2", role="secretary", branch=second)
    task = RectificationTask.objects.create(
        round=open_round, unit=unit_a, title="全单位整改", due_date=tomorrow()
    )
    url = reverse("rectification_report", args=[task.pk])
    for user in (secretary_a, colleague):
        client.force_login(user)
        assert client.get(url).status_code == 200
    client.force_login(secretary_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "done", "note": "x"}).status_code == 404
    assert "全单位整改" not in client.get(reverse("rectification_mine")).content.decode()
    task.refresh_from_db()
    assert task.status == "open"


def test_overdue_tasks_stand_out_for_both(client, office, secretary_a, task, open_round):
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        client.force_login(secretary_a)
        home = client.get(reverse("home")).content.decode()
        assert "其中 1 项已逾期" in home
        client.force_login(office)
        page = client.get(reverse("rectification_round", args=[open_round.pk]), {"show": "overdue"})
        assert [t.pk for t in page.context["tasks"]] == [task.pk]
        assert page.context["overdue"] == 1
        assert "已逾期" in page.content.decode()


def test_the_next_round_shows_before_and_after(
    client, office, questionnaire, branch_a, branch_b, secretary_a, unit_a
):
    now = timezone.now()
    first = make_round(
        questionnaire,
        [branch_a, branch_b],
        opens_at=now - dt.timedelta(days=60),
        closes_at=now + dt.timedelta(days=5),
        name="第一轮",
    )
    submit(client, secretary_a, first, questionnaire, likert="2")
    dimension = questionnaire.dimensions.order_by("order").first()
    question = Question.objects.filter(questionnaire=questionnaire, kind="likert").first()
    task = RectificationTask.objects.create(
        round=first,
        unit=unit_a,
        title="提升",
        due_date=tomorrow(),
        dimension_code=dimension.code,
        question_codes=[question.code],
    )
    client.force_login(office)
    page = client.get(reverse("rectification_round", args=[first.pk]))
    before = page.context["tasks"][0].improvement
    assert before.next_round is None
    assert [c.after for c in before.changes] == [None, None]
    second = make_round(
        questionnaire,
        [branch_a, branch_b],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=6),
        name="第二轮",
    )
    submit(client, secretary_a, second, questionnaire, likert="5")
    client.force_login(office)
    page = client.get(reverse("rectification_round", args=[first.pk]))
    improvement = page.context["tasks"][0].improvement
    assert improvement.next_round == second
    assert all(c.before < c.after and c.improved for c in improvement.changes)
    assert "已改善" in page.content.decode()
    assert task.pk == page.context["tasks"][0].pk


def test_tasks_export_to_xlsx(client, office, task, open_round):
    TaskUpdate.objects.create(task=task, note="已建立台账", status="in_progress")
    client.force_login(office)
    response = client.get(reverse("rectification_xlsx", args=[open_round.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("单位", "党支部", "整改事项")
    assert rows[1][:3] == ("县水利局", task.branch.name, "规范三会一课记录")
    assert rows[1][7] == "未开始" and rows[1][-1] == "已建立台账"


def test_only_the_office_sets_and_only_secretaries_report(
    client, office, secretary_a, task, open_round
):
    office_urls = [
        ("get", reverse("rectification_round", args=[open_round.pk])),
        ("get", reverse("rectification_xlsx", args=[open_round.pk])),
        ("post", reverse("rectification_delete", args=[task.pk])),
    ]
    secretary_urls = [
        ("get", reverse("rectification_mine")),
        ("get", reverse("rectification_report", args=[task.pk])),
    ]
    for method, url in office_urls + secretary_urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(secretary_a)
    for method, url in office_urls:
        assert getattr(client, method)(url).status_code == 403
    client.force_login(office)
    for method, url in secretary_urls:
        assert getattr(client, method)(url).status_code == 403
    assert RectificationTask.objects.filter(pk=task.pk).exists()
    assert client.post(office_urls[2][1]).status_code == 302
    assert not RectificationTask.objects.exists()
    assert AuditEvent.objects.get(action="task_withdrawn").detail == {"title": "规范三会一课记录"}


def test_the_unit_page_lists_the_units_tasks_and_prefills_a_new_one(
    client, office, open_round, questionnaire, secretary_a, unit_a, task
):
    submit(client, secretary_a, open_round, questionnaire, likert="3")
    client.force_login(office)
    response = client.get(reverse("unit_detail", args=[open_round.pk, unit_a.pk]))
    html = response.content.decode()
    assert f'id="unit-task-{task.pk}"' in html and "规范三会一课记录" in html
    link = response.context["task_link"]
    assert link.startswith(reverse("rectification_round", args=[open_round.pk]) + "?unit=")
    form = client.get(link).context["form"]
    assert str(form.initial["unit"]) == str(unit_a.pk)
    assert form.initial["dimension_code"]
    assert form.initial["question_codes"]
