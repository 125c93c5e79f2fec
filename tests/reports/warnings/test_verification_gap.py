"""自评偏高 against 考评: a unit whose self-assessed mean index is above its counted (verified)
mean by more than the warning rules' margin gets a yellow light on the dashboard and the
warnings page, saying by how much."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from reports.warnings.models import WarningRules
from reports.warnings.selectors import verification_gaps
from surveys.organisation.models import Branch, User
from surveys.questionnaires.models import Dimension, Question
from surveys.rounds.models import RosterEntry
from tests.conftest import make_user
from tests.helpers import submit
from tests.surveys.verification.conftest import plain_likert, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_submitted(client, open_round, questionnaire, unit_a, secretary_a, secretary_b):
    """Unit A has two branches, both all 4s; unit B one, all 4s."""
    second = Branch.objects.create(unit=unit_a, code="U-A-2", name="县水利局第二党支部")
    RosterEntry.objects.create(round=open_round, branch=second)
    secretary = make_user("sec_a2", role=User.Role.SECRETARY, branch=second)
    a = submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary, open_round, questionnaire, likert="4")
    b = submit(client, secretary_b, open_round, questionnaire, likert="4")
    return a, b


def _index_drop(questionnaire, item, points):
    """How far a submission's index falls when ``item`` loses ``points`` item points: its
    share of its dimension times the dimension's share of the index."""
    siblings = Question.objects.filter(dimension=item.dimension).exclude(kind=Question.Kind.TEXT)
    total = sum(
        Dimension.objects.filter(questionnaire=questionnaire).values_list("weight", flat=True)
    )
    return points * item.weight / sum(q.weight for q in siblings) * item.dimension.weight / total


def test_the_gap_is_the_units_self_mean_minus_its_counted_mean(
    client, office, three_submitted, open_round, questionnaire, unit_a
):
    a, _b = three_submitted
    assert verification_gaps(open_round) == {}  # nothing verified yet
    item = plain_likert(questionnaire)
    assert verify(client, office, a, {item.code: ("1", "无会议记录")}).status_code == 302
    # By hand: a 4 scores 75 and a 1 scores 0, so branch A's index falls by the item's share
    # of 75 points; unit A's mean over its two branches falls by half of that. Unit B has
    # nothing verified and no 考评 gap.
    gaps = verification_gaps(open_round)
    assert list(gaps) == [unit_a.pk]
    assert gaps[unit_a.pk]["考评"] == pytest.approx(_index_drop(questionnaire, item, 75) / 2)


def test_the_dashboard_flags_a_unit_whose_self_assessment_is_too_high(
    client, office, three_submitted, open_round, questionnaire
):
    a, _b = three_submitted
    item = plain_likert(questionnaire)
    verify(client, office, a, {item.code: ("1", "无会议记录")})
    gap = _index_drop(questionnaire, item, 75) / 2
    reason = f"自评偏高：比考评高 {gap:.2f} 分"
    client.force_login(office)

    rules = WarningRules.objects.create(round=open_round, self_high_margin=round(gap, 2) + 0.01)
    dashboard = client.get(reverse("dashboard"), {"round": open_round.pk}).content.decode()
    assert reason not in dashboard  # within the margin: no light

    rules.self_high_margin = round(gap, 2) - 0.01
    rules.save()
    cache.clear()  # saved here, not through the rules form that moves the data version on
    dashboard = client.get(reverse("dashboard"), {"round": open_round.pk}).content.decode()
    assert reason in dashboard
    # The verified branch itself is named too: its own gap is the whole drop, not half.
    full = _index_drop(questionnaire, item, 75)
    assert f"自评偏高的支部：{a.branch.name}（高 {full:.2f} 分）" in dashboard
    assert dashboard.count("自评偏高") == 2
    assert ">已考评 1</span>" in dashboard  # the table says its score is the verified one
    warnings = client.get(reverse("warnings_page", args=[open_round.pk])).content.decode()
    assert reason in warnings


def test_an_excluded_verified_submission_leaves_no_gap(
    client, office, three_submitted, open_round, questionnaire
):
    a, _b = three_submitted
    verify(client, office, a, {plain_likert(questionnaire).code: ("1", "无会议记录")})
    client.force_login(office)
    client.post(reverse("score_exclude", args=[a.pk]), {"excluded": "1"})
    assert verification_gaps(open_round) == {}
