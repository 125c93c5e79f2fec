"""AHP weights against published examples; judgement entry and its Chinese errors."""

import json
from pathlib import Path

import numpy as np
import pytest

from reports.ahp import (
    RI_SAATY_1980,
    RI_SAATY_2005,
    AhpError,
    ahp_weights,
    complete_reciprocal,
    ensure_acceptable,
)

# Published examples, copied into the project with their sources (data/README.md).
REFERENCE_FILE = Path(__file__).resolve().parent / "data/reference-values.json"
REFERENCE = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))["ahp"]
DIMENSIONS = ["学用结合", "组织生活实效", "内生活力"]


def within(published, decimals):
    """Equal to a value published with `decimals` places (half an ulp of the last digit)."""
    return pytest.approx(published, abs=0.5 * 10**-decimals + 1e-12)


def test_drinks_example():
    drinks = REFERENCE["drinks"]
    result = ahp_weights(drinks["matrix"])
    assert result.weights == within(drinks["eigvec_weights_computed_6dp"], 6)
    assert result.weights == within(drinks["eigvec_weights_published_3dp"], 3)
    assert sum(result.weights) == pytest.approx(1)
    assert result.lambda_max == within(drinks["lambda_max_computed"], 6)
    assert result.ci == within(drinks["CI_computed"], 6)
    assert result.cr == within(drinks["CR_computed_RI1980(1.32)"], 4)
    assert result.acceptable


@pytest.mark.parametrize("name", ["leader_criteria", "leader_experience", "car_criteria"])
def test_published_weights(name):
    example = REFERENCE[name]
    assert ahp_weights(example["matrix"]).weights == within(example["weights_published"], 3)


def test_leader_criteria_lambda_and_cr():
    leader = REFERENCE["leader_criteria"]
    result = ahp_weights(leader["matrix"])
    assert result.lambda_max == within(leader["lambda_max_computed"], 6)
    assert result.cr == within(leader["CR_computed_RI1980(0.90)"], 4)
    experience = REFERENCE["leader_experience"]
    assert ahp_weights(experience["matrix"]).cr == within(experience["CR_computed_RI1980(0.58)"], 4)


@pytest.mark.parametrize(
    "name, key",
    [
        ("drinks", "CR_published_RI2005(1.35)"),
        ("leader_criteria", "CR_published_RI2005(0.89)"),
        ("leader_experience", "CR_published_RI2005(0.52)"),
        ("leader_education", "CR_published_RI2005(0.52)"),
    ],
)
def test_cr_with_another_random_index_table(name, key):
    # AHPy publishes CR against Saaty's 2005 table; the JSON copy has string keys, as JSON does.
    matrix = REFERENCE[name]["matrix"]
    assert ahp_weights(matrix, RI_SAATY_2005).cr == within(REFERENCE[name][key], 3)
    assert ahp_weights(matrix, REFERENCE["RI_saaty2005_AHPy"]).cr == within(REFERENCE[name][key], 3)


def test_default_table_is_saaty_1980():
    assert {str(n): ri for n, ri in RI_SAATY_1980.items()} == REFERENCE["RI_saaty1980_classic"]
    ahpy = REFERENCE["RI_saaty2005_AHPy"]
    assert {str(n): ri for n, ri in RI_SAATY_2005.items() if n > 2} == ahpy


def test_consistent_matrix():
    # Built from weights 0.6 : 0.3 : 0.1, so every judgement agrees with every other.
    result = ahp_weights([[1, 2, 6], [1 / 2, 1, 3], [1 / 6, 1 / 3, 1]])
    assert result.weights == pytest.approx((0.6, 0.3, 0.1))
    assert result.lambda_max == pytest.approx(3)
    assert result.ci >= 0 and result.cr == pytest.approx(0, abs=1e-12)
    assert all(pair.deviation == pytest.approx(0, abs=1e-9) for pair in result.inconsistent_pairs)
    assert ensure_acceptable(result) is result


