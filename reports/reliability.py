"""Instrument reliability: Cronbach's α per dimension, α if an item is deleted, item-rest
correlations, and the items whose item-rest correlation is below 0.3 (revise them in the next
version).

α = k/(k − 1) · (1 − Σ var(item) / var(total)), written with the items' covariance matrix C as
k/(k − 1) · (1 − trace(C) / ΣC), which is how pingouin (and R psych) handle missing answers:
- "pairwise": each covariance from the respondents who answered both items (pandas' cov);
- "listwise": only the respondents who answered every item.
The item-rest correlation is read off the same matrix: cov(item, rest) = Σ_j≠i C[i, j] and
var(rest) = Σ_j,l≠i C[j, l], so pairwise and listwise stay consistent throughout.

Plain numpy/pandas, no Django: rows in (one list per respondent, None for a missing answer),
numbers out.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

WEAK_ITEM_LIMIT = 0.3
MIN_RESPONDENTS = 3
POLICIES = ("pairwise", "listwise")


@dataclass(frozen=True)
class ItemStatistics:
    label: str
    alpha_if_deleted: float | None
    item_rest: float | None
    weak: bool


@dataclass(frozen=True)
class Reliability:
    alpha: float | None
    n: int
    items: tuple[ItemStatistics, ...]

    @property
    def weak_items(self):
        return [item.label for item in self.items if item.weak]


def _frame(rows, labels, policy):
    if policy not in POLICIES:
        raise ValueError(f"unknown missing-answer policy {policy!r}")
    frame = pd.DataFrame([list(row) for row in rows], dtype=float)
    if labels is not None:
        frame.columns = list(labels)
    frame = frame.dropna(axis=0, how="all")
    if policy == "listwise":
        frame = frame.dropna(axis=0, how="any")
    return frame


def _alpha_from_cov(cov: np.ndarray) -> float | None:
    k = cov.shape[0]
    total = cov.sum()
    if k < 2 or not np.isfinite(total) or total <= 0:
        return None
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def _finite(value):
    return value if value is not None and math.isfinite(value) else None


def cronbach_alpha(rows: Sequence[Sequence[float | None]], *, policy="pairwise") -> float | None:
    """α of the items in `rows` (respondents × items); None when it is not defined (fewer
    than two items or respondents, or no variance)."""
    return reliability(rows, policy=policy).alpha


def reliability(
    rows: Sequence[Sequence[float | None]],
    *,
    labels: Sequence[str] | None = None,
    policy="pairwise",
    weak_limit=WEAK_ITEM_LIMIT,
) -> Reliability:
    """α, and per item α if deleted and the item-rest correlation (flagged below weak_limit)."""
    frame = _frame(rows, labels, policy)
    names = [str(name) for name in frame.columns]
    n = len(frame)
    if n < 2 or frame.shape[1] < 2:
        return Reliability(
            alpha=None, n=n, items=tuple(ItemStatistics(name, None, None, False) for name in names)
        )
    cov = frame.cov().to_numpy()
    alpha = _alpha_from_cov(cov)
    items = []
    k = cov.shape[0]
    for i, name in enumerate(names):
        rest = [j for j in range(k) if j != i]
        without = cov[np.ix_(rest, rest)]
        alpha_deleted = _alpha_from_cov(without) if len(rest) >= 2 else None
        var_item = cov[i, i]
        var_rest = without.sum()
        cov_item_rest = cov[i, rest].sum()
        if var_item > 0 and var_rest > 0 and math.isfinite(cov_item_rest):
            item_rest = float(cov_item_rest / math.sqrt(var_item * var_rest))
        else:
            item_rest = None
        item_rest = _finite(item_rest)
        items.append(
            ItemStatistics(
                label=name,
                alpha_if_deleted=_finite(alpha_deleted),
                item_rest=item_rest,
                weak=item_rest is not None and item_rest < weak_limit,
            )
        )
    return Reliability(alpha=_finite(alpha), n=n, items=tuple(items))


def reliability_by_dimension(
    rows: Sequence[Sequence[float | None]],
    dimensions: Sequence[str],
    *,
    labels: Sequence[str] | None = None,
    policy="pairwise",
    min_respondents=MIN_RESPONDENTS,
) -> dict[str, Reliability | None]:
    """One Reliability per dimension, `dimensions[j]` naming the dimension of column j; None
    for a dimension with fewer than min_respondents respondents or fewer than two items."""
    labels = list(labels) if labels is not None else [f"Q{j + 1}" for j in range(len(dimensions))]
    result = {}
    for dimension in dict.fromkeys(dimensions):
        columns = [j for j, d in enumerate(dimensions) if d == dimension]
        sub = [[row[j] for j in columns] for row in rows]
        stats = reliability(sub, labels=[labels[j] for j in columns], policy=policy)
        enough = len(columns) >= 2 and stats.n >= min_respondents and stats.alpha is not None
        result[dimension] = stats if enough else None
    return result
