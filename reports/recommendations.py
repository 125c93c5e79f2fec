"""The report's countermeasures as data, and which of them a unit's scores call for."""

from pathlib import Path

import yaml

from reports import scoring

RECOMMENDATIONS_PATH = Path(__file__).resolve().parent / "recommendations.yaml"


def read_recommendations(path=RECOMMENDATIONS_PATH):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_recommendations(model, path=RECOMMENDATIONS_PATH):
    """Create the shipped recommendations once; edits made in the admin are kept."""
    if model.objects.exists():
        return 0
    rows = [
        model(
            dimension_code=entry.get("dimension", ""),
            cause=entry.get("cause", ""),
            title=entry["title"],
            actions="\n".join(entry["actions"]),
            order=i,
        )
        for i, entry in enumerate(read_recommendations(path))
    ]
    model.objects.bulk_create(rows)
    return len(rows)


def recommended(recommendations, *, dimension_scores, main_cause, threshold):
    """The recommendations for every dimension scoring below `threshold` (较好, compared by
    scoring.below) and for the main cause (the shipped data names one only for 弱化); a
    dimension with 数据不足 gets none (we do not know it is weak)."""
    weak = {code for code, score in dimension_scores.items() if scoring.below(score, threshold)}
    return [
        r
        for r in recommendations
        if (r.dimension_code and r.dimension_code in weak) or (r.cause and r.cause == main_cause)
    ]
