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
    spread,
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
        ax.grid(axis="both", color="#eeeeee")
        ax.axvline(party_line, color=MUTED, linewidth=1, linestyle="--")
        ax.axhline(business_line, color=MUTED, linewidth=1, linestyle="--")
        corners = (
            (coupling.BOTH_STRONG, 99, 99, "right", "top"),
            (coupling.PARTY_STRONG, 99, 1, "right", "bottom"),
            (coupling.BUSINESS_STRONG, 1, 99, "left", "top"),
            (coupling.BOTH_WEAK, 1, 1, "left", "bottom"),
        )
        for name, x, y, ha, va in corners:
            ax.text(x, y, name, ha=ha, va=va, fontsize=12, color=QUADRANT_COLOURS[name], alpha=0.8)
        colours = [
            QUADRANT_COLOURS.get(coupling.quadrant(x, y, party_line, business_line), NEUTRAL)
            for _, x, y in points
        ]
        ax.scatter([x for _, x, _ in points], [y for _, _, y in points], c=colours, s=36, zorder=3)
        # Labels beside their points, nudged apart vertically where points crowd.
        label_y = spread([y for _, _, y in points], 2.6)
        for (name, x, _), ly in zip(points, label_y, strict=True):
            ax.text(x + 1.2, ly, shorten(name, 8), fontsize=8, va="center", color="#424242")
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
