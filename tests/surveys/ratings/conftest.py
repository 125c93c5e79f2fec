"""Rater fixtures: groups for the open round, and issuing codes through the service."""

import pytest

from reports.models import SubmissionScore
from surveys.ratings.models import Audience, RaterGroup, RaterItem
from surveys.ratings.services import codes_issue, rater_groups_add
from surveys.submissions.models import Submission


@pytest.fixture
def member_groups(office, open_round):
    rater_groups_add(actor=office, round_=open_round, audience=Audience.MEMBERS)
    return list(RaterGroup.objects.filter(round=open_round).order_by("branch__code"))


@pytest.fixture
def group_a(member_groups, branch_a):
    return next(g for g in member_groups if g.branch_id == branch_a.pk)


@pytest.fixture
def issue(office):
    def issue(group, count=1):
        return codes_issue(actor=office, group=group, count=count)

    return issue


def sheet(group, value=4, *, satisfaction=3, unknown=()):
    """Answers for every scored item of the group's questionnaire."""
    answers = {}
    for item in RaterItem.objects.filter(questionnaire=group.questionnaire):
        if item.kind == RaterItem.Kind.SCALE:
            answers[item.pk] = None if item.code in unknown else value
        elif item.kind == RaterItem.Kind.SATISFACTION:
            answers[item.pk] = satisfaction
    return answers


def form_post(group, value="4", *, satisfaction="3", comment="", skip=()):
    data = {}
    for item in RaterItem.objects.filter(questionnaire=group.questionnaire):
        if item.code in skip:
            continue
        if item.kind == RaterItem.Kind.SCALE:
            data[f"item_{item.pk}"] = value
        elif item.kind == RaterItem.Kind.SATISFACTION:
            data[f"item_{item.pk}"] = satisfaction
        else:
            data[f"item_{item.pk}"] = comment
    return data


def self_assessed(round_, branch, index, dimensions=None, *, verified_index=None):
    """A branch's submitted, scored sheet with this self-assessed index (and the office's
    verified one, if given): what the comparison's 自评 reads."""
    submission = Submission.objects.create(
        round=round_,
        branch=branch,
        status=Submission.Status.SUBMITTED,
        submitted_at=round_.opens_at,
    )
    counted = index if verified_index is None else verified_index
    SubmissionScore.objects.create(
        submission=submission,
        round=round_,
        branch=branch,
        unit=branch.unit,
        index=counted,
        self_index=index,
        self_dimensions=dimensions or {},
        verified=verified_index is not None,
    )
    return submission
