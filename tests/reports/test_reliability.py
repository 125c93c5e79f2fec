"""Cronbach's α against pingouin's published values (data/cronbach-README.md), α if deleted,
item-rest correlations and weak items; pure arithmetic, no database."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reports.reliability import cronbach_alpha, reliability, reliability_by_dimension

DATA = Path(__file__).resolve().parent / "data"
REFERENCE = json.loads((DATA / "cronbach-reference.json").read_text(encoding="utf-8"))["cronbach"]


def within(published, decimals=4):
    return pytest.approx(published, abs=0.5 * 10**-decimals)


def likert_rows():
    long = pd.read_csv(DATA / "cronbach_alpha.csv")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    wide = wide[[f"Q{j}" for j in range(1, 11)]]
    return wide.to_numpy().tolist()


def missing_rows():
    wide = pd.read_csv(DATA / "cronbach_wide_missing.csv", encoding="utf-8-sig")
    return [[None if np.isnan(v) else v for v in row] for row in wide.to_numpy().tolist()]


def test_the_csvs_hold_the_json_rows():
    assert likert_rows() == REFERENCE["likert_15x10"]
    assert missing_rows() == REFERENCE["binary_12x11_with_missing"]


def test_alpha_matches_published_likert():
    assert cronbach_alpha(likert_rows()) == within(REFERENCE["alpha_published"])
    # No missing answers: both policies give the same α.
    assert cronbach_alpha(likert_rows(), policy="listwise") == within(REFERENCE["alpha_published"])


def test_alpha_with_missing_answers_pairwise_and_listwise():
    rows = missing_rows()
    assert cronbach_alpha(rows, policy="pairwise") == within(REFERENCE["alpha_pairwise_published"])
    listwise = reliability(rows, policy="listwise")
    assert listwise.alpha == within(REFERENCE["alpha_listwise_published"])
    assert listwise.n == REFERENCE["listwise_n"]


def test_item_statistics_by_hand_on_complete_rows():
    rows = np.array(likert_rows(), dtype=float)
    result = reliability(rows.tolist(), labels=[f"Q{j}" for j in range(1, 11)])
    for i, item in enumerate(result.items):
        rest = np.delete(rows, i, axis=1)
        expected_r = np.corrcoef(rows[:, i], rest.sum(axis=1))[0, 1]
        assert item.item_rest == pytest.approx(expected_r)
        var = rest.var(axis=0, ddof=1).sum()
        total = rest.sum(axis=1).var(ddof=1)
        assert item.alpha_if_deleted == pytest.approx(9 / 8 * (1 - var / total))
        assert item.weak == (expected_r < 0.3)
    assert result.weak_items == [i.label for i in result.items if i.item_rest < 0.3]
    assert result.weak_items  # this data set has weak items (α is only 0.59)


def test_a_reverse_item_is_flagged_and_deleting_it_raises_alpha():
    rows = [[1, 1, 2, 5], [2, 2, 1, 4], [3, 3, 4, 3], [4, 5, 5, 2], [5, 4, 4, 1]]
    result = reliability(rows, labels=["a", "b", "c", "d"])
    assert result.weak_items == ["d"]
    c = result.items[3]
    assert c.item_rest < 0
    assert c.alpha_if_deleted > result.alpha


def test_not_defined_without_enough_data():
    assert cronbach_alpha([[1, 2]]) is None
    assert cronbach_alpha([[1], [2], [3]]) is None
    assert cronbach_alpha([[3, 3], [3, 3], [3, 3]]) is None


def test_by_dimension_needs_enough_respondents_and_items():
    rows = likert_rows()
    dims = ["甲"] * 5 + ["乙"] * 4 + ["丙"]
    result = reliability_by_dimension(rows, dims)
    assert set(result) == {"甲", "乙", "丙"}
    assert result["甲"].alpha == pytest.approx(cronbach_alpha([r[:5] for r in rows]))
    assert [i.label for i in result["乙"].items] == ["Q6", "Q7", "Q8", "Q9"]
    assert result["丙"] is None
    assert reliability_by_dimension(rows[:2], dims)["甲"] is None


def test_unknown_policy_refused():
    with pytest.raises(ValueError):
        cronbach_alpha([[1, 2], [2, 3]], policy="mean")
