"""County numbers at the edges: a unit whose dimension has no score (数据不足) counts as
missing, never as 0, on SQLite and PostgreSQL alike."""

import pytest

from reports import selectors
from reports.models import UnitScore

pytestmark = pytest.mark.django_db


def test_a_unit_without_a_dimension_score_does_not_pull_the_county_trend_down(
    open_round, unit_a, unit_b, questionnaire
):
    code = questionnaire.dimensions.order_by("order").first().code
    UnitScore.objects.create(
        round=open_round, unit=unit_a, index=None, branches_scored=1, dimensions={code: None}
    )
    UnitScore.objects.create(
        round=open_round, unit=unit_b, index=80.0, branches_scored=1, dimensions={code: 80.0}
    )
    overview = selectors.round_overview(open_round)
    [(_name, index, dims)] = overview.trend
    assert index == 80.0
    assert dims[code] == 80.0
    assert overview.county_dimensions[code] == 80.0  # the card on the same page agrees
