"""Party-building beside business results as plain arithmetic: no ORM, no Django.

The coupling-coordination degree of two systems (docs/coupling.md has the formula and a worked
example): with the integration index U1 and the business score U2 both on 0–1,

    C = 2·√(U1·U2) / (U1 + U2)      how far the two move together (1 = equal)
    T = α·U1 + β·U2                 how high they are together (α + β = 1)
    D = √(C·T)                      the coupling-coordination degree, 0–1

and D falls into one of ten bands of width 0.1, from 极度失调 to 优质协调. Across units, the
Spearman rank correlation says whether the units that do Party work better also do their
business better. Units with either value missing are left out, never read as 0.
"""

import math
from collections.abc import Sequence

from reports.scoring import at_least

# Upper-exclusive bands of D (the last includes 1.0), in the literature's usual ten steps.
COUPLING_BANDS = (
    (0.9, "优质协调"),
    (0.8, "良好协调"),
    (0.7, "中级协调"),
    (0.6, "初级协调"),
    (0.5, "勉强协调"),
    (0.4, "濒临失调"),
    (0.3, "轻度失调"),
    (0.2, "中度失调"),
    (0.1, "严重失调"),
    (0.0, "极度失调"),
)

# The quadrant of a unit: Party-building strong or weak against business strong or weak.
BOTH_STRONG = "双强"
PARTY_STRONG = "党建强业务弱"
BUSINESS_STRONG = "业务强党建弱"
BOTH_WEAK = "双弱"


def coupling(u1, u2) -> float:
    """C = 2·√(U1·U2)/(U1 + U2) for two values on 0–1 that are not both 0."""
    return 2.0 * math.sqrt(u1 * u2) / (u1 + u2)


def coupling_degree(u1, u2, alpha=0.5, beta=0.5) -> float | None:
    """D for two values on 0–1; None when either is missing. Both 0 gives 0 (C is 0/0 there,
    but two systems at nothing are as uncoordinated as it gets)."""
    if u1 is None or u2 is None:
        return None
    if not (0.0 <= u1 <= 1.0 and 0.0 <= u2 <= 1.0):
        raise ValueError("coupling_degree takes values on 0–1")
    if u1 + u2 == 0:
        return 0.0
    return math.sqrt(coupling(u1, u2) * (alpha * u1 + beta * u2))


def coupling_band(d) -> str | None:
    """The band of D, compared the way grades are (a hair below 0.7 from float arithmetic is
    0.7)."""
    if d is None:
        return None
    for lower, name in COUPLING_BANDS:
        if at_least(d, lower):
            return name
    return COUPLING_BANDS[-1][1]


def quadrant(party, business, party_line, business_line) -> str | None:
    """Which of the four quadrants a unit is in, against the two dividing lines (e.g. the
    county means, or 70 and 70); None when either value is missing."""
    if party is None or business is None:
        return None
    party_strong = at_least(party, party_line)
    business_strong = at_least(business, business_line)
    if party_strong and business_strong:
        return BOTH_STRONG
    if party_strong:
        return PARTY_STRONG
    if business_strong:
        return BUSINESS_STRONG
    return BOTH_WEAK


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1..n, ties sharing the mean of the ranks they span (1, 2.5, 2.5, 4)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for k in range(start, end + 1):
            ranks[order[k]] = shared
        start = end + 1
    return ranks


def spearman(pairs: Sequence[tuple]) -> tuple[float | None, int]:
    """Spearman's ρ over the pairs with both values present, and how many pairs that was.

    ρ is Pearson's correlation of the average ranks (exact with ties). None when fewer than
    three pairs remain or when either side has all values equal (no order to correlate).
    """
    kept = [(x, y) for x, y in pairs if x is not None and y is not None]
    n = len(kept)
    if n < 3:
        return None, n
    rx = average_ranks([x for x, _ in kept])
    ry = average_ranks([y for _, y in kept])
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None, n
    return sxy / math.sqrt(sxx * syy), n
