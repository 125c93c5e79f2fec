"""The 自评偏高 warning from the rater groups: a unit whose self-assessment is above its members'
rating by more than the margin gets a yellow light saying by how much, once the round closed."""

import pytest
import time_machine

from reports import selectors as report_selectors
from reports.models import UnitScore
from reports.warnings import rules
from reports.warnings.selectors import lights, rater_gaps
from surveys.ratings.services import rating_settings_set, rating_submit
from tests.surveys.ratings.conftest import self_assessed, sheet

pytestmark = pytest.mark.django_db


def test_self_rating_above_the_members_is_yellow_after_close(
    office, open_round, unit_a, branch_a, group_a, issue
):
    UnitScore.objects.create(
        round=open_round,
        unit=unit_a,
        index=86,
        dimensions={"xueyong": 90, "zuzhi": 80, "huoli": 88},
    )
    self_assessed(open_round, branch_a, 86, {"xueyong": 90, "zuzhi": 80, "huoli": 88})
    rating_settings_set(actor=office, round_=open_round, min_raters=2)
    for code in issue(group_a, 2):
        rating_submit(typed_code=code, answers=sheet(group_a, 4))
    members_index = (175 / 3 * 2 + 75) / 3  # tests/surveys/ratings/test_compare.py
    assert rater_gaps(open_round) == {}  # nothing before the round closes
    with time_machine.travel(open_round.closes_at):
        gaps = rater_gaps(open_round)
        assert gaps[unit_a.pk] == {"党员评议": pytest.approx(86 - members_index)}
        overview = report_selectors.round_overview(open_round)
        [row] = [r for r in lights(overview) if r.unit_id == unit_a.pk]
    assert row.light == rules.YELLOW
    assert row.reasons == [f"自评偏高：比党员评议高 {86 - members_index:.2f} 分"]