def test_inconsistent_matrix_is_refused_naming_the_worst_judgement():
    # Consistent 8:4:2:1, except that the first is now judged 1/8 as important as the fourth.
    matrix = complete_reciprocal(
        {(0, 1): 2, (0, 2): 4, (0, 3): "1/8", (1, 2): 2, (1, 3): 4, (2, 3): 2}
    )
    result = ahp_weights(matrix)

    assert result.cr >= 0.10 and not result.acceptable
    worst = result.inconsistent_pairs[0]
    assert (worst.i, worst.j, worst.given) == (0, 3, 0.125)
    assert worst.implied > 0.125 and worst.factor > 5
    deviations = [pair.deviation for pair in result.inconsistent_pairs]
    assert deviations == sorted(deviations, reverse=True) and len(deviations) == 6
    with pytest.raises(AhpError, match="“学用结合”相对“其他”.*1/8"):
        ensure_acceptable(result, labels=[*DIMENSIONS, "其他"])
    with pytest.raises(AhpError, match="第1项相对第4项"):
        ensure_acceptable(result)


def test_two_or_one_criteria_are_always_consistent():
    two = ahp_weights([[1, 3], [1 / 3, 1]])
    assert two.weights == pytest.approx((0.75, 0.25)) and two.cr == 0
    assert ahp_weights([[1]]).weights == (1.0,)


def test_complete_reciprocal_from_upper_triangle():
    matrix = complete_reciprocal({(0, 1): 3, (0, 2): 5, (1, 2): "1/2"})
    assert matrix == pytest.approx(np.array([[1, 3, 5], [1 / 3, 1, 0.5], [0.2, 2, 1]]))


def test_complete_reciprocal_from_a_grid_with_blanks():
    grid = [[1, None, 5], [1 / 3, None, None], [None, 2, None]]  # lower entries are fine too
    assert complete_reciprocal(grid) == pytest.approx(
        complete_reciprocal({(0, 1): 3, (0, 2): 5, (1, 2): 0.5})
    )
    both = [[1, 3, 5], [1 / 3, 1, 0.5], [0.2, 2, 1]]  # both halves, consistently
    assert complete_reciprocal(both) == pytest.approx(np.array(both))


@pytest.mark.parametrize(
    "judgements, message",
    [
        ({(0, 1): 3, (0, 2): 5}, "缺少第2项与第3项的比较"),
        ([[1, 3], [3, 1]], "应互为倒数"),
        ([[2, 3], [None, 1]], "与自身的比较值必须为 1"),
        ({(0, 1): 3, (1, 5): 2}, "超出了 3 个指标的范围"),
    ],
)
def test_complete_reciprocal_refuses_incomplete_or_contradictory(judgements, message):
    with pytest.raises(AhpError, match=message):
        complete_reciprocal(judgements, 3 if isinstance(judgements, dict) else None)


@pytest.mark.parametrize("value", [10, 0, -3, 2.5, 0.1, 0.33, "abc", "1/0", float("nan")])
def test_values_off_saaty_scale_are_refused(value):
    with pytest.raises(AhpError, match="1～9|不是数字"):
        complete_reciprocal({(0, 1): value}, labels=DIMENSIONS[:2])


def test_scale_message_names_the_labels():
    with pytest.raises(AhpError, match="“学用结合”与“组织生活实效”的比较值为 12"):
        complete_reciprocal({(0, 1): 12}, labels=DIMENSIONS[:2])


@pytest.mark.parametrize(
    "matrix",
    [
        [[1, 2], [2, 1]],  # not reciprocal
        [[1, 2, 3], [0.5, 1, 1]],  # not square
        [[1, -2], [-0.5, 1]],  # not positive
        [["a", 1], [1, 1]],
    ],
)
def test_ahp_weights_refuses_malformed_matrices(matrix):
    with pytest.raises(AhpError):
        ahp_weights(matrix)


def test_size_beyond_the_random_index_table_is_refused():
    with pytest.raises(AhpError, match="16 阶"):
        ahp_weights(np.ones((16, 16)))
