"""The quadrant chart: one point per unit, integration index across, business score up,
divided at the two county means into 双强 / 党建强业务弱 / 业务强党建弱 / 双弱."""

from reports.business import coupling
from reports.charts.style import (
    MUTED,
    NEUTRAL,
    PARTY_RED,
    check_format,
    empty_chart,
    figure,
    hover_point,
    hover_score,
    hover_targets,
    hover_text,
    save,
    score_axis,
    set_title,
    shorten,
)

QUADRANT_COLOURS = {
    coupling.BOTH_STRONG: "#2e7d32",
    coupling.PARTY_STRONG: "#ef6c00",
    coupling.BUSINESS_STRONG: "#1565c0",
    coupling.BOTH_WEAK: PARTY_RED,
}


def quadrant_chart(rows, party_line, business_line, title="党建与业务四象限", *, fmt="svg"):
    """``rows``: ``[(name, index or None, business or None), …]`` on 0–100. Units lacking
    either value are not drawn; the note says how many (无数据, never plotted at 0)."""
    check_format(fmt)
    points = [(n, x, y) for n, x, y in rows if x is not None and y is not None]
    if not points or party_line is None or business_line is None:
        return empty_chart(title, fmt)
    missing = len(rows) - len(points)
    with figure(6.4) as fig:
        ax = fig.add_subplot()
        score_axis(ax, "x", "党建融合度指数", upper=100)
        score_axis(ax, "y", "业务考核得分（百分制）", upper=100)
        # Zoomed to the points (a county's units sit within some 40 points of each other),
        # with the dividing lines always inside.
        low_x = _lower_limit([x for _, x, _ in points] + [party_line])
        low_y = _lower_limit([y for _, _, y in points] + [business_line])
        ax.set_xlim(low_x, 100)
        ax.set_ylim(low_y, 100)
        ax.set_xticks(range(int(low_x), 101, 10))
        ax.set_yticks(range(int(low_y), 101, 10))
        ax.grid(axis="both", color="#eeeeee")
        ax.axvline(party_line, color=MUTED, linewidth=1, linestyle="--")
        ax.axhline(business_line, color=MUTED, linewidth=1, linestyle="--")
        corners = (
            (coupling.BOTH_STRONG, 0.99, 0.99, "right", "top"),
            (coupling.PARTY_STRONG, 0.99, 0.01, "right", "bottom"),
            (coupling.BUSINESS_STRONG, 0.01, 0.99, "left", "top"),
            (coupling.BOTH_WEAK, 0.01, 0.01, "left", "bottom"),
        )
        for name, x, y, ha, va in corners:
            colour = QUADRANT_COLOURS[name]
            ax.text(x, y, name, ha=ha, va=va, fontsize=12, color=colour, transform=ax.transAxes)
        colours = [
            QUADRANT_COLOURS.get(coupling.quadrant(x, y, party_line, business_line), NEUTRAL)
            for _, x, y in points
        ]
        ax.scatter([x for _, x, _ in points], [y for _, _, y in points], c=colours, s=36, zorder=3)
        # Labels beside their points, moved up or down where neighbours would overlap.
        span_x, span_y = 100 - low_x, 100 - low_y
        label_y = _place_labels(
            [(x, y) for _, x, y in points], width=span_x * 0.16, height=span_y * 0.035
        )
        for (name, x, _), ly in zip(points, label_y, strict=True):
            label = shorten(name, 8)
            ax.text(x + span_x * 0.012, ly, label, fontsize=8, va="center", color="#424242")
        targets = [hover_point(ax, x, y) for _, x, y in points]
        titles = hover_targets(
            targets,
            "quadrant",
            [
                hover_text(name, f"党建 {hover_score(x)}", f"业务 {hover_score(y)}")
                for name, x, y in points
            ],
        )
        note = f"虚线为全县平均：党建 {party_line:.2f}，业务 {business_line:.2f}"
        if missing:
            note += f"；另有 {missing} 个单位无数据，未画出"
        set_title(ax, title, note)
        return save(fig, fmt, titles)


def _lower_limit(values):
    """The axis start: ten below the lowest value, on a multiple of ten, never below 0."""
    return max(0, (int(min(values)) // 10 - 1) * 10)


def _place_labels(points, *, width, height):
    """A label height for each point: its own, or the nearest free one above or below when
    a label already placed to its side would overlap (labels run ``width`` to the right)."""
    placed = []
    heights = [0.0] * len(points)
    for i in sorted(range(len(points)), key=lambda i: (-points[i][1], points[i][0])):
        x, y = points[i]
        neighbours = [(px, py) for px, py in placed if abs(px - x) < width]
        for step in range(40):
            offset = (step + 1) // 2 * height * (1 if step % 2 else -1)
            candidate = y + offset
            if all(abs(candidate - py) >= height for _, py in neighbours):
                break
        heights[i] = candidate
        placed.append((x, candidate))
    return heights


def alt_text_quadrant_chart(rows, party_line, business_line, title="党建与业务四象限"):
    points = [(n, x, y) for n, x, y in rows if x is not None and y is not None]
    if not points or party_line is None or business_line is None:
        return f"{title}：暂无数据"
    counts = {}
    for _, x, y in points:
        q = coupling.quadrant(x, y, party_line, business_line)
        counts[q] = counts.get(q, 0) + 1
    parts = "，".join(f"{q} {counts.get(q, 0)} 个" for q in QUADRANT_COLOURS)
    return f"{title}：{len(points)} 个单位，{parts}。"
