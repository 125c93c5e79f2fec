"""Reminders are honest: e-mail addresses come in by the people import (optional 邮箱
column, validated) and the people page (edit, audited); 一键催报 says before sending how many
branches it will remind and after sending how many went out by e-mail and in-app, naming the
branches that have no e-mail on record."""

import io

import openpyxl
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from surveys.audit.models import AuditEvent
from surveys.organisation.models import User
from tests.helpers import csrf_token_from
from tests.surveys.organisation.test_import import HEADER, ROWS, commit, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_email(secretary_a, secretary_b):
    secretary_a.email = "wang@example.gov.cn"
    secretary_a.save(update_fields=["email"])
    return secretary_a


def test_round_page_confirmation_counts_the_branches_and_channels(
    client, office, open_round, one_email
):
    client.force_login(office)
    page = client.get(reverse("office_round", args=[open_round.pk])).content.decode()
    assert (
        "将向 2 个未提交的支部发送催报：邮件 1 个，站内提醒 2 个"
        "（1 个支部没有登记邮箱，只在系统内提醒）。确认发送？" in page
    )
    assert 'src="/static/js/reminders.js"' in page
    assert "window.confirm" not in page

    client.post(reverse("reminders_start", args=[open_round.pk]), {"all": "1"})
    page = client.get(reverse("office_round", args=[open_round.pk])).content.decode()
    assert "现在没有需要催报的支部；另有 2 个支部 24 小时内已催报过，本次不重复发送。" in page


def test_remind_all_says_how_many_went_out_by_which_channel(
    client, office, open_round, one_email, branch_b
):
    client.force_login(office)
    response = client.post(
        reverse("reminders_start", args=[open_round.pk]), {"all": "1"}, follow=True
    )
    text = response.content.decode()
    assert "已向 2 个支部发出催报：邮件 1 个，站内提醒 2 个。" in text
    assert f"其中 1 个支部（{branch_b.name}）的书记没有登记邮箱，只能在系统内看到提醒" in text
    assert [m.to for m in mail.outbox] == [["wang@example.gov.cn"]]


def test_all_with_email_names_no_branch_as_in_app_only(
    client, office, open_round, one_email, secretary_b
):
    secretary_b.email = "li@example.gov.cn"
    secretary_b.save(update_fields=["email"])
    client.force_login(office)
    text = client.post(
        reverse("reminders_start", args=[open_round.pk]), {"all": "1"}, follow=True
    ).content.decode()
    assert "已向 2 个支部发出催报：邮件 2 个，站内提醒 2 个。" in text
    assert "没有登记邮箱" not in text


def office_csrf_client(office):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    return client


def test_people_page_sets_and_clears_an_email_with_an_audit_record(office, secretary_a):
    client = office_csrf_client(office)
    people = client.get(reverse("people")).content.decode()
    assert "未填（只在系统内提醒）" in people
    url = reverse("people_secretary_email", args=[secretary_a.pk])
    token = csrf_token_from(client.get(url).content.decode())

    response = client.post(url, {"email": "not-an-address", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "邮箱“not-an-address”格式不正确" in response.content.decode()
    assert 'value="not-an-address"' in response.content.decode()  # what was typed stays
    secretary_a.refresh_from_db()
    assert secretary_a.email == ""

    response = client.post(
        url, {"email": " wang@example.gov.cn ", "csrfmiddlewaretoken": token}, follow=True
    )
    assert (
        "已将" in response.content.decode() and "wang@example.gov.cn" in response.content.decode()
    )
    secretary_a.refresh_from_db()
    assert secretary_a.email == "wang@example.gov.cn"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EMAIL_CHANGED)
    assert event.actor == office and event.branch_id == secretary_a.branch_id
    assert event.detail["changes"] == {"邮箱": ["", "wang@example.gov.cn"]}

    client.post(url, {"email": "", "csrfmiddlewaretoken": token})
    secretary_a.refresh_from_db()
    assert secretary_a.email == ""
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_CHANGED).count() == 2


def test_a_secretary_cannot_edit_emails(client, secretary_a, secretary_b):
    client.force_login(secretary_a)
    url = reverse("people_secretary_email", args=[secretary_b.pk])
    assert client.post(url, {"email": "x@example.gov.cn"}).status_code == 403
    secretary_b.refresh_from_db()
    assert secretary_b.email == ""


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def with_email(emails):
    return [[*row, email] for row, email in zip(ROWS, emails, strict=True)]


def test_the_import_template_has_an_optional_email_column(office):
    client = office_csrf_client(office)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(reverse("people_template")).content))
    assert [c.value for c in workbook["组织与账号"][1]][-1] == "邮箱"
    guide = [[c.value for c in row] for row in workbook["填写说明"].iter_rows()]
    assert any(row[:2] == ["邮箱", "选填"] for row in guide)


def test_import_takes_emails_and_a_blank_one_keeps_what_is_on_record(office, data_dir):
    client = office_csrf_client(office)
    content = xlsx(with_email(["zhang@example.gov.cn", "", None]), header=[*HEADER, "邮箱"])
    assert upload(client, content).status_code == 302
    commit(client)
    emails = dict(User.objects.values_list("username", "email"))
    assert emails["zhangjg"] == "zhang@example.gov.cn" and emails["lihm"] == ""

    User.objects.filter(username="lihm").update(email="li@example.gov.cn")
    content = xlsx(with_email(["zjg@example.gov.cn", "", ""]), header=[*HEADER, "邮箱"])
    assert upload(client, content).status_code == 302
    assert "zjg@example.gov.cn" in client.get(reverse("people_import_preview")).content.decode()
    commit(client)
    emails = dict(User.objects.values_list("username", "email"))
    assert emails["zhangjg"] == "zjg@example.gov.cn"
    assert emails["lihm"] == "li@example.gov.cn"  # blank keeps the address on record


def test_import_refuses_a_bad_email_row_in_chinese(office, data_dir):
    client = office_csrf_client(office)
    content = xlsx(with_email(["zhang@", "", ""]), header=[*HEADER, "邮箱"])
    response = upload(client, content)
    page = client.get(response.url).content.decode() if response.status_code == 302 else ""
    page += response.content.decode()
    assert "第2行：邮箱“zhang@”格式不正确" in page
    assert not User.objects.filter(username="zhangjg").exists()
