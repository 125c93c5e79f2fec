"""Rater fixtures: groups for the open round, and issuing codes through the service."""

import pytest

from reports.models import SubmissionScore
from surveys.ratings.models import Audience, RaterGroup, RaterItem
from surveys.ratings.services import (
    codes_issue,
    rater_groups_add,
    rating_settings_set,
    rating_submit,
)
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


def rate_by_hand(office, round_, branch_a, unit_a, **settings):
    """The hand-computed case of the workbook and PDF tests, k = 2 (`settings` go to
    rating_settings_set, e.g. gap_margin). Unit A rates itself 86 (学用结合 90, 组织生活实效 80,
    内生活力 88); its members' group gets 4 codes and 2 sheets answering 4 everywhere (M03
    and M06 are reverse items: 4 scores 25), one 满意 and one 不满意; A's public group 1 sheet
    of 5s (样本不足). Every other unit: members' and public groups without a sheet."""
    self_assessed(round_, branch_a, 86, {"xueyong": 90, "zuzhi": 80, "huoli": 88})
    rating_settings_set(actor=office, round_=round_, min_raters=2, **settings)
    rater_groups_add(actor=office, round_=round_, audience=Audience.MEMBERS)
    members_a = RaterGroup.objects.get(round=round_, branch=branch_a)
    first, second = codes_issue(actor=office, group=members_a, count=4)[:2]
    rating_submit(typed_code=first, answers=sheet(members_a, 4, satisfaction=3))
    rating_submit(typed_code=second, answers=sheet(members_a, 4, satisfaction=1))
    rater_groups_add(actor=office, round_=round_, audience=Audience.PUBLIC)
    public_a = RaterGroup.objects.get(round=round_, audience=Audience.PUBLIC, unit=unit_a)
    [code] = codes_issue(actor=office, group=public_a, count=3)[:1]
    rating_submit(typed_code=code, answers=sheet(public_a, 5))
    return round_
