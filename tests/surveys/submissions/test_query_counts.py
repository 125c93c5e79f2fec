"""The three requests of a deadline storm, pinned by their queries (README, "Performance"):
the questionnaire page, 保存草稿 and 提交. A count that grows is a cost every secretary pays
in the last hour; one that grows with the number of questions is a bug."""

import re

import pytest
from django.urls import reverse

from surveys.submissions.models import Submission
from tests.helpers import answer_post

pytestmark = pytest.mark.django_db


def _fixed(response):
    html = response.content.decode()
    html = re.sub(r'(value|nonce)="[A-Za-z0-9+/=_-]{20,}"', "", html)
    return re.sub(r'data-login-ends-in="\d+"', "", html)


def _url(round_):
    return reverse("questionnaire", args=[round_.pk])


def _draft(client, round_, questionnaire):
    response = client.post(_url(round_), answer_post(questionnaire, version=0))
    assert response.status_code == 302


def test_the_questionnaire_page_before_any_draft(
    client_a, open_round, questionnaire, django_assert_num_queries
):
    # session, user (with her branch), roster entry (with round, questionnaire, branch),
    # submission; then, once per process, the frozen questionnaire's dimensions and
    # questions (surveys/core/memo.py). The login's end is read from the session.
    with django_assert_num_queries(6):
        response = client_a.get(_url(open_round))
    assert response.status_code == 200
    assert 'name="version" value="0"' in response.content.decode()
    with django_assert_num_queries(4):
        again = client_a.get(_url(open_round))
    # The same page, but for what differs on every response (CSRF mask, script nonce, the
    # seconds left of the login).
    assert _fixed(again) == _fixed(response)


def test_the_questionnaire_page_with_a_draft(
    client_a, open_round, questionnaire, django_assert_num_queries
):
    _draft(client_a, open_round, questionnaire)
    # session, user, roster entry, submission, the draft's answers
    with django_assert_num_queries(5):
        response = client_a.get(_url(open_round))
    assert response.status_code == 200
    assert 'name="version" value="1"' in response.content.decode()


def test_saving_a_draft(client_a, open_round, questionnaire, django_assert_num_queries):
    _draft(client_a, open_round, questionnaire)
    data = answer_post(questionnaire, version=1, likert="3")
    # session, user, roster entry; the service: savepoint, the locked submission, answers
    # (one upsert), the version, the audit record, release. No read of the submission
    # before the service locks it, and the questions are the process's (read by the draft).
    with django_assert_num_queries(9):
        response = client_a.post(_url(open_round), data)
    assert response.status_code == 302
    assert Submission.objects.get().version == 2


def test_submitting(client_a, open_round, questionnaire, django_assert_num_queries):
    _draft(client_a, open_round, questionnaire)
    data = answer_post(questionnaire, version=1, action="submit")
    # the view's 3 as for a draft; the service's 23: savepoint, lock, answers, status,
    # snapshot (count, insert: from the rows just written), evidence, the scores
    # (reports.store: the scoring model's dimensions, questions, bands and dimension ids
    # once per process, two inserts, the unit's means in a savepoint: lock, two averages,
    # stale delete, upsert, the data version, release), the audit record, release. No
    # evidence check: the standard questionnaire requires no file.
    with django_assert_num_queries(26):
        response = client_a.post(_url(open_round), data)
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.score.index is not None
