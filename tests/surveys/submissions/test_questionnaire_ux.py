"""The secretary's questionnaire after a failed submit or save: nothing typed is lost, every
problem is linked from a summary, and the page warns before input the server did not keep
is left behind."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from surveys.audit.models import AuditEvent
from surveys.questionnaires.models import Question
from surveys.submissions.models import Submission, SubmissionSnapshot
from tests.helpers import answer_post, first_question

pytestmark = pytest.mark.django_db

TYPED = "支部与项目所在村党支部联建，每月共同研究一次重点工作。"


@pytest.fixture
def url(open_round):
    return reverse("questionnaire", args=[open_round.pk])


def required_codes_in_page_order(questionnaire):
    return list(
        questionnaire.questions.filter(required=True)
        .order_by("dimension__order", "dimension_id", "order", "id")
        .values_list("code", flat=True)
    )


def summary_links(html):
    summary = html.split('id="error-summary"', 1)[1].split("</details>", 1)[0]
    return re.findall(r'href="#q-([^"]+)"', summary)


def test_incomplete_submit_with_a_bad_value_saves_nothing_and_warns_before_leaving(
    client_a, url, questionnaire
):
    likert = first_question(questionnaire, Question.Kind.LIKERT)
    number = first_question(questionnaire, Question.Kind.NUMBER)
    text = first_question(questionnaire, Question.Kind.TEXT)
    data = answer_post(
        questionnaire,
        version=0,
        action="submit",
        skip={likert.code},
        overrides={f"q_{number.code}": "-3", f"q_{text.code}": TYPED},
    )
    response = client_a.post(url, data)

    # A value a draft refuses too cannot be kept: nothing is written, the input stays on
    # the page, and the page warns before it is left.
    assert response.status_code == 200
    html = response.content.decode()
    assert not Submission.objects.exists()
    assert TYPED in html and 'value="-3"' in html
    assert 'data-unsaved="1"' in html
    assert "答卷尚未提交" in html
    assert summary_links(html) == [likert.code, number.code]
    assert "请填写 0–60 的整数。" in html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]


def test_incomplete_submit_from_a_stale_page_keeps_the_newer_draft(
    client_a, url, questionnaire, open_round, branch_a
):
    likert = first_question(questionnaire, Question.Kind.LIKERT)
    text = first_question(questionnaire, Question.Kind.TEXT)
    # Two tabs opened the empty page (version 0); tab one saves first.
    assert client_a.post(url, {"version": "0", f"q_{likert.code}": "5"}).status_code == 302
    stale = {"version": "0", "action": "submit", f"q_{text.code}": TYPED}

    response = client_a.post(url, stale)

    assert response.status_code == 200
    html = response.content.decode()
    assert "其他窗口或设备上更新过" in html
    assert TYPED in html and 'data-unsaved="1"' in html
    assert 'name="version" value="1"' in html
    submission = Submission.objects.get(round=open_round, branch=branch_a)
    assert submission.version == 1
    assert submission.answers.get(question=likert).likert == 5
    assert not submission.answers.filter(text=TYPED).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DRAFT_SAVED).count() == 1

    # From the refreshed version the same submit now knowingly keeps the typed text.
    again = client_a.post(url, {**stale, "version": "1"})
    assert again.status_code == 302
    submission.refresh_from_db()
    assert submission.version == 2 and submission.status == Submission.Status.DRAFT
    assert submission.answers.get(question=text).text == TYPED


def test_incomplete_submit_after_the_deadline_saves_nothing(
    client_a, url, questionnaire, open_round, secretary_a
):
    text = first_question(questionnaire, Question.Kind.TEXT)
    with time_machine.travel(open_round.closes_at + dt.timedelta(minutes=1), tick=False):
        client_a.force_login(secretary_a)
        response = client_a.post(url, {"version": "0", "action": "submit", f"q_{text.code}": TYPED})
    assert response.status_code == 200
    html = response.content.decode()
    assert "截止" in html and TYPED in html and 'data-unsaved="1"' in html
    assert not Submission.objects.exists()


def test_incomplete_resubmit_of_a_returned_submission_stays_returned(
    client_a, url, questionnaire, open_round, branch_a
):
    client_a.post(url, answer_post(questionnaire, version=0, action="submit"))
    submission = Submission.objects.get(round=open_round, branch=branch_a)
    submission.status = Submission.Status.RETURNED
    submission.save(update_fields=["status"])
    likert = first_question(questionnaire, Question.Kind.LIKERT)
    text = first_question(questionnaire, Question.Kind.TEXT)

    response = client_a.post(
        url,
        answer_post(
            questionnaire,
            version=submission.version,
            action="submit",
            skip={likert.code},
            overrides={f"q_{text.code}": TYPED},
        ),
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    assert submission.answers.get(question=text).text == TYPED
    assert SubmissionSnapshot.objects.filter(submission=submission).count() == 1


def test_error_summary_links_every_missing_question_in_page_order(client_a, url, questionnaire):
    response = client_a.post(url, {"version": "0", "action": "submit"})
    assert response.status_code == 302
    html = client_a.get(response.url).content.decode()

    expected = required_codes_in_page_order(questionnaire)
    assert len(expected) > 5
    assert f"还有 {len(expected)} 道题需要补充或更正" in html
    assert summary_links(html) == expected
    # The first five are in view; the rest fold away under one line.
    assert f"查看其余 {len(expected) - 5} 道" in html
    for code in expected:
        assert f'id="q-{code}"' in html
    # The saved draft is shown as saved: no warning before leaving.
    assert "data-unsaved" not in html


def test_plain_questionnaire_page_has_no_summary_and_is_not_marked_unsaved(client_a, url):
    html = client_a.get(url).content.decode()
    assert 'id="error-summary"' not in html
    assert "data-unsaved" not in html
    assert "此题为必答题" not in html


def test_each_likert_option_is_named_once(client_a, url, questionnaire):
    likert = first_question(questionnaire, Question.Kind.LIKERT)
    html = client_a.get(url).content.decode()
    row = html.split(f'id="q-{likert.code}"', 1)[1].split("</tr>", 1)[0]
    # One label text per radio, in the span the stylesheet shows on phones only.
    assert row.count("完全不符合") == 1
    assert row.count('<span class="opt-label">') == 5


def test_yes_no_options_are_whole_label_targets(client_a, url, questionnaire):
    yes_no = first_question(questionnaire, Question.Kind.YES_NO)
    html = client_a.get(url).content.decode()
    block = html.split(f'id="q-{yes_no.code}"', 1)[1].split('<div class="mb-3 question', 1)[0]
    assert block.count('class="choice-option"') == 2
