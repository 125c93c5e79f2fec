"""County numbers at the edges: a unit whose dimension has no score (数据不足) counts as
missing, never as 0, on SQLite and PostgreSQL alike."""

import pytest

from reports import scoring, selectors
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


@pytest.mark.parametrize(
    "index, previous, change",
    [
        (70.004, 69.996, 0.0),  # shown as 70.00 and 70.00
        (70.005, 69.994, 0.02),  # shown as 70.01 and 69.99; raw difference 0.011
        (79.165, 79.0, 0.17),
    ],
)
def test_change_against_the_last_round_is_the_difference_of_the_values_shown(
    index, previous, change
):
    row = selectors.UnitRow(unit_id=1, name="县财政局", order=1, index=index)
    row.previous_index = previous
    assert row.change == change
    assert scoring.round2(row.change) == scoring.round2(
        scoring.round2(index) - scoring.round2(previous)
    )


def test_a_returned_submission_counts_nowhere_until_it_is_submitted_again(
    client, office, secretary_a, secretary_b, open_round, questionnaire, unit_a
):
    """退回: the branch must correct and resubmit, so until then its submission counts in no
    mean, count, item mean or text; the dashboard's 已提交 and 计入统计 agree."""
    from reports.models import UnitScore
    from surveys.submissions.services import submission_return
    from tests.helpers import submit

    a = submit(client, secretary_a, open_round, questionnaire, "5")
    submit(client, secretary_b, open_round, questionnaire, "2")
    before = selectors.round_overview(open_round)
    submission_return(user=office, submission=a, reason="请补充佐证")
    overview = selectors.round_overview(open_round)
    assert overview.submitted_count == 1
    assert selectors.counted_scores(round=open_round).count() == 1
    row_a = next(u for u in overview.units if u.unit_id == unit_a.pk)
    assert row_a.index is None and row_a.branches_scored == 0 and row_a.submitted == 0
    assert not UnitScore.objects.filter(round=open_round, unit=unit_a).exists()
    assert overview.county_index < before.county_index  # only the branch that answered 2
    report = selectors.unit_report(open_round, unit_a)
    assert all(mean is None for _q, mean in report.items)
    assert report.texts == [] or all(not texts for _q, texts in report.texts)
