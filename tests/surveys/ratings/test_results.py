"""Results only after close and with at least k raters; scores, 不了解 and satisfaction on a
hand-computed case."""

import pytest

from surveys.ratings.models import RaterGroup
from surveys.ratings.selectors import group_results
from surveys.ratings.services import rating_settings_set, rating_submit
from tests.surveys.ratings.conftest import sheet

pytestmark = pytest.mark.django_db


def results(group, when):
    group = RaterGroup.objects.select_related("round").get(pk=group.pk)
    return group_results(group, now=when)


def test_nothing_before_close_whatever_the_count(group_a, issue, open_round):
    for code in issue(group_a, 6):
        rating_submit(typed_code=code, answers=sheet(group_a))
    shown = results(group_a, open_round.closes_at - open_round.closes_at.resolution)
    assert shown.status == "open" and shown.dimensions == [] and shown.satisfaction_rate is None


def test_threshold_k_default_five_and_configurable(group_a, issue, open_round, office):
    after = open_round.closes_at
    for code in issue(group_a, 4):
        rating_submit(typed_code=code, answers=sheet(group_a))
    too_few = results(group_a, after)
    assert (too_few.status, too_few.min_raters, too_few.dimensions) == ("too_few", 5, [])
    assert too_few.comments == [] and too_few.satisfaction_rate is None
    rating_settings_set(actor=office, round_=open_round, min_raters=4)
    assert results(group_a, after).status == "shown"
    rating_settings_set(actor=office, round_=open_round, min_raters=6)
    assert results(group_a, after).status == "too_few"


def test_scores_by_hand(group_a, issue, open_round, office):
    rating_settings_set(actor=office, round_=open_round, min_raters=2)
    one, two, three = issue(group_a, 3)
    # M03 is a reverse item: 5 scores 0, 1 scores 100. 不了解 leaves the denominator.
    rating_submit(typed_code=one, answers=sheet(group_a, 5, satisfaction=3))
    rating_submit(typed_code=two, answers=sheet(group_a, 3, satisfaction=1, unknown={"M01", "M02"}))
    rating_submit(typed_code=three, answers=sheet(group_a, 4, satisfaction=None, unknown=set()))
    shown = results(group_a, open_round.closes_at)
    assert shown.status == "shown" and shown.n == 3 and shown.issued == 3
    dims = {name: (score, n) for name, score, n in shown.dimensions}
    # 学用结合 = M01, M02, M03 (reverse):
    #   sheet 1: 100, 100, 0 → 66.67; sheet 2: only M03 = 3 → 50; sheet 3: 75, 75, 25 → 58.33
    assert dims["学用结合"][0] == pytest.approx((200 / 3 + 50 + 175 / 3) / 3)
    assert dims["学用结合"][1] == 3
    # 内生活力 = M07, M08, M09, no reverse item: 100, 50, 75
    assert dims["内生活力"][0] == pytest.approx(75)
    # satisfaction: 满意 1, 不满意 1, 不了解 1 → 50 %
    assert shown.satisfaction_rate == pytest.approx(50)
    assert dict(shown.satisfaction_counts) == {"满意": 1, "基本满意": 0, "不满意": 1}
    assert shown.response_rate == pytest.approx(100)


def test_reliability_after_close_with_enough_sheets(group_a, issue, open_round, office, client):
    import time_machine

    from reports.reliability import reliability
    from surveys.ratings.selectors import item_score, round_reliability

    values = [[5, 4, 2], [4, 4, 2], [2, 3, 4], [1, 2, 5], [3, 3, 3], [4, 5, 1]]
    for code, (a, b, c) in zip(issue(group_a, 6), values, strict=True):
        answers = sheet(group_a, 3)
        items = {i.code: i for i in group_a.questionnaire.items.all()}
        answers[items["M01"].pk], answers[items["M02"].pk], answers[items["M03"].pk] = a, b, c
        rating_submit(typed_code=code, answers=answers)
    assert round_reliability(open_round) == []  # not before close
    [block] = round_reliability(open_round, now=open_round.closes_at)
    assert block.n == 6
    dims = dict(block.dimensions)
    m = [items["M01"], items["M02"], items["M03"]]
    expected = reliability(
        [[item_score(i, v) for i, v in zip(m, row, strict=True)] for row in values]
    )
    assert dims["学用结合"].alpha == pytest.approx(expected.alpha)
    assert dims["学用结合"].alpha > 0.8  # M03 is reverse-worded and scored the other way round
    assert dims["组织生活实效"] is None  # every sheet answered 3: no variance
    with time_machine.travel(open_round.closes_at, tick=False):
        client.force_login(office)
        page = client.get(f"/office/rounds/{open_round.pk}/ratings/").content.decode()
    assert "问卷信度" in page and f"{expected.alpha:.3f}" in page
