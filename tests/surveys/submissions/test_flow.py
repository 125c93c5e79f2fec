"""The branch secretary's flow, through the test client with CSRF enforced."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from surveys.audit.models import AuditEvent
from surveys.questionnaires.models import Question
from surveys.rounds.models import RosterEntry
from surveys.submissions.models import Answer, Submission, SubmissionSnapshot
from tests.conftest import PASSWORD
from tests.helpers import answer_post, csrf_token_from, first_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client(secretary_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary_a)
    return client


def post_form(client, url, data):
    """POST the way a browser does: token from the rendered page, cookie from the client."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, {**data, "csrfmiddlewaretoken": csrf_token_from(page.content.decode())})


def relogin_token(client, user, url):
    """Log in again at the travelled-to time (a session lasts 12 hours) and fetch a token."""
    client.force_login(user)
    return csrf_token_from(client.get(url).content.decode())


def submission_of(round_, branch):
    return Submission.objects.get(round=round_, branch=branch)


def test_login_page_speaks_chinese_and_logs_in(secretary_a, open_round):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    assert "登录" in page.content.decode()
    response = client.post(
        reverse("login"),
        {
            "username": "sec_a",
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf_token_from(page.content.decode()),
        },
    )
    assert response.status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert "我的测评任务" in home
    assert open_round.name in home
    assert "开始填写" in home


def test_post_without_csrf_token_is_refused(csrf_client, open_round, questionnaire):
    url = reverse("questionnaire", args=[open_round.pk])
    response = csrf_client.post(url, answer_post(questionnaire, version=0))
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_questionnaire_page_shows_sections_items_and_progress(csrf_client, open_round):
    html = csrf_client.get(reverse("questionnaire", args=[open_round.pk])).content.decode()
    for name in ("学用结合", "组织生活实效", "内生活力"):
        assert name in html
    assert "完全不符合" in html and "完全符合" in html
    assert 'id="progress-bar"' in html
    assert "保存草稿" in html and "确认提交" in html
    assert 'class="required-mark"' in html


def test_draft_is_kept_and_restored(csrf_client, open_round, questionnaire, branch_a):
    url = reverse("questionnaire", args=[open_round.pk])
    likert = first_question(questionnaire, Question.Kind.LIKERT)
    text = first_question(questionnaire, Question.Kind.TEXT)
    data = {
        "version": "0",
        "action": "save",
        f"q_{likert.code}": "2",
        f"q_{text.code}": "支部与项目所在村党支部联建。",
    }
    response = post_form(csrf_client, url, data)
    assert response.status_code == 302

    submission = submission_of(open_round, branch_a)
    assert submission.status == Submission.Status.DRAFT
    assert submission.answers.get(question=likert).likert == 2

    html = csrf_client.get(url).content.decode()
    assert f'name="q_{likert.code}" value="2" id="id_q_{likert.code}_1" checked' in html
    assert "支部与项目所在村党支部联建。" in html
    assert 'name="version" value="1"' in html
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DRAFT_SAVED, actor__username="sec_a", submission=submission
    ).exists()


def test_incomplete_submit_keeps_input_as_draft_and_shows_inline_errors(
    csrf_client, open_round, questionnaire, branch_a
):
    url = reverse("questionnaire", args=[open_round.pk])
    likert = first_question(questionnaire, Question.Kind.LIKERT)
    text = first_question(questionnaire, Question.Kind.TEXT)
    data = answer_post(
        questionnaire,
        version=0,
        action="submit",
        skip={likert.code},
        overrides={f"q_{text.code}": "我们的典型做法是党建+N。"},
    )
    response = post_form(csrf_client, url, data)
    # What was typed is kept as the draft, through the draft service and its audit record.
    assert response.status_code == 302
    assert response.url == f"{url}?check=1"
    submission = submission_of(open_round, branch_a)
    assert submission.status == Submission.Status.DRAFT
    assert submission.version == 1
    assert submission.answers.get(question=text).text == "我们的典型做法是党建+N。"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DRAFT_SAVED, submission=submission
    ).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SUBMITTED).exists()
    assert not SubmissionSnapshot.objects.exists()

    html = csrf_client.get(response.url).content.decode()
    assert "此题为必答题" in html
    assert "答卷尚未提交" in html and "已保存为草稿" in html
    assert "我们的典型做法是党建+N。" in html
    assert f'href="#q-{likert.code}"' in html and f'id="q-{likert.code}"' in html
    assert 'name="version" value="1"' in html


