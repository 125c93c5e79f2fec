"""The coupling-coordination degree, its bands, the quadrants and Spearman's ρ on cases
computed by hand (docs/coupling.md shows the first one worked through)."""

import json
import math
from pathlib import Path

import pytest

from reports.business.coupling import (
    BOTH_STRONG,
    BOTH_WEAK,
    BUSINESS_STRONG,
    PARTY_STRONG,
    average_ranks,
    coupling,
    coupling_band,
    coupling_degree,
    quadrant,
    spearman,
)


def test_unequal_systems_couple_less_than_their_mean():
    # C = 2·√(0.9·0.1)/1.0 = 0.6, T = 0.5, D = √0.3
    d = coupling_degree(0.9, 0.1)
    assert d == pytest.approx(math.sqrt(0.3), abs=1e-12)
    assert coupling_band(d) == "勉强协调"


def test_equal_systems_have_c_one_and_d_the_square_root_of_their_level():
    # C = 1, T = 0.64, D = 0.8: exactly on the 良好协调 boundary
    d = coupling_degree(0.64, 0.64)
    assert d == pytest.approx(0.8)
    assert coupling_band(d) == "良好协调"
    assert coupling_band(0.8 - 1e-12) == "良好协调"  # float noise is on the boundary
    assert coupling_band(0.79) == "中级协调"


def test_one_system_at_nothing_is_extreme_discord():
    assert coupling_degree(1.0, 0.0) == 0.0
    assert coupling_degree(0.0, 0.0) == 0.0
    assert coupling_band(0.0) == "极度失调"
    assert coupling_band(1.0) == "优质协调"


def test_weights_shift_the_level_not_the_coupling():
    # C = 0.6 as above; T = 0.8·0.9 + 0.2·0.1 = 0.74
    assert coupling_degree(0.9, 0.1, alpha=0.8, beta=0.2) == pytest.approx(math.sqrt(0.6 * 0.74))


def test_missing_business_data_is_no_degree_not_zero():
    assert coupling_degree(0.7, None) is None
    assert coupling_band(None) is None
    assert quadrant(80, None, 70, 70) is None


def test_values_off_the_scale_are_refused():
    with pytest.raises(ValueError):
        coupling_degree(70, 0.5)


def test_quadrants_against_the_dividing_lines():
    assert quadrant(85, 90, 70, 70) == BOTH_STRONG
    assert quadrant(85, 60, 70, 70) == PARTY_STRONG
    assert quadrant(60, 90, 70, 70) == BUSINESS_STRONG
    assert quadrant(60, 60, 70, 70) == BOTH_WEAK
    assert quadrant(69.99999999999999, 70, 70, 70) == BOTH_STRONG  # on the line is strong


def test_average_ranks_share_ties():
    assert average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert average_ranks([3, 1, 2]) == [3, 1, 2]


def test_spearman_perfect_orders():
    assert spearman([(1, 10), (2, 20), (3, 30), (4, 40)]) == (pytest.approx(1.0), 4)
    assert spearman([(1, 40), (2, 30), (3, 20), (4, 10)]) == (pytest.approx(-1.0), 4)


def test_spearman_with_ties_and_missing_units():
    # ranks x = 1, 2.5, 2.5, 4 and y = 1, 3, 2, 4: ρ = 4.5 / √(4.5·5) = 3/√10
    rho, n = spearman([(1, 1), (2, 3), (2, 2), (3, 4), (None, 5), (6, None)])
    assert n == 4
    assert rho == pytest.approx(3 / math.sqrt(10))


def test_spearman_needs_three_units_and_some_spread():
    assert spearman([(1, 2), (2, 3)]) == (None, 2)
    assert spearman([(1, 5), (2, 5), (3, 5)]) == (None, 3)


def test_matches_the_reference_collection_to_four_places():
    data = json.loads((Path(__file__).parents[1] / "data/coupling-reference.json").read_text())
    ref = data["coupling"]
    for u1, u2, c, d in zip(
        ref["s1"], ref["s2"], ref["C_computed"], ref["D_equal_w_computed"], strict=True
    ):
        assert coupling(u1, u2) == pytest.approx(c, abs=5e-5)
        assert coupling_degree(u1, u2) == pytest.approx(d, abs=5e-5)
