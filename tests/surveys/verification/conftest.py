"""Two submitted submissions (branch A all 4s, branch B all 2s) and the office's review
form posted as a person would post it."""

import pytest
from django.urls import reverse

from surveys.organisation.models import User
from surveys.questionnaires.models import Question
from surveys.verification.models import VerifiedAnswer
from tests.conftest import make_user
from tests.helpers import submit


@pytest.fixture
def two_submitted(client, secretary_a, secretary_b, open_round, questionnaire):
    a = submit(client, secretary_a, open_round, questionnaire, likert="4")
    b = submit(client, secretary_b, open_round, questionnaire, likert="2")
    return a, b


@pytest.fixture
def office2(db):
    return make_user("office_two", role=User.Role.OFFICE, last_name="赵", first_name="敏")


def plain_likert(questionnaire):
    """The first Likert item that is not reverse-keyed (a 4 scores 75, a 2 scores 25)."""
    return (
        Question.objects.filter(
            questionnaire=questionnaire, kind=Question.Kind.LIKERT, reverse_keyed=False
        )
        .order_by("dimension__order", "order")
        .first()
    )


def review_post(submission, changes, *, version):
    """The review form as the office posts it: every verified value already stored, with
    `changes` ({code: (value, reason)}) typed over them."""
    data = {"version": str(version)}
    for item in VerifiedAnswer.objects.filter(verification__submission=submission).select_related(
        "question"
    ):
        value = item.value
        data[f"v_{item.question.code}"] = (
            "1" if value is True else "0" if value is False else str(value)
        )
        data[f"r_{item.question.code}"] = item.reason
    for code, (value, reason) in changes.items():
        data[f"v_{code}"] = value
        data[f"r_{code}"] = reason
    return data


def verify(client, user, submission, changes, *, version=0):
    client.force_login(user)
    response = client.post(
        reverse("verification_review", args=[submission.pk]),
        review_post(submission, changes, version=version),
    )
    client.logout()
    return response


def publish(client, user, round_, *, days=5, margin=10):
    client.force_login(user)
    response = client.post(
        reverse("verification_publish", args=[round_.pk]),
        {"appeal_days": str(days), "overclaim_margin": str(margin)},
    )
    client.logout()
    return response
