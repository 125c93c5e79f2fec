"""Gap, 自评偏高 and the composite on hand-computed cases (pure, no database)."""

import pytest

from surveys.ratings.composite import composite, gap, rated_higher, weighted_mean

WEIGHTS = {"self": 30, "members": 40, "public": 30}


def test_gap_and_flag():
    assert gap(86.0, 70.5) == pytest.approx(15.5)
    assert gap(60.0, 75.0) == pytest.approx(-15.0)
    assert gap(None, 70) is None and gap(80, None) is None
    assert rated_higher(15.5, 10) and not rated_higher(10, 10) and not rated_higher(-20, 10)
    assert not rated_higher(None, 10)


def test_composite_with_all_sources():
    # 0.3·86 + 0.4·70 + 0.3·64 = 25.8 + 28 + 19.2 = 73
    assert composite({"self": 86, "members": 70, "public": 64}, WEIGHTS) == (
        pytest.approx(73),
        True,
    )


def test_composite_rescales_without_a_source():
    # public 样本不足: (30·86 + 40·70) / 70 = (2580 + 2800) / 70 = 76.857…
    value, complete = composite({"self": 86, "members": 70, "public": None}, WEIGHTS)
    assert value == pytest.approx(5380 / 70) and not complete
    assert composite({"self": None, "members": None, "public": None}, WEIGHTS) == (None, False)


def test_a_zero_weight_source_does_not_count():
    weights = {"self": 50, "members": 50, "public": 0}
    assert composite({"self": 80, "members": 60, "public": None}, weights) == (70, True)


def test_weighted_mean_by_dimension_weights():
    assert weighted_mean({"a": 80, "b": 50, "c": None}, {"a": 2, "b": 1, "c": 1}) == 70
