"""Concurrent writers lose nothing and duplicate nothing (real connections, real threads)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from surveys.audit.models import AuditEvent
from surveys.rounds.models import RosterEntry
from surveys.submissions import services
from surveys.submissions.models import Submission, SubmissionSnapshot
from tests.helpers import answer_post, run_concurrently, values_for

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


@pytest.mark.parametrize("draft_first", [False, True], ids=["no-draft-yet", "from-a-draft"])
def test_double_submit_twin_reports_success_like_the_winner(
    open_round, questionnaire, secretary_a, draft_first
):
    """Two identical submit POSTs at once (a double tap, two tabs): both are told the answers
    are submitted. On PostgreSQL the loser used to hit the unique insert (no draft yet) and
    answer "您的答案没有保存" although the winner had saved exactly its answers."""
    url = reverse("questionnaire", args=[open_round.pk])
    version = 0
    if draft_first:
        first = Client()
        first.force_login(secretary_a)
        assert first.post(url, answer_post(questionnaire, version=0)).status_code == 302
        version = 1
    data = answer_post(questionnaire, version=version, action="submit")
    tabs = [Client(), Client()]
    tabs[0].force_login(secretary_a)
    tabs[1].cookies[settings.SESSION_COOKIE_NAME] = (
        tabs[0].cookies[settings.SESSION_COOKIE_NAME].value
    )

    responses = run_concurrently([lambda tab=tab: tab.post(url, data) for tab in tabs])

    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    submission = Submission.objects.get(branch=secretary_a.branch)
    assert {r.url for r in responses} == {reverse("submission_detail", args=[submission.pk])}
    for tab, response in zip(tabs, responses, strict=True):
        page = tab.get(response.url).content.decode()
        assert "答卷已提交。感谢您的认真填写！" in page
        assert "没有保存" not in page
    assert submission.status == Submission.Status.SUBMITTED
    assert SubmissionSnapshot.objects.filter(submission=submission).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SUBMITTED).count() == 1
