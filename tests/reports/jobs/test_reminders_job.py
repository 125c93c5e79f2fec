"""催报 as a background job (kind reminders): the round page's forms start it, its page shows
the progress and then what was sent, its file is the 催报清单. Each press is a new send
(never a reused file), a second press while one runs joins it, and a failure half-way keeps
what was sent so that the retry sends only the rest. Tasks run at once (ImmediateBackend)
unless a test says the database queue."""

import datetime as dt
import io
import smtplib

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.jobs.kinds import JobFailed
from reports.jobs.models import ReportJob
from reports.jobs.run import job_run
from surveys.audit.models import AuditEvent
from surveys.rounds import services as rounds_services
from surveys.rounds.models import Reminder, RosterEntry

pytestmark = pytest.mark.django_db
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def one_email(secretary_a, secretary_b):
    """Branch A's secretary has an address on record; branch B's has none."""
    secretary_a.email = "wang@example.gov.cn"
    secretary_a.save(update_fields=["email"])
    return secretary_a


def remind(client, round_, *branches):
    data = {"branch": [b.pk for b in branches]} if branches else {"all": "1"}
    return client.post(reverse("reminders_start", args=[round_.pk]), data)


def sheet_rows(content):
    return list(load_workbook(io.BytesIO(content))["催报清单"].values)


