"""The reads of the warning lights: each unit's facts from the stored numbers, its light and
the rules that fired, in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from reports.models import UnitScore
from reports.selectors import counted_scores
from reports.warnings import rules
from reports.warnings.models import WarningRules
from surveys.ratings import selectors as rating_selectors
from surveys.rounds.models import Round


@dataclass
class LightRow:
    unit_id: int
    name: str
    index: float | None
    grade: str | None
    light: str
    reasons: list
    verified: int = 0  # how many of the unit's counted sheets the office verified (考评)

    @property
    def label(self):
        return rules.LABELS[self.light]

    @property
    def order(self):
        """Red first when a table sorts by light."""
        return rules.LIGHTS.index(self.light)


def round_rules(round_) -> rules.Rules:
    row = WarningRules.objects.filter(round=round_).first()
    return row.as_rules() if row else rules.Rules()


def _histories(round_):
    """{unit id: (index, …)} over this round and the earlier ones, oldest first, leaving out
    rounds in which the unit had no index (a gap neither falls nor rises)."""
    earlier = Round.objects.filter(opens_at__lte=round_.opens_at).values("pk")
    history = defaultdict(list)
    for unit_id, index in (
        UnitScore.objects.filter(round_id__in=earlier, index__isnull=False)
        .order_by("round__opens_at", "round_id")
        .values_list("unit_id", "index")
    ):
        history[unit_id].append(index)
    return history


SOURCES = (("members", "党员评议"), ("public", "群众评议"))


def rater_gaps(round_) -> dict:
    """{unit id: {source name: 自评 − that source's index}} once the round has closed and the
    rater groups have enough sheets (surveys.ratings); {} before."""
    rows = rating_selectors.round_comparison(round_) or []
    return {
        row.unit.pk: {
            name: row.gaps[key][0] for key, name in SOURCES if row.gaps[key][0] is not None
        }
        for row in rows
    }


VERIFIED_SOURCE = "考评"


def verification_gaps(round_) -> dict:
    """{unit id: {"考评": 自评 − counted index}} for the units with at least one counted
    submission the office verified (考评): the mean of the self-assessed indices minus the mean
    of the counted ones (verified where verified), over the same counted submissions. One
    query.

    Shown from the first verified submission, before 公示: the dashboard and the warnings
    page are the office's own, and the office sees the verified numbers as it sets them.
    The margin is the warning rules' 自评偏高 margin (one rule for every source), not the
    round's RoundPublication.overclaim_margin, which flags single submissions in the
    verification queue."""
    rows = (
        counted_scores(round=round_)
        .values("unit_id")
        .annotate(
            own=Avg("self_index"),
            counted=Avg("index"),
            verified=Count("pk", filter=Q(verified=True)),
        )
        .filter(verified__gt=0)
        .values_list("unit_id", "own", "counted")
        .order_by("unit_id")
    )
    return {
        unit_id: {VERIFIED_SOURCE: own - counted}
        for unit_id, own, counted in rows
        if own is not None and counted is not None
    }


def verified_branch_gaps(round_) -> dict:
    """{unit id: ((branch name, 自评 − verified index), …)} for the counted verified
    submissions of the round: each branch's own 自评偏高, not diluted by the unit's mean. One
    query."""
    gaps = defaultdict(list)
    for unit_id, name, own, counted in (
        counted_scores(round=round_, verified=True)
        .exclude(self_index=None)
        .exclude(index=None)
        .order_by("branch__code")
        .values_list("unit_id", "branch__name", "self_index", "index")
    ):
        gaps[unit_id].append((name, own - counted))
    return {unit_id: tuple(rows) for unit_id, rows in gaps.items()}


def _merged(*gap_sets) -> dict:
    merged = defaultdict(dict)
    for gaps in gap_sets:
        for unit_id, by_source in gaps.items():
            merged[unit_id].update(by_source)
    return dict(merged)


def lights(overview, business=None, rule_set=None, gaps=None) -> list[LightRow]:
    """One row per unit of the round's overview (reports.selectors.round_overview), in its
    order; ``business`` is the business page's overview for the 双弱 rule, if imported;
    ``gaps`` the gaps for 自评偏高 (rater_gaps and verification_gaps, read here if not
    given)."""
    rule_set = rule_set or round_rules(overview.round)
    if gaps is None:
        gaps = _merged(rater_gaps(overview.round), verification_gaps(overview.round))
    history = _histories(overview.round)
    branch_gaps = verified_branch_gaps(overview.round)
    quadrants = {r.unit_id: r.quadrant for r in business.rows} if business else {}
    rows = []
    for unit in overview.units:
        facts = rules.UnitFacts(
            name=unit.name,
            index=unit.index,
            grade=unit.grade,
            dimensions={d.name: unit.dimensions.get(d.code) for d in overview.dimensions},
            history=tuple(history.get(unit.unit_id, ())) if unit.index is not None else (),
            quadrant=quadrants.get(unit.unit_id),
            self_gaps=gaps.get(unit.unit_id, {}),
            branch_gaps=branch_gaps.get(unit.unit_id, ()),
        )
        light, reasons = rules.evaluate(facts, rule_set)
        rows.append(
            LightRow(
                unit.unit_id,
                unit.name,
                unit.index,
                unit.grade,
                light,
                reasons,
                verified=len(branch_gaps.get(unit.unit_id, ())),
            )
        )
    return rows


def light_counts(rows) -> list[tuple[str, str, int]]:
    counts = {light: 0 for light in rules.LIGHTS}
    for row in rows:
        counts[row.light] += 1
    return [(light, rules.LABELS[light], counts[light]) for light in rules.LIGHTS]
