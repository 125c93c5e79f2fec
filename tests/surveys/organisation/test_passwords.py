"""New passwords (a reset, a handover's new account) show once, after a redirect: a reload
or back/forward shows that they were shown instead of issuing another; while they wait for
their page they are sealed in the session, which lives in the database."""

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from surveys.audit.models import AuditEvent
from surveys.organisation import passwords
from surveys.organisation.models import User
from surveys.organisation.passwords import NEW_PASSWORDS, SEAL_COOKIE
from tests.conftest import PASSWORD
from tests.helpers import csrf_token_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(office):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    return client


def post_form(client, url, data=None):
    token = csrf_token_from(client.get(url).content.decode())
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token})


def shown_password(html):
    return html.split('id="shown-password">', 1)[1].split("<", 1)[0]


def stored_sessions():
    """What the database holds for every session: the raw column and its decoded data."""
    return " ".join(f"{s.session_data} {s.get_decoded()}" for s in Session.objects.all())


# Reset -------------------------------------------------------------------------------------


def test_reloading_the_reset_result_issues_no_second_password(office_client, secretary_a):
    reset = reverse("people_password_reset", args=[secretary_a.pk])
    response = post_form(office_client, reset)
    done = reverse("people_password_reset_done", args=[secretary_a.pk])
    assert (response.status_code, response.url) == (302, done)
    held = stored_sessions()

    page = office_client.get(done)
    assert page["Cache-Control"].startswith("max-age=0")
    password = shown_password(page.content.decode())
    assert password not in held, "the database never holds the plaintext"
    assert "打印" in page.content.decode()

    # The reload (or back/forward) repeats only the GET.
    again = office_client.get(done).content.decode()
    assert password not in again and 'id="shown-password"' not in again
    assert "现已不再显示" in again and "刷新本页不会生成新密码" in again
    assert f'href="{reset}"' in again, "a new reset is offered, not made"
    secretary_a.refresh_from_db()
    assert secretary_a.check_password(password), "the password handed out still works"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_RESET).count() == 1
    assert not office_client.session[NEW_PASSWORDS]


def test_a_result_page_without_a_reset_resets_nothing(office_client, secretary_a):
    html = office_client.get(
        reverse("people_password_reset_done", args=[secretary_a.pk])
    ).content.decode()
    assert "现已不再显示" in html and 'id="shown-password"' not in html
    assert User.objects.get(pk=secretary_a.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.exists()


def test_two_resets_in_two_tabs_each_show_their_own_password(
    office_client, secretary_a, secretary_b
):
    for secretary in (secretary_a, secretary_b):
        post_form(office_client, reverse("people_password_reset", args=[secretary.pk]))
    for secretary in (secretary_a, secretary_b):
        page = office_client.get(reverse("people_password_reset_done", args=[secretary.pk]))
        password = shown_password(page.content.decode())
        assert User.objects.get(pk=secretary.pk).check_password(password)


def test_the_password_opens_only_with_the_key_in_the_browser_that_asked(
    office_client, office, secretary_a
):
    post_form(office_client, reverse("people_password_reset", args=[secretary_a.pk]))
    assert office_client.cookies[SEAL_COOKIE]["httponly"]
    assert office_client.cookies[SEAL_COOKIE]["path"] == reverse("people")
    # The same session without the key: a copy of the session row is not enough.
    del office_client.cookies[SEAL_COOKIE]
    html = office_client.get(
        reverse("people_password_reset_done", args=[secretary_a.pk])
    ).content.decode()
    assert 'id="shown-password"' not in html and "现已不再显示" in html


# Handover to a new account -------------------------------------------------------------------


def test_reloading_the_handover_result_shows_no_password_again(
    office_client, secretary_a, branch_a
):
    url = reverse("people_branch_handover", args=[branch_a.pk])
    data = {"mode": "new", "name": "陈晓东", "phone": "13700001111", "username": "chenxd"}
    response = post_form(office_client, url, data)
    done = reverse("people_branch_handover_done", args=[branch_a.pk])
    assert (response.status_code, response.url) == (302, done)
    held = stored_sessions()

    html = office_client.get(done).content.decode()
    password = shown_password(html)
    assert password not in held
    assert "chenxd" in html and "初始密码" in html and "打印" in html

    again = office_client.get(done).content.decode()
    assert password not in again and "现已不再显示" in again
    new = User.objects.get(username="chenxd")
    assert reverse("people_password_reset", args=[new.pk]) in again
    assert new.check_password(password)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SECRETARY_CHANGED).count() == 1


# Sealing -------------------------------------------------------------------------------------


def test_sealed_text_opens_with_its_key_only():
    key = passwords.new_key()
    sealed = passwords.seal(key, "Ab3defGh9k")
    assert "Ab3defGh9k" not in sealed
    assert passwords.unseal(key, sealed) == "Ab3defGh9k"
    assert passwords.seal(key, "Ab3defGh9k") != sealed, "a fresh nonce every time"
    assert passwords.unseal(passwords.new_key(), sealed) is None
    tampered = sealed[:-4] + ("AAAA" if sealed[-4:] != "AAAA" else "BBBB")
    assert passwords.unseal(key, tampered) is None
    for bad_key in ("", "not base64!", "c2hvcnQ="):
        assert not passwords.is_key(bad_key)
        assert passwords.unseal(bad_key, sealed) is None
    assert passwords.unseal(key, "%%%") is None
    assert passwords.unseal(key, passwords.seal(key, "")) == ""
    assert passwords.unseal(key, passwords.seal(key, "张建国 密码")) == "张建国 密码"


def test_a_held_password_stops_opening_after_an_hour():
    key = passwords.new_key()
    sealed_at = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(sealed_at, tick=False):
        sealed = passwords.seal(key, "Ab3defGh9k")
    for minutes, expected in ((59, "Ab3defGh9k"), (61, None)):
        with time_machine.travel(sealed_at + dt.timedelta(minutes=minutes), tick=False):
            assert passwords.unseal(key, sealed, passwords.SEAL_SECONDS) == expected