def test_invalid_number_is_refused_without_losing_input(csrf_client, open_round, questionnaire):
    # Issue 11: one bad number blocks only its own item; the rest of the draft is saved.
    url = reverse("questionnaire", args=[open_round.pk])
    number = first_question(questionnaire, Question.Kind.NUMBER)
    text = first_question(questionnaire, Question.Kind.TEXT)
    data = answer_post(
        questionnaire,
        version=0,
        overrides={f"q_{number.code}": "-3", f"q_{text.code}": "党员先锋岗覆盖全部科室"},
    )
    response = post_form(csrf_client, url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写 0–60 的整数。" in html
    assert 'value="-3"' in html
    assert "党员先锋岗覆盖全部科室" in html
    assert not Answer.objects.filter(question=number).exclude(number=None).exists()
    assert Answer.objects.get(question=text).text == "党员先锋岗覆盖全部科室"


def test_submit_makes_submission_read_only(csrf_client, open_round, questionnaire, branch_a):
    url = reverse("questionnaire", args=[open_round.pk])
    response = post_form(csrf_client, url, answer_post(questionnaire, version=0, action="submit"))
    submission = submission_of(open_round, branch_a)
    assert response.status_code == 302
    assert response.url == reverse("submission_detail", args=[submission.pk])

    assert submission.status == Submission.Status.SUBMITTED
    assert submission.submitted_by.username == "sec_a"
    assert submission.submitted_at is not None
    assert submission.answers.count() == questionnaire.questions.count()
    snapshot = SubmissionSnapshot.objects.get(submission=submission)
    assert snapshot.number == 1
    assert len(snapshot.answers) == questionnaire.questions.count()
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.SUBMITTED, submission=submission, actor__username="sec_a"
        ).count()
        == 1
    )

    detail = csrf_client.get(response.url).content.decode()
    assert "只读" in detail and "王建国" in detail and "提交" in detail
    assert 'name="action"' not in detail

    # The form page now leads to the read-only view, and a late save changes nothing
    # (it is shown beside the submitted answers: tests/surveys/submissions/test_lost_login.py).
    assert csrf_client.get(url).url == response.url
    replay = csrf_client.post(
        url,
        {
            **answer_post(questionnaire, version=submission.version, likert="1"),
            "csrfmiddlewaretoken": csrf_client.cookies["csrftoken"].value,
        },
    )
    assert replay.status_code == 200
    assert not Answer.objects.filter(submission=submission, likert=1).exists()


def test_double_submit_yields_one_submission_and_the_same_result(
    csrf_client, open_round, questionnaire, branch_a
):
    url = reverse("questionnaire", args=[open_round.pk])
    page = csrf_client.get(url).content.decode()
    data = {
        **answer_post(questionnaire, version=0, action="submit"),
        "csrfmiddlewaretoken": csrf_token_from(page),
    }
    first = csrf_client.post(url, data)
    second = csrf_client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Submission.objects.count() == 1
    assert SubmissionSnapshot.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SUBMITTED).count() == 1
    # The replay answers as the first submit did: the answers are submitted.
    assert "答卷已提交" in csrf_client.get(second.url).content.decode()


def test_stale_save_is_refused_and_newer_answers_kept(
    csrf_client, open_round, questionnaire, branch_a
):
    url = reverse("questionnaire", args=[open_round.pk])
    likert = first_question(questionnaire, Question.Kind.LIKERT)
    token = csrf_token_from(csrf_client.get(url).content.decode())
    # Two tabs opened the same empty page (version 0); tab one saves first.
    tab_one = {"version": "0", "action": "save", f"q_{likert.code}": "5"}
    tab_two = {
        "version": "0",
        "action": "save",
        f"q_{likert.code}": "1",
        "csrfmiddlewaretoken": token,
    }
    assert csrf_client.post(url, {**tab_one, "csrfmiddlewaretoken": token}).status_code == 302

    response = csrf_client.post(url, tab_two)
    assert response.status_code == 200
    html = response.content.decode()
    assert "其他窗口或设备上更新过" in html
    # Tab two's input is still on the page, and the database keeps tab one's answer.
    assert f'name="q_{likert.code}" value="1" id="id_q_{likert.code}_0" checked' in html
    assert submission_of(open_round, branch_a).answers.get(question=likert).likert == 5
    assert 'name="version" value="1"' in html

    # Saving again from the refreshed version now knowingly replaces the answer.
    resave = csrf_client.post(url, {**tab_two, "version": "1"})
    assert resave.status_code == 302
    assert submission_of(open_round, branch_a).answers.get(question=likert).likert == 1


