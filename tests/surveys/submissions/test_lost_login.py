"""Typed answers survive a lost login, a stale CSRF token and a stale tab (issue 10).

The typing itself is kept in the browser (static/js/questionnaire.js; the browser half is
tests/browser/test_typed_answers_e2e.py). These tests check the server half: a POST
without a login is never accepted and leads back to the form after logging in; the page
gives the script its key, its restore switch and the login's end; a stale token's page
links back to the form; a stale tab is shown what is stored beside what it typed."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.audit.models import AuditEvent
from surveys.core.sessions import EXPIRES_KEY, SessionStore
from surveys.organisation.models import User
from surveys.questionnaires.models import Question
from surveys.submissions.models import Answer, Submission
from tests.conftest import PASSWORD, make_user
from tests.helpers import answer_post, csrf_token_from, first_question

pytestmark = pytest.mark.django_db

TYPED = "本支部与项目村党支部联建，共同推进灌区改造。"


@pytest.fixture
def url(open_round):
    return reverse("questionnaire", args=[open_round.pk])


def logged_in(user):
    """A browser that enforces CSRF, logged in through the login page."""
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login")).content.decode()
    response = client.post(
        reverse("login"),
        {
            "username": user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf_token_from(page),
        },
    )
    assert response.status_code == 302
    return client


def form_attrs(html):
    match = re.search(r'<form method="post" id="questionnaire-form"[^>]*>', html)
    assert match, "no questionnaire form"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(0)))


def test_post_after_the_login_ended_saves_nothing_and_leads_back_to_the_form(
    url, questionnaire, secretary_a
):
    tab = logged_in(secretary_a)
    token = csrf_token_from(tab.get(url).content.decode())
    # Logged out in another tab: the session is gone, the page (and its token) stays open.
    tab.post(reverse("logout"), {"csrfmiddlewaretoken": token})

    text = first_question(questionnaire, Question.Kind.TEXT)
    typed = answer_post(questionnaire, version=0, overrides={f"q_{text.code}": TYPED})
    response = tab.post(url, {**typed, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    assert not Submission.objects.exists()  # never accepted without a login
    assert not Answer.objects.filter(text=TYPED).exists()

    # Logging in again goes back to the form, which asks the script to put the copy back.
    login_page = tab.get(response.url).content.decode()
    back = tab.post(
        response.url,
        {
            "username": secretary_a.username,
            "password": PASSWORD,
            "next": url,
            "csrfmiddlewaretoken": csrf_token_from(login_page),
        },
    )
    assert back.status_code == 302 and back.url == url
    html = tab.get(url).content.decode()
    attrs = form_attrs(html)
    assert attrs["restore"] == "1"
    round_id, branch_id = url.split("/")[2], secretary_a.branch_id
    assert attrs["copy-key"] == f"ronghe.typed.v1.{secretary_a.pk}.{round_id}.{branch_id}"
    assert 'id="restored-notice"' in html and "您上次填写但未能保存的内容已恢复" in html
    assert "js/questionnaire.js" in html and "js/typed-copies.js" in html


def test_the_copy_key_names_the_user_so_no_one_reads_anothers_typing(url, secretary_a, branch_a):
    key_a = form_attrs(logged_in(secretary_a).get(url).content.decode())["copy-key"]
    # Branch A's next secretary, on the same office computer, gets a key of her own.
    successor = make_user("sec_a2", role=User.Role.SECRETARY, branch=branch_a)
    html = logged_in(successor).get(url).content.decode()
    key = form_attrs(html)["copy-key"]
    assert key_a.startswith(f"ronghe.typed.v1.{secretary_a.pk}.")
    assert key.startswith(f"ronghe.typed.v1.{successor.pk}.")
    # The site-wide script removes other users' copies: every page says who is logged in,
    # and the login page (where a secretary whose login ended lands) says no one.
    assert f'data-user-id="{successor.pk}"' in html
    assert "data-user-id" not in Client().get(reverse("login")).content.decode()


def test_stale_token_after_logging_in_again_links_back_to_the_form(url, questionnaire, secretary_a):
    tab = logged_in(secretary_a)
    stale_token = csrf_token_from(tab.get(url).content.decode())
    # Logged out and in again in another tab of the same browser: the token rotates.
    tab.post(reverse("logout"), {"csrfmiddlewaretoken": stale_token})
    page = tab.get(reverse("login")).content.decode()
    tab.post(
        reverse("login"),
        {"username": "sec_a", "password": PASSWORD, "csrfmiddlewaretoken": csrf_token_from(page)},
    )

    response = tab.post(
        url, {**answer_post(questionnaire, version=0), "csrfmiddlewaretoken": stale_token}
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html and "已保存在本浏览器中" in html
    assert f'href="{url}" id="back-to-form"' in html
    assert "javascript:" not in html and "<script" not in html
    assert not Submission.objects.exists()
    assert form_attrs(tab.get(url).content.decode())["restore"] == "1"


def test_stale_token_elsewhere_says_so_without_promising_a_copy(secretary_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary_a)
    response = client.post(reverse("password_change"), {})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html
    assert "本浏览器中" not in html and "back-to-form" not in html


def test_page_says_when_the_login_ends(url, secretary_a):
    # Logged in 11 h 55 min ago: the 12-hour login ends in 5 minutes, whatever the requests
    # since (the page reads the end from the session, not "now + the age").
    with time_machine.travel(timezone.now() - dt.timedelta(hours=11, minutes=55), tick=False):
        tab = logged_in(secretary_a)
        tab.get(url)
    html = tab.get(url).content.decode()
    seconds = int(form_attrs(html)["login-ends-in"])
    assert 4 * 60 < seconds <= 5 * 60
    assert 'id="session-warning"' in html and "保存草稿" in html


def test_a_session_saved_before_the_end_was_kept_in_it_reads_the_row(url, secretary_a):
    tab = logged_in(secretary_a)
    row = Session.objects.get()
    data = row.get_decoded()
    del data[EXPIRES_KEY]
    row.session_data = SessionStore().encode(data)
    row.expire_date = timezone.now() + dt.timedelta(minutes=5)
    row.save()
    seconds = int(form_attrs(tab.get(url).content.decode())["login-ends-in"])
    assert 4 * 60 < seconds <= 5 * 60


def test_questionnaire_page_query_count_is_pinned(
    client_a, url, questionnaire, django_assert_num_queries
):
    assert client_a.post(url, answer_post(questionnaire, version=0)).status_code == 302
    # session, user (with her branch), entry, submission, answers: the sections are the
    # process's (read by the draft) and the login's end is in the session
    with django_assert_num_queries(5):
        assert client_a.get(url).status_code == 200


def stale_tab_after_submit(client, url, questionnaire, open_round, branch_a):
    """Tab one opened the empty page; tab two submitted; tab one now saves its typing."""
    text = first_question(questionnaire, Question.Kind.TEXT)
    likert = first_question(questionnaire, Question.Kind.LIKERT)
    submitted = answer_post(questionnaire, version=0, action="submit", likert="4")
    assert client.post(url, submitted).status_code == 302
    typed = answer_post(
        questionnaire,
        version=0,
        action="save",
        likert="4",
        overrides={f"q_{likert.code}": "2", f"q_{text.code}": TYPED},
    )
    return typed, likert, text


def test_save_from_a_tab_opened_before_the_submit_shows_both_side_by_side(
    client_a, url, questionnaire, open_round, branch_a
):
    typed, likert, text = stale_tab_after_submit(client_a, url, questionnaire, open_round, branch_a)

    response = client_a.post(url, typed)

    assert response.status_code == 200
    html = response.content.decode()
    assert "这份答卷已经提交，本页的内容没有保存" in html
    assert "没有丢失" in html and "退回" in html
    table = html.split('id="typed-beside-saved-table"', 1)[1].split("</table>", 1)[0]
    assert table.count('<tr class="answers">') == 2  # only the two questions that differ
    assert likert.text in table and text.text in table
    assert "4 · 比较符合" in table and "2 · 比较不符合" in table
    assert TYPED in table
    # Nothing discarded: the typing is still in the form, guarded before leaving, and the
    # page says which version is current; nothing was written.
    assert f'name="q_{likert.code}" value="2" id="id_q_{likert.code}_1" checked' in html
    assert TYPED in html.split('id="questionnaire-form"', 1)[1]
    assert 'data-unsaved="1"' in html
    assert 'name="action"' not in html  # no save button that could only fail again
    submission = Submission.objects.get(round=open_round, branch=branch_a)
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.answers.get(question=likert).likert == 4
    assert not submission.answers.filter(text=TYPED).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DRAFT_SAVED).count() == 0


def test_incomplete_submit_from_a_stale_tab_is_shown_side_by_side_too(
    client_a, url, questionnaire, open_round, branch_a
):
    typed, likert, text = stale_tab_after_submit(client_a, url, questionnaire, open_round, branch_a)
    incomplete = {k: v for k, v in typed.items() if k != f"q_{likert.code}"}

    response = client_a.post(url, {**incomplete, "action": "submit"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "这份答卷已经提交，本页的内容没有保存" in html
    assert TYPED in html.split('id="typed-beside-saved-table"', 1)[1]


def test_stale_tab_comparison_query_count_is_pinned(
    client_a, url, questionnaire, open_round, branch_a, django_assert_num_queries
):
    typed, _likert, _text = stale_tab_after_submit(
        client_a, url, questionnaire, open_round, branch_a
    )
    client_a.get(reverse("home"))
    # session, user (with her branch), entry; the save: savepoint, lock, stored answers,
    # release; the comparison: submission, answers (the questions are the process's, and
    # the login's end is in the session)
    with django_assert_num_queries(9):
        assert client_a.post(url, typed).status_code == 200


def test_stale_draft_save_shows_the_newer_draft_beside_the_typing(
    client_a, url, questionnaire, open_round, branch_a
):
    likert = first_question(questionnaire, Question.Kind.LIKERT)
    assert client_a.post(url, {"version": "0", f"q_{likert.code}": "5"}).status_code == 302

    response = client_a.post(url, {"version": "0", f"q_{likert.code}": "1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "其他窗口或设备上更新过" in html
    table = html.split('id="typed-beside-saved-table"', 1)[1].split("</table>", 1)[0]
    assert "已保存的答案" in table and "5 · 完全符合" in table and "1 · 完全不符合" in table
    assert 'name="version" value="1"' in html
    assert 'name="action"' in html  # a draft can still be saved, knowingly


def test_stale_page_posting_exactly_what_is_stored_is_not_refused(
    client_a, url, questionnaire, open_round, branch_a
):
    draft = answer_post(questionnaire, version=0)
    assert client_a.post(url, draft).status_code == 302
    # The same answers from a page opened at version 0 overwrite nothing: no lock needed.
    again = client_a.post(url, {**draft, "action": "submit"})
    assert again.status_code == 302
    assert Submission.objects.get(round=open_round, branch=branch_a).status == "submitted"
    assert "答卷已提交" in client_a.get(again.url).content.decode()


def test_replayed_submit_answers_as_the_first_one_did(
    client_a, url, questionnaire, open_round, branch_a
):
    data = answer_post(questionnaire, version=0, action="submit")
    first = client_a.post(url, data)
    client_a.get(first.url)  # read the first answer's message
    second = client_a.post(url, data)
    assert second.status_code == 302 and second.url == first.url
    assert "答卷已提交。感谢您的认真填写！" in client_a.get(second.url).content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SUBMITTED).count() == 1

    # A draft save of the very same answers after the submit says there is nothing to do.
    third = client_a.post(url, {**data, "action": "save"})
    assert third.status_code == 302
    assert "与已提交的答案相同" in client_a.get(third.url).content.decode()