def test_remind_all_lands_on_the_job_page_which_says_what_was_sent(
    client, office, open_round, one_email, branch_a, branch_b
):
    client.force_login(office)
    response = remind(client, open_round)
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.kind, job.params, job.status) == ("reminders", {"all": True}, "done")
    assert (job.done, job.total) == (2, 2)  # one step a branch
    assert set(Reminder.objects.values_list("sent_by", flat=True)) == {office.pk}
    event = AuditEvent.objects.get(action=AuditEvent.Action.REMINDED)
    assert event.actor == office and sorted(event.detail["branches"]) == sorted(
        [branch_a.name, branch_b.name]
    )

    page = client.get(response["Location"]).content.decode()
    assert "催报已发送完毕" in page
    assert "已向 2 个支部发出催报：邮件 1 个，站内提醒 2 个。" in page
    assert f"其中 1 个支部（{branch_b.name}）的书记没有登记邮箱" in page
    assert reverse("office_round", args=[open_round.pk]) in page  # the way back
    download = client.get(reverse("job_file", args=[job.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "%E5%82%AC%E6%8A%A5%E6%B8%85%E5%8D%95" in download["Content-Disposition"]  # 催报清单
    rows = sheet_rows(download.content)
    assert rows[0] == ("单位", "党支部", "结果", "催报方式")
    assert sorted(rows[1:]) == sorted(
        [
            ("县水利局", branch_a.name, "已催报", "邮件+站内"),
            ("县财政局", branch_b.name, "已催报", "仅站内"),
        ]
    )
    assert [m.to for m in mail.outbox] == [["wang@example.gov.cn"]]


def test_each_press_is_a_new_send_never_a_reused_file(client, office, open_round, one_email):
    client.force_login(office)
    remind(client, open_round)
    second = remind(client, open_round)
    assert ReportJob.objects.count() == 2  # the same data version, yet not reused
    latest = ReportJob.objects.first()
    assert second["Location"] == reverse("job_detail", args=[latest.pk])
    page = client.get(second["Location"]).content.decode()
    assert "在 24 小时内已催报过，本次未重复发送。" in page and "已向" not in page
    assert Reminder.objects.count() == 2 and len(mail.outbox) == 1
    rows = sheet_rows(client.get(reverse("job_file", args=[latest.pk])).content)
    assert {row[2] for row in rows[1:]} == {"未发送：24 小时内已催报过"}


def test_a_branch_whose_time_is_up_is_listed_as_not_reminded(
    client, office, open_round, branch_a, branch_b
):
    now = timezone.now()
    open_round.closes_at = now - dt.timedelta(hours=1)
    open_round.save(update_fields=["closes_at"])
    RosterEntry.objects.filter(round=open_round, branch=branch_a).update(
        closes_at_override=now + dt.timedelta(days=2)
    )
    client.force_login(office)
    page = client.get(remind(client, open_round)["Location"]).content.decode()
    assert "已向 1 个支部发出催报：" in page and f"{branch_b.name}的填报时间已过，未催报。" in page
    rows = sheet_rows(client.get(reverse("job_file", args=[ReportJob.objects.get().pk])).content)
    assert rows[1:] == [
        ("县水利局", branch_a.name, "已催报", "仅站内"),
        ("县财政局", branch_b.name, "未发送：填报时间已过", "—"),
    ]


def test_a_second_press_while_one_is_queued_joins_it(
    client, office, open_round, branch_a, branch_b, settings
):
    settings.TASKS = DB_QUEUE
    client.force_login(office)
    first = remind(client, open_round, branch_b, branch_a)
    second = remind(client, open_round, branch_a, branch_b)
    job = ReportJob.objects.get()
    assert first["Location"] == second["Location"] == reverse("job_detail", args=[job.pk])
    assert job.params == {"branches": sorted([branch_a.pk, branch_b.pk])}
    page = client.get(first["Location"]).content.decode()
    assert "排队中" in page and 'data-job-status="queued"' in page and "发送进度" in page
    remind(client, open_round)  # 一键催报 is another send
    assert ReportJob.objects.count() == 2
    assert not Reminder.objects.exists()  # nothing is sent until the worker runs it


def test_a_failure_half_way_keeps_what_was_sent_and_the_retry_sends_only_the_rest(
    client, office, open_round, secretary_a, secretary_b, monkeypatch
):
    secretary_a.email, secretary_b.email = "wang@example.gov.cn", "li@example.gov.cn"
    secretary_a.save(update_fields=["email"])
    secretary_b.save(update_fields=["email"])
    real_send_mail = rounds_services.send_mail
    attempts = []

    def mail_server_drops_the_second(*args, **kwargs):
        attempts.append(args[3])
        if len(attempts) == 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(rounds_services, "send_mail", mail_server_drops_the_second)
    client.force_login(office)
    response = remind(client, open_round)
    failed = ReportJob.objects.get()
    assert failed.status == ReportJob.Status.FAILED and (failed.done, failed.total) == (1, 2)
    first_address = attempts[0]
    # The first branch is recorded and mailed; the second neither.
    assert [m.to for m in mail.outbox] == [first_address]
    assert list(Reminder.objects.values_list("email", flat=True)) == first_address
    event = AuditEvent.objects.get(action=AuditEvent.Action.REMINDED)
    assert len(event.detail["branches"]) == 1
    page = client.get(response["Location"]).content.decode()
    assert "发送中断：发送催报时出错（SMTPServerDisconnected），已处理 1 / 2 个支部。" in page
    assert "重新发送" in page and 'name="all" value="1"' in page  # the retry posts the same
    assert reverse("job_file", args=[failed.pk]) not in page

    monkeypatch.setattr(rounds_services, "send_mail", real_send_mail)
    retry = remind(client, open_round)
    assert ReportJob.objects.count() == 2
    assert ReportJob.objects.first().status == ReportJob.Status.DONE
    assert Reminder.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.gov.cn", "wang@example.gov.cn"]
    page = client.get(retry["Location"]).content.decode()
    assert "已向 1 个支部发出催报：邮件 1 个" in page and "24 小时内已催报过" in page


def test_progress_is_reported_after_each_branch(office, open_round):
    steps = []
    rounds_services.reminders_send(
        user=office, round_=open_round, progress=lambda done, total: steps.append((done, total))
    )
    assert steps == [(0, 2), (1, 2), (2, 2)]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("nothing ticked", "请先勾选要催报的支部，或使用“一键催报”。"),
        ("round over", "只能对进行中的批次催报。"),
    ],
)
def test_a_refusal_starts_no_job_and_says_why_on_the_round_page(
    client, office, open_round, setup, message
):
    client.force_login(office)
    url = reverse("reminders_start", args=[open_round.pk])
    if setup == "nothing ticked":
        response = client.post(url, {"branch": ["x"]}, follow=True)
    else:
        with time_machine.travel(open_round.closes_at + dt.timedelta(minutes=1)):
            client.force_login(office)
            response = client.post(url, {"all": "1"}, follow=True)
    assert response.redirect_chain == [(reverse("office_round", args=[open_round.pk]), 302)]
    assert message in response.content.decode()
    assert not ReportJob.objects.exists() and not Reminder.objects.exists()


def test_a_round_that_closed_before_the_worker_ran_fails_in_chinese(
    client, office, open_round, settings
):
    settings.TASKS = DB_QUEUE
    client.force_login(office)
    remind(client, open_round)
    job = ReportJob.objects.get()
    with time_machine.travel(open_round.closes_at + dt.timedelta(minutes=1)):
        with pytest.raises(JobFailed):  # re-raised for the worker's own record
            job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and "只能对进行中的批次催报。" in job.error
    assert not Reminder.objects.exists()


def test_the_round_page_posts_to_the_job_and_still_asks_first(client, office, open_round):
    client.force_login(office)
    page = client.get(reverse("office_round", args=[open_round.pk])).content.decode()
    action = reverse("reminders_start", args=[open_round.pk])
    assert f'action="{action}" id="remind-form"' in page
    assert 'data-confirm-all="将向 2 个未提交的支部发送催报' in page
    assert 'src="/static/js/reminders.js"' in page
    # One path: the old synchronous address is gone.
    assert client.post(f"/office/rounds/{open_round.pk}/remind/", {"all": "1"}).status_code == 404
    assert not Reminder.objects.exists()


# --- access ---------------------------------------------------------------------------------


@pytest.fixture
def sent(client, office, open_round):
    client.force_login(office)
    remind(client, open_round)
    client.logout()
    return ReportJob.objects.get()


def test_access_matrix(client, office, secretary_a, secretary_b, sent):
    """(secretary A, secretary B, office) on every URL of a reminder job, then anonymous."""
    urls = {
        ("post", reverse("reminders_start", args=[sent.round_id])): 302,
        ("get", reverse("round_job", args=[sent.round_id, "reminders"])): 200,
        ("get", reverse("job_detail", args=[sent.pk])): 200,
        ("get", reverse("job_status", args=[sent.pk])): 200,
        ("get", reverse("job_file", args=[sent.pk])): 200,
    }
    for (method, url), office_code in urls.items():
        for user, expected in ((secretary_a, 403), (secretary_b, 403), (office, office_code)):
            client.force_login(user)
            response = getattr(client, method)(url, {"all": "1"} if method == "post" else {})
            assert response.status_code == expected, (url, user.username)
            client.logout()
        response = getattr(client, method)(url, {})
        assert response.status_code == 302 and response["Location"].startswith("/login"), url
    # Only the office's press made a job (and reminded nobody twice).
    assert ReportJob.objects.count() == 2 and Reminder.objects.count() == 2
    client.force_login(office)
    assert client.get(reverse("reminders_start", args=[sent.round_id])).status_code == 405


def test_the_reminder_job_page_takes_a_fixed_number_of_queries(
    client, office, sent, django_assert_num_queries
):
    client.force_login(office)
    with django_assert_num_queries(3):  # session, user, the job with its round and starter
        page = client.get(reverse("job_detail", args=[sent.pk]))
    assert "已向 2 个支部发出催报" in page.content.decode()
