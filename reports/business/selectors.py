"""The reads of the business page: each unit's integration index beside its business score,
their coupling-coordination degree and quadrant, and the county's rank correlation."""

from dataclasses import dataclass

from reports import scoring
from reports.business import coupling
from reports.business.models import BusinessResult


@dataclass
class BusinessRow:
    unit_id: int
    name: str
    index: float | None  # integration index, 0–100 (数据不足: None)
    business: float | None  # business score on 0–100 (无数据: None)
    score: float | None  # the score as imported
    full_mark: float | None
    rank: int | None
    grade: str
    degree: float | None  # D
    band: str | None
    quadrant: str | None


@dataclass
class BusinessOverview:
    rows: list  # BusinessRow, by D (highest first), then the units lacking either value
    party_line: float | None  # the dividing lines of the quadrants: county means
    business_line: float | None
    rho: float | None
    rho_n: int
    imported: int  # units with business data
    imported_at: object
    quadrant_counts: list  # [(quadrant, count)] in the four quadrants' order


QUADRANTS = (
    coupling.BOTH_STRONG,
    coupling.PARTY_STRONG,
    coupling.BUSINESS_STRONG,
    coupling.BOTH_WEAK,
)


def business_overview(overview) -> BusinessOverview:
    """From a round's dashboard overview (reports.selectors.round_overview) and one query."""
    results = {
        r.unit_id: r
        for r in BusinessResult.objects.filter(round=overview.round).select_related("unit")
    }
    names = {u.unit_id: u.name for u in overview.units}
    index = {u.unit_id: u.index for u in overview.units}
    for unit_id, result in results.items():
        names.setdefault(unit_id, result.unit.name)
    business = {unit_id: r.percent for unit_id, r in results.items()}
    party_line = overview.county_index
    business_line = scoring.mean_or_none(business[u] for u in business if index.get(u) is not None)
    rows = []
    for unit_id, name in names.items():
        result = results.get(unit_id)
        u1, u2 = index.get(unit_id), business.get(unit_id)
        degree = coupling.coupling_degree(
            None if u1 is None else u1 / 100.0, None if u2 is None else u2 / 100.0
        )
        rows.append(
            BusinessRow(
                unit_id=unit_id,
                name=name,
                index=u1,
                business=u2,
                score=result.score if result else None,
                full_mark=result.full_mark if result else None,
                rank=result.rank if result else None,
                grade=result.grade if result else "",
                degree=degree,
                band=coupling.coupling_band(degree),
                quadrant=None
                if party_line is None or business_line is None
                else coupling.quadrant(u1, u2, party_line, business_line),
            )
        )
    rows.sort(key=lambda r: (r.degree is None, -(r.degree or 0), r.name))
    rho, n = coupling.spearman([(r.index, r.business) for r in rows])
    counts = {q: 0 for q in QUADRANTS}
    for row in rows:
        if row.quadrant:
            counts[row.quadrant] += 1
    return BusinessOverview(
        rows=rows,
        party_line=party_line,
        business_line=business_line,
        rho=rho,
        rho_n=n,
        imported=len(results),
        imported_at=max((r.imported_at for r in results.values()), default=None),
        quadrant_counts=list(counts.items()),
    )
