"""Concurrent writers lose nothing and duplicate nothing (real connections, real threads)."""

import pytest

from surveys.audit.models import AuditEvent
from surveys.rounds.models import RosterEntry
from surveys.submissions import services
from surveys.submissions.models import Submission, SubmissionSnapshot
from tests.helpers import run_concurrently, values_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_submits_of_one_draft_yield_one_submission(
    open_round, questionnaire, secretary_a, secretary_b
):
    entry_a = RosterEntry.objects.select_related("round__questionnaire").get(
        round=open_round, branch=secretary_a.branch
    )
    entry_b = RosterEntry.objects.select_related("round__questionnaire").get(
        round=open_round, branch=secretary_b.branch
    )
    jobs = []
    for i in range(4):
        jobs.append(
            lambda i=i: services.submission_submit(
                entry=entry_a, user=secretary_a, values=values_for(questionnaire, 1 + i), version=0
            )
        )
        jobs.append(
            lambda i=i: services.submission_save_draft(
                entry=entry_b, user=secretary_b, values=values_for(questionnaire, 1 + i), version=0
            )
        )
    outcomes = run_concurrently(jobs)

    unexpected = [
        o
        for o in outcomes
        if isinstance(o, Exception) and not isinstance(o, services.StaleSubmission)
    ]
    assert unexpected == [], unexpected  # in particular no "database is locked"
    a_wins = [o for o in outcomes[0::2] if isinstance(o, services.SubmitResult)]
    b_wins = [o for o in outcomes[1::2] if isinstance(o, services.SubmitResult)]
    assert a_wins and b_wins

    assert Submission.objects.count() == 2
    submitted = Submission.objects.get(branch=secretary_a.branch)
    assert submitted.status == Submission.Status.SUBMITTED
    assert SubmissionSnapshot.objects.filter(submission=submitted).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SUBMITTED).count() == 1
    # The answers stored are exactly one writer's, never a mix of two.
    likerts = set(submitted.answers.exclude(likert=None).values_list("likert", flat=True))
    assert len(likerts) == 1
