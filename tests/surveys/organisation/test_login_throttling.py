"""Login throttling (django-axes): a username is locked from one client after a few wrong
passwords, on the login page and the admin's alike; the office sees and lifts lockouts on the
people page; every lockout and every unlock is in the audit log.

- secretary_a: the account someone guesses at, from ATTACKER's address; her own phone is HOME.
- office: lifts the lockout; secretary_b may not.
"""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from surveys.audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.helpers import csrf_token_from

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
HOME = "198.51.100.20"
LIMIT = settings.AXES_FAILURE_LIMIT
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)  # 18:00 in Asia/Shanghai


def log_in(client, username, password, *, url=None, ip=ATTACKER):
    url = url or reverse("login")
    page = client.get(url, REMOTE_ADDR=ip)
    data = {"username": username, "password": password}
    data["csrfmiddlewaretoken"] = csrf_token_from(page.content.decode())
    return client.post(url, data, REMOTE_ADDR=ip)


def fail(times, username="sec_a", *, url=None, ip=ATTACKER):
    """`times` wrong passwords from one client; the one that reaches the limit is already
    answered with the lockout."""
    client = Client(enforce_csrf_checks=True)
    for attempt in range(1, times + 1):
        response = log_in(client, username, "wrong-password", url=url, ip=ip)
        assert response.status_code == (429 if attempt >= LIMIT else 200)
    return client


def logged_in_as(client):
    return client.get(reverse("home")).wsgi_request.user.username


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_right_password_is_refused_after_the_failure_limit(secretary_a, frozen):
    print(f"failures before lockout: {LIMIT}")
    client = fail(LIMIT - 1)
    last_failure = log_in(client, "sec_a", "wrong-password")
    assert last_failure.status_code == 429
    assert "登录失败次数过多" in last_failure.content.decode()

    response = log_in(client, "sec_a", PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert "登录失败次数过多，请于 15 分钟后（18:15）再试，或联系机关工委解锁。" in html
    assert 'value="sec_a"' in html  # the typed username stays in the box
    assert logged_in_as(client) == ""


def test_one_failure_fewer_than_the_limit_still_lets_the_right_password_in(secretary_a, frozen):
    client = fail(LIMIT - 1)
    response = log_in(client, "sec_a", PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(client) == "sec_a"


def test_the_same_account_from_another_client_still_logs_in(secretary_a, frozen):
    fail(LIMIT)
    phone = Client(enforce_csrf_checks=True)
    response = log_in(phone, "sec_a", PASSWORD, ip=HOME)
    assert response.status_code == 302
    assert logged_in_as(phone) == "sec_a"


def test_after_the_cool_off_the_right_password_logs_in(secretary_a, frozen):
    client = fail(LIMIT)
    frozen.shift(dt.timedelta(minutes=14))
    assert log_in(client, "sec_a", PASSWORD).status_code == 429
    # A refused attempt during the lockout moves the cool-off on: 15 minutes from the last.
    frozen.shift(dt.timedelta(minutes=14))
    assert log_in(client, "sec_a", PASSWORD).status_code == 429
    frozen.shift(dt.timedelta(minutes=15, seconds=1))
    assert log_in(client, "sec_a", PASSWORD).status_code == 302
    assert logged_in_as(client) == "sec_a"


def test_the_admin_login_locks_too(frozen):
    from surveys.organisation.models import User

    User.objects.create_superuser("root", password=PASSWORD)
    url = reverse("admin:login")
    client = fail(LIMIT, "root", url=url)

    response = log_in(client, "root", PASSWORD, url=url)

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert 'value="root"' in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302  # still not logged in
    # From the administrator's own machine the admin opens.
    own = Client(enforce_csrf_checks=True)
    assert log_in(own, "root", PASSWORD, url=url, ip=HOME).status_code == 302
    assert own.get(reverse("admin:index")).status_code == 200


def test_failures_at_the_admin_count_with_the_login_page(secretary_a, frozen):
    fail(LIMIT - 1, url=reverse("admin:login"))
    client = Client(enforce_csrf_checks=True)
    assert log_in(client, "sec_a", "wrong-password").status_code == 429
    assert log_in(client, "sec_a", PASSWORD).status_code == 429


def test_a_lockout_is_recorded_once_and_shown_in_the_audit_log(
    secretary_a, branch_a, office, frozen
):
    client = fail(LIMIT)
    log_in(client, "sec_a", PASSWORD)
    log_in(client, "sec_a", "wrong-again")

    events = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_LOCKED)
    assert events.count() == 1
    event = events.get()
    assert event.branch == branch_a
    assert event.detail["failures"] == LIMIT

    viewer = Client()
    viewer.force_login(office)
    html = viewer.get(reverse("audit_log")).content.decode()
    assert "登录被锁定" in html
    assert "账号：sec_a" in html and f"IP 地址：{ATTACKER}" in html
    assert f"连续输错次数：{LIMIT}" in html and "锁定至：2026年6月15日 18:15" in html


def test_a_lockout_of_an_unknown_username_is_recorded_without_a_branch(db, frozen):
    fail(LIMIT, "nobody")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_LOCKED)
    assert event.branch is None and event.detail["username"] == "nobody"


