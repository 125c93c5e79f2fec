"""The three requests of a deadline storm, pinned by their queries (README, "Performance"):
the questionnaire page, 保存草稿 and 提交. A count that grows is a cost every secretary pays
in the last hour; one that grows with the number of questions is a bug."""

import pytest
from django.urls import reverse

from surveys.submissions.models import Submission
from tests.helpers import answer_post

pytestmark = pytest.mark.django_db


def _url(round_):
    return reverse("questionnaire", args=[round_.pk])


def _draft(client, round_, questionnaire):
    response = client.post(_url(round_), answer_post(questionnaire, version=0))
    assert response.status_code == 302


def test_the_questionnaire_page_before_any_draft(
    client_a, open_round, questionnaire, django_assert_num_queries
):
    # session, user, roster entry (with round, questionnaire, branch: the frame's branch
    # too), submission, dimensions, questions, the login's end
    with django_assert_num_queries(7):
        response = client_a.get(_url(open_round))
    assert response.status_code == 200
    assert 'name="version" value="0"' in response.content.decode()


def test_the_questionnaire_page_with_a_draft(
    client_a, open_round, questionnaire, django_assert_num_queries
):
    _draft(client_a, open_round, questionnaire)
    # as before, plus the draft's answers
    with django_assert_num_queries(8):
        response = client_a.get(_url(open_round))
    assert response.status_code == 200
    assert 'name="version" value="1"' in response.content.decode()


def test_saving_a_draft(client_a, open_round, questionnaire, django_assert_num_queries):
    _draft(client_a, open_round, questionnaire)
    data = answer_post(questionnaire, version=1, likert="3")
    # session, user, roster entry, dimensions, questions; the service: savepoint, questions,
    # the locked submission, answers (one upsert), the version, the audit record, release.
    # No read of the submission before the service locks it.
    with django_assert_num_queries(12):
        response = client_a.post(_url(open_round), data)
    assert response.status_code == 302
    assert Submission.objects.get().version == 2


def test_submitting(client_a, open_round, questionnaire, django_assert_num_queries):
    _draft(client_a, open_round, questionnaire)
    data = answer_post(questionnaire, version=1, action="submit")
    # the view's 5 as for a draft; the service's 30: lock, answers, evidence check, status,
    # snapshot (count, answers, insert), evidence, and the scores (reports.store: round,
    # questionnaire, dimensions, questions, bands, answers, dimension ids, branch, two
    # inserts, the unit's means in a savepoint, the data version), the audit record
    with django_assert_num_queries(35):
        response = client_a.post(_url(open_round), data)
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.score.index is not None