def test_stale_submit_is_refused(csrf_client, open_round, questionnaire, branch_a):
    url = reverse("questionnaire", args=[open_round.pk])
    token = csrf_token_from(csrf_client.get(url).content.decode())
    draft = answer_post(questionnaire, version=0, likert="3")
    assert csrf_client.post(url, {**draft, "csrfmiddlewaretoken": token}).status_code == 302
    stale = answer_post(questionnaire, version=0, action="submit", likert="5")
    response = csrf_client.post(url, {**stale, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert submission_of(open_round, branch_a).status == Submission.Status.DRAFT
    assert not Answer.objects.filter(likert=5).exists()


def test_after_the_deadline_nothing_is_saved(csrf_client, open_round, questionnaire, secretary_a):
    url = reverse("questionnaire", args=[open_round.pk])
    with time_machine.travel(open_round.closes_at + dt.timedelta(minutes=1), tick=False):
        token = relogin_token(csrf_client, secretary_a, url)
        for action in ("save", "submit"):
            data = answer_post(questionnaire, version=0, action=action)
            response = csrf_client.post(url, {**data, "csrfmiddlewaretoken": token})
            assert response.status_code == 200
            assert "已于" in response.content.decode() and "截止" in response.content.decode()
        page = csrf_client.get(url).content.decode()
        assert "不在填报时间内" in page
        assert 'id="save-button"' not in page
    assert not Submission.objects.exists()


def test_just_before_the_deadline_submit_works(csrf_client, open_round, questionnaire, secretary_a):
    url = reverse("questionnaire", args=[open_round.pk])
    with time_machine.travel(open_round.closes_at - dt.timedelta(seconds=1), tick=False):
        token = relogin_token(csrf_client, secretary_a, url)
        data = answer_post(questionnaire, version=0, action="submit")
        response = csrf_client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


def test_before_the_round_opens_nothing_is_saved(
    csrf_client, open_round, questionnaire, secretary_a
):
    url = reverse("questionnaire", args=[open_round.pk])
    with time_machine.travel(open_round.opens_at - dt.timedelta(minutes=1), tick=False):
        token = relogin_token(csrf_client, secretary_a, url)
        data = answer_post(questionnaire, version=0)
        response = csrf_client.post(url, {**data, "csrfmiddlewaretoken": token})
        assert "开始" in response.content.decode()
    assert not Submission.objects.exists()


def test_branch_deadline_extension_lets_that_branch_submit(
    csrf_client, open_round, questionnaire, branch_a, secretary_a
):
    RosterEntry.objects.filter(round=open_round, branch=branch_a).update(
        closes_at_override=open_round.closes_at + dt.timedelta(days=2), override_reason="汛期抢险"
    )
    url = reverse("questionnaire", args=[open_round.pk])
    with time_machine.travel(open_round.closes_at + dt.timedelta(days=1), tick=False):
        token = relogin_token(csrf_client, secretary_a, url)
        data = answer_post(questionnaire, version=0, action="submit")
        response = csrf_client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_returned_submission_is_editable_again(csrf_client, open_round, questionnaire, branch_a):
    url = reverse("questionnaire", args=[open_round.pk])
    post_form(csrf_client, url, answer_post(questionnaire, version=0, action="submit"))
    submission = submission_of(open_round, branch_a)
    submission.status = Submission.Status.RETURNED
    submission.return_reason = "请补充第一议题落实情况"
    submission.save(update_fields=["status", "return_reason"])

    page = csrf_client.get(url)
    assert page.status_code == 200
    assert "请补充第一议题落实情况" in page.content.decode()
    response = post_form(
        csrf_client, url, answer_post(questionnaire, version=submission.version, action="submit")
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert list(submission.snapshots.values_list("number", flat=True)) == [1, 2]


def test_office_reads_but_cannot_change(client, office, open_round, questionnaire, secretary_a):
    client.force_login(secretary_a)
    client.post(
        reverse("questionnaire", args=[open_round.pk]),
        answer_post(questionnaire, version=0, action="submit"),
    )
    submission = Submission.objects.get()
    client.force_login(office)
    assert client.get(reverse("submission_detail", args=[submission.pk])).status_code == 200
    response = client.post(
        reverse("questionnaire", args=[open_round.pk]),
        answer_post(questionnaire, version=submission.version, likert="1"),
    )
    assert response.status_code == 403
    assert not Answer.objects.filter(likert=1).exists()