def people_page(client):
    return client.get(reverse("people")).content.decode()


def test_the_people_page_shows_a_locked_secretary_and_the_office_unlocks_her(
    secretary_a, secretary_b, branch_a, office, frozen
):
    client = fail(LIMIT)
    fail(LIMIT - 1, "sec_b")  # not yet locked
    viewer = Client(enforce_csrf_checks=True)
    viewer.force_login(office)

    html = people_page(viewer)
    assert "登录已被锁定的账号（1 个）" in html
    assert "已锁定" in html and "18:15 前不能从该设备登录" in html
    unlock = reverse("people_account_unlock", args=[secretary_a.pk])
    assert unlock in html
    assert reverse("people_account_unlock", args=[secretary_b.pk]) not in html

    confirm = viewer.get(unlock)
    assert confirm.status_code == 200 and "确认解除锁定" in confirm.content.decode()
    token = csrf_token_from(confirm.content.decode())
    response = viewer.post(unlock, {"csrfmiddlewaretoken": token}, follow=True)

    assert "已解除 王建国（sec_a）的登录锁定。" in response.content.decode()
    assert "登录已被锁定的账号" not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_UNLOCKED)
    assert (event.actor, event.branch, event.detail["username"]) == (office, branch_a, "sec_a")
    assert log_in(client, "sec_a", PASSWORD).status_code == 302
    audit = viewer.get(reverse("audit_log")).content.decode()
    assert "解除登录锁定" in audit and "账号：sec_a" in audit


def test_a_secretary_cannot_unlock_an_account(secretary_a, secretary_b, frozen):
    client = fail(LIMIT)
    other = Client()
    other.force_login(secretary_b)
    url = reverse("people_account_unlock", args=[secretary_a.pk])
    assert other.get(url).status_code == 403
    assert other.post(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_UNLOCKED).exists()
    assert log_in(client, "sec_a", PASSWORD).status_code == 429


def test_the_unlock_service_checks_the_office_itself(secretary_a, secretary_b):
    from surveys.core.permissions import NotOffice
    from surveys.organisation.services import account_unlock

    with pytest.raises(NotOffice):
        account_unlock(user=secretary_b, account=secretary_a)


def test_unlocking_an_account_that_is_not_locked_records_nothing(secretary_a, office):
    viewer = Client()
    viewer.force_login(office)
    response = viewer.post(reverse("people_account_unlock", args=[secretary_a.pk]), follow=True)
    assert "当前没有被锁定" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_UNLOCKED).exists()


def test_the_people_page_reads_lockouts_in_one_query(
    secretary_a, secretary_b, office, frozen, django_assert_num_queries
):
    viewer = Client()
    viewer.force_login(office)
    people_page(viewer)  # warm: the session and user are read on every page
    with django_assert_num_queries(6) as before:
        people_page(viewer)
    fail(LIMIT)
    fail(LIMIT, "sec_b")
    fail(LIMIT, "office_user", ip=HOME)
    with django_assert_num_queries(6):
        html = people_page(viewer)
    assert "登录已被锁定的账号（3 个）" in html
    assert any("axes_accessattempt" in q["sql"] for q in before.captured_queries)


def test_behind_the_trusted_proxy_each_client_is_locked_by_its_own_address(
    client, secretary_a, settings
):
    """Behind the configured proxy every request comes from the proxy's address: the lock
    follows the client address the proxy forwards, so one attacker can't lock the secretary
    out for everyone; a forwarded address from an untrusted peer is ignored."""
    settings.RONGHE_TRUSTED_PROXIES = ["10.0.0.5"]
    attacker = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": secretary_a.username, "password": "错的"}, **attacker
        )
    refused = client.post(
        reverse("login"), {"username": secretary_a.username, "password": PASSWORD}, **attacker
    )
    assert refused.status_code == 429
    office_pc = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    allowed = Client().post(
        reverse("login"), {"username": secretary_a.username, "password": PASSWORD}, **office_pc
    )
    assert allowed.status_code == 302
