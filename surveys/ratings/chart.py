"""The self-vs-others chart: per unit, its self-assessment, 党员评议 and 群众评议 as dots on one
0–100 line, so one look tells who rates themselves higher than they are rated. Plain data in,
SVG text out (escaped; no script, no style attribute)."""

from xml.sax.saxutils import escape

LEFT, RIGHT, TOP, ROW = 150, 620, 40, 30
WIDTH = RIGHT + 30
SERIES = (
    ("self", "自评", "#b3120f"),
    ("members", "党员评议", "#1f5fa8"),
    ("public", "群众评议", "#2e7d32"),
)


def _x(score):
    return LEFT + (RIGHT - LEFT) * max(0.0, min(100.0, score)) / 100


def self_vs_others_svg(units):
    """`units`: [(name, {"self": s, "members": m, "public": p})], scores or None."""
    height = TOP + ROW * max(1, len(units)) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="rater-compare-chart" role="img" aria-labelledby="compare-chart-title">',
        '<title id="compare-chart-title">各单位自评与党员评议、群众评议得分对比（0–100）</title>',
    ]
    for i, (_key, label, colour) in enumerate(SERIES):
        x = LEFT + i * 110
        parts.append(f'<circle cx="{x}" cy="14" r="6" fill="{colour}"/>')
        parts.append(f'<text x="{x + 10}" y="19" font-size="13">{escape(label)}</text>')
    for tick in range(0, 101, 20):
        x = _x(tick)
        parts.append(f'<line x1="{x}" y1="{TOP - 8}" x2="{x}" y2="{height - 26}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{x}" y="{height - 10}" font-size="11" text-anchor="middle">{tick}</text>'
        )
    for row, (name, scores) in enumerate(units):
        y = TOP + ROW * row + ROW / 2
        short = name if len(name) <= 10 else name[:9] + "…"
        parts.append(
            f'<text x="{LEFT - 10}" y="{y + 4}" font-size="13" text-anchor="end">'
            f"<title>{escape(name)}</title>{escape(short)}</text>"
        )
        known = [s for s in scores.values() if s is not None]
        if len(known) >= 2:
            parts.append(
                f'<line x1="{_x(min(known))}" y1="{y}" x2="{_x(max(known))}" y2="{y}" '
                'stroke="#999" stroke-width="2"/>'
            )
        for key, label, colour in SERIES:
            score = scores.get(key)
            if score is None:
                continue
            hover = escape(f"{name} {label} {score:.1f}")
            parts.append(
                f'<circle cx="{_x(score):.1f}" cy="{y}" r="6" fill="{colour}">'
                f"<title>{hover}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)
