"""催报 with its 24-hour limit and log; 退回 → edit → resubmit keeping every version; the
audit log page."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reports.models import SubmissionScore
from surveys.audit.models import AuditEvent
from surveys.rounds.models import Reminder
from surveys.submissions.models import Submission
from tests.helpers import answer_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def emails(secretary_a, secretary_b):
    secretary_a.email = "wang@example.gov.cn"
    secretary_a.save(update_fields=["email"])
    secretary_b.email = "li@example.gov.cn"
    secretary_b.save(update_fields=["email"])


def test_remind_all_not_submitted_once_per_day(client, office, open_round, emails, secretary_a):
    client.force_login(office)
    url = reverse("reminders_start", args=[open_round.pk])
    client.post(url, {"all": "1"})
    assert Reminder.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.gov.cn", "wang@example.gov.cn"]
    assert "尚未提交" in mail.outbox[0].body

    response = client.post(url, {"all": "1"}, follow=True)
    assert Reminder.objects.count() == 2 and len(mail.outbox) == 2
    assert "24 小时内已催报过" in response.content.decode()

    with time_machine.travel(timezone.now() + dt.timedelta(hours=24, minutes=1)):
        client.force_login(office)
        client.post(url, {"branch": [secretary_a.branch_id]})
    assert Reminder.objects.count() == 3
    event = AuditEvent.objects.filter(action=AuditEvent.Action.REMINDED).first()
    assert event.actor == office and event.round == open_round

    # The secretary sees the reminder on the home page.
    client.force_login(secretary_a)
    assert "催报提醒" in client.get(reverse("home")).content.decode()


def test_submitted_branches_are_not_reminded(
    client, office, secretary_a, open_round, questionnaire, emails
):
    client.force_login(secretary_a)
    client.post(
        reverse("questionnaire", args=[open_round.pk]),
        answer_post(questionnaire, version=0, action="submit"),
    )
    client.force_login(office)
    client.post(reverse("reminders_start", args=[open_round.pk]), {"all": "1"})
    assert list(Reminder.objects.values_list("branch__name", flat=True)) == ["县财政局机关党支部"]


def test_chosen_reminder_needs_a_choice(client, office, open_round):
    client.force_login(office)
    response = client.post(reverse("reminders_start", args=[open_round.pk]), follow=True)
    assert "请先勾选要催报的支部" in response.content.decode()
    assert not Reminder.objects.exists()


def test_not_submitted_list_exports_name_and_phone(client, office, open_round, secretary_a):
    secretary_a.phone = "13812345678"
    secretary_a.save(update_fields=["phone"])
    client.force_login(office)
    response = client.get(reverse("not_submitted_xlsx", args=[open_round.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0] == ("单位", "党支部", "支部书记", "联系电话", "状态", "最近催报", "截止时间")
    assert ("县水利局", "县水利局机关党支部", "王建国", "13812345678") == rows[1][:4]


def test_return_edit_resubmit_keeps_every_version(
    client, office, secretary_a, open_round, questionnaire
):
    url = reverse("questionnaire", args=[open_round.pk])
    client.force_login(secretary_a)
    client.post(url, answer_post(questionnaire, version=0, action="submit", likert="2"))
    submission = Submission.objects.get()
    first_index = SubmissionScore.objects.get(submission=submission).index

    client.force_login(office)
    response = client.post(
        reverse("submission_return", args=[submission.pk]), {"reason": "第一议题情况填写有误"}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    # Until resubmission the scores stay those of the latest submitted version.
    assert SubmissionScore.objects.get(submission=submission).index == first_index

    client.force_login(secretary_a)
    page = client.get(url).content.decode()
    assert "第一议题情况填写有误" in page
    client.post(
        url, answer_post(questionnaire, version=submission.version, action="submit", likert="4")
    )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    snapshots = list(submission.snapshots.order_by("number"))
    assert [s.number for s in snapshots] == [1, 2]
    assert snapshots[0].answers["XY01"] == 2 and snapshots[1].answers["XY01"] == 4
    assert SubmissionScore.objects.get(submission=submission).index != first_index

    history = client.get(reverse("history", args=[submission.pk])).content.decode()
    assert 'class="table-warning changed"' in history
    client.force_login(office)
    history = client.get(reverse("history", args=[submission.pk]) + "?a=1&b=2").content.decode()
    likert_count = questionnaire.questions.filter(kind="likert").count()
    assert f'id="changed-count">{likert_count}<' in history


def test_return_after_deadline_needs_a_new_branch_deadline(
    client, office, secretary_a, open_round, questionnaire
):
    client.force_login(secretary_a)
    client.post(
        reverse("questionnaire", args=[open_round.pk]),
        answer_post(questionnaire, version=0, action="submit"),
    )
    submission = Submission.objects.get()
    url = reverse("submission_return", args=[submission.pk])
    with time_machine.travel(open_round.closes_at + dt.timedelta(days=1), tick=False):
        client.force_login(office)
        response = client.post(url, {"reason": "请补充"})
        assert "补报截止时间" in response.content.decode()
        submission.refresh_from_db()
        assert submission.status == Submission.Status.SUBMITTED
        new_deadline = timezone.localtime(timezone.now() + dt.timedelta(days=3))
        client.post(url, {"reason": "请补充", "closes_at": new_deadline.strftime("%Y-%m-%dT%H:%M")})
        submission.refresh_from_db()
        assert submission.status == Submission.Status.RETURNED
        client.force_login(secretary_a)
        assert client.get(reverse("questionnaire", args=[open_round.pk])).status_code == 200
        assert (
            'id="save-button"'
            in client.get(reverse("questionnaire", args=[open_round.pk])).content.decode()
        )


def test_secretaries_cannot_return(client, secretary_a, secretary_b, open_round, questionnaire):
    client.force_login(secretary_a)
    client.post(
        reverse("questionnaire", args=[open_round.pk]),
        answer_post(questionnaire, version=0, action="submit"),
    )
    submission = Submission.objects.get()
    assert (
        client.post(reverse("submission_return", args=[submission.pk]), {"reason": "x"}).status_code
        == 403
    )
    client.force_login(secretary_b)
    assert client.get(reverse("history", args=[submission.pk])).status_code == 404


def test_audit_log_filters_and_exports(client, office, secretary_a, open_round, questionnaire):
    client.force_login(secretary_a)
    client.post(
        reverse("questionnaire", args=[open_round.pk]), answer_post(questionnaire, version=0)
    )
    client.force_login(office)
    client.post(reverse("reminders_start", args=[open_round.pk]), {"all": "1"})

    page = client.get(reverse("audit_log")).content.decode()
    assert "保存草稿" in page and "催报" in page
    only_drafts = client.get(reverse("audit_log"), {"action": "draft_saved"}).content.decode()
    assert "保存草稿" in only_drafts and "县财政局机关党支部" not in only_drafts
    by_user = client.get(reverse("audit_log"), {"actor": office.pk}).content.decode()
    assert "保存草稿</td>" not in by_user

    response = client.get(reverse("audit_log"), {"action": "reminded", "format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:4] == ("时间", "操作人", "账号", "操作")
    assert len(rows) == 2 and rows[1][3] == "催报"
