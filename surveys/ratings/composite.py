"""The arithmetic beside the self-assessment (pure, no Django): the gap between how a unit
rates itself and how its members and the public rate it, 自评偏高 past a margin, and the
composite index with the round's source weights.

All scores are on 0–100. A source with no number (样本不足, not answered) is left out of the
composite and the remaining weights are rescaled to sum to 100, which the page says."""

from collections.abc import Mapping

SOURCES = ("self", "members", "public")


def gap(self_score, other_score):
    """Self minus the other source, or None when either is missing."""
    if self_score is None or other_score is None:
        return None
    return self_score - other_score


def rated_higher(gap_value, margin):
    """自评偏高: the self-assessment exceeds the other source by more than `margin`."""
    return gap_value is not None and gap_value > margin


def weighted_mean(scores: Mapping[str, float | None], weights: Mapping[str, float]):
    """Σ w·s / Σ w over the keys with a score and a positive weight; None if there is none."""
    used = {k: w for k, w in weights.items() if w > 0 and scores.get(k) is not None}
    total = sum(used.values())
    if not total:
        return None
    return sum(scores[k] * w for k, w in used.items()) / total


def composite(scores: Mapping[str, float | None], weights: Mapping[str, float]):
    """(composite index, complete): complete is False when a weighted source had no score
    and the others were rescaled."""
    value = weighted_mean(scores, weights)
    complete = all(scores.get(k) is not None for k, w in weights.items() if w > 0)
    return value, complete
