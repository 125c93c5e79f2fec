"""The database itself enforces the rules, whatever code writes to it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.organisation.models import User
from surveys.questionnaires.models import Question
from surveys.rounds.models import Round
from surveys.submissions.models import Answer, Submission

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_one_submission_per_round_and_branch(open_round, branch_a):
    Submission.objects.create(round=open_round, branch=branch_a)
    refused(lambda: Submission.objects.create(round=open_round, branch=branch_a))


def test_one_answer_per_submission_and_question(open_round, branch_a, questionnaire):
    submission = Submission.objects.create(round=open_round, branch=branch_a)
    question = questionnaire.questions.filter(kind=Question.Kind.LIKERT).first()
    Answer.objects.create(submission=submission, question=question, likert=3)
    refused(lambda: Answer.objects.create(submission=submission, question=question, likert=4))


@pytest.mark.parametrize(
    "values",
    [
        {"likert": 0},
        {"likert": 6},
        {"number": Decimal("-1")},
        {"not_applicable": True, "likert": 3},
    ],
    ids=["likert-0", "likert-6", "negative-number", "na-with-value"],
)
def test_answer_values_out_of_range_are_refused(open_round, branch_a, questionnaire, values):
    submission = Submission.objects.create(round=open_round, branch=branch_a)
    question = questionnaire.questions.first()
    refused(lambda: Answer.objects.create(submission=submission, question=question, **values))


def test_secretary_must_have_a_branch_and_office_none(branch_a):
    refused(lambda: User.objects.create(username="x", role=User.Role.SECRETARY))
    refused(lambda: User.objects.create(username="y", role=User.Role.OFFICE, branch=branch_a))


def test_round_must_close_after_it_opens(questionnaire):
    now = timezone.now()
    refused(
        lambda: Round.objects.create(
            name="r", questionnaire=questionnaire, opens_at=now, closes_at=now - dt.timedelta(1)
        )
    )


def test_submitted_submission_has_a_time(open_round, branch_a):
    refused(
        lambda: Submission.objects.create(
            round=open_round, branch=branch_a, status=Submission.Status.SUBMITTED
        )
    )


def test_round_status_follows_the_clock(open_round):
    assert open_round.status_at(open_round.opens_at - dt.timedelta(seconds=1)) == "scheduled"
    assert open_round.status_at(open_round.opens_at) == "open"
    assert open_round.status_at(open_round.closes_at) == "closed"


def test_a_user_reads_as_the_chinese_name_surname_first(secretary_a):
    assert str(secretary_a) == secretary_a.display_name == "王建国"
    assert str(User(username="s_u01b1")) == "s_u01b1"
