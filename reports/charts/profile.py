"""Charts for the office's dashboards and the per-unit reports: plain data in, SVG/PNG bytes out.

This module holds the charts of one unit or one set of series: the radar of dimension scores,
the trend across rounds, the item bars and the cause profile (trend and cause profile also
show the county as a whole on the round dashboard), plus ``CHARTS``, every chart by kind. The
charts that line up the county's units (ranking, heatmap, grade distribution, progress) are in
``reports/charts/county.py``.

Each ``<chart>(…, fmt="svg"|"png") -> bytes`` takes lists and numbers (no ORM, no request) and
has an ``alt_text_<chart>`` twin with the same data arguments that says in Chinese what the
chart shows, for the ``alt`` attribute and screen readers. ``None`` means 数据不足 everywhere;
no data at all gives a chart that says 暂无数据. Fonts, colours and the rc/lock plumbing live
in ``reports/charts/style.py``; see there why pyplot is never used.
"""

import numpy as np
from matplotlib.patches import Patch

from reports import scoring
from reports.charts import county
from reports.charts.style import (
    MUTED,
    NEUTRAL,
    NO_DATA,
    NO_DATA_COLOUR,
    PARTY_RED,
    SERIES_COLOURS,
    SIDE_WIDTH,
    TEXT,
    WIDTH,
    check_format,
    check_shape,
    empty_chart,
    figure,
    hover_point,
    hover_score,
    hover_targets,
    hover_text,
    nan_if_none,
    row_height,
    save,
    score_axis,
    score_text,
    set_title,
    shorten,
    spread,
    wrap,
)

# Cause tags with the short reading the research report gives them (四、成因).
CAUSE_NOTES = {"虚化": "思想站位不高", "弱化": "党建管理不严", "分化": "与中心工作脱节"}


def radar(dimensions, series, title="分维度得分对比", *, fmt="svg"):
    """One polygon per series on 0–100 axes, e.g. ``[("本单位", […]), ("全县平均", […])]``."""
    check_format(fmt)
    if not dimensions or not series:
        return empty_chart(title, fmt)
    check_shape([v for _, v in series], len(series), len(dimensions))
    angles = np.linspace(0, 2 * np.pi, len(dimensions), endpoint=False)
    closed = np.append(angles, angles[0])
    with figure(SIDE_WIDTH, width=SIDE_WIDTH) as fig:
        ax = fig.add_subplot(projection="polar")
        ax.set_theta_offset(np.pi / 2)
        ax.set_theta_direction(-1)
        points, texts = [], []
        for k, (name, values) in enumerate(series):
            colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
            data = nan_if_none(values)
            label = name
            if all(v is None for v in values):
                label = f"{label}（{NO_DATA}）"
            elif None in values:
                label = f"{label}（部分{NO_DATA}）"
            ax.plot(
                closed,
                data + data[:1],
                color=colour,
                linewidth=2.2 if k == 0 else 1.6,
                marker="o",
                label=shorten(label, 24),
                linestyle="-" if k == 0 else "--",
            )
            if k == 0 and None not in values:
                ax.fill(closed, data + data[:1], color=colour, alpha=0.12)
            for angle, dimension, value in zip(angles, dimensions, values, strict=True):
                if value is not None:
                    points.append(hover_point(ax, angle, value))
                    texts.append(hover_text(name, dimension, hover_score(value)))
        ax.set_xticks(angles, [shorten(d, 8, 2) for d in dimensions], fontsize=11)
        ax.set_ylim(0, 100)
        ax.set_yticks(
            [20, 40, 60, 80, 100],
            ["20", "40", "60", "80", "100"],
            color=MUTED,
            fontsize=8,
            bbox={"facecolor": "white", "alpha": 0.85, "pad": 1, "lw": 0},
        )
        ax.set_rlabel_position(180 / len(dimensions))
        ax.set_title(title)
        fig.legend(loc="outside lower center", ncols=min(len(series), 4), frameon=False)
        return save(fig, fmt, hover_targets(points, "point", texts))


def alt_text_radar(dimensions, series, title="分维度得分对比"):
    if not dimensions or not series:
        return f"{title}：暂无数据。"
    parts = [
        f"{label}："
        + "、".join(f"{d} {score_text(v)}" for d, v in zip(dimensions, values, strict=True))
        for label, values in series
    ]
    return f"{title}。" + "；".join(parts) + "。"


def trend(rounds, series, title="各轮次得分趋势", *, fmt="svg"):
    """Lines across rounds, one per series; None leaves a gap in its line."""
    check_format(fmt)
    if not rounds or not series:
        return empty_chart(title, fmt)
    check_shape([v for _, v in series], len(series), len(rounds))
    x = np.arange(len(rounds))
    scores = [v for _, values in series for v in values if v is not None]
    # Scores sit mostly between 50 and 95; starting the axis near the lowest score keeps the
    # changes between rounds visible, and a line chart needs no zero baseline.
    bottom = max(0, (min(scores, default=0) - 10) // 10 * 10)
    ends = []  # (round index, value, colour) of each line's last point, for its label
    # Side-column width up to four rounds; wider with more, so the round names stay apart.
    width = min(WIDTH, SIDE_WIDTH + 0.6 * max(0, len(rounds) - 4))
    points, texts = [], []
    with figure(4.4, width=width) as fig:
        ax = fig.add_subplot()
        for k, (label, values) in enumerate(series):
            colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
            ax.plot(
                x,
                nan_if_none(values),
                color=colour,
                marker="o",
                label=shorten(label, 24),
                linewidth=2.6 if k == 0 else 1.6,
                markersize=6 if k == 0 else 4,
                zorder=3 if k == 0 else 2,
            )
            for i, (name, value) in enumerate(zip(rounds, values, strict=True)):
                if value is not None:
                    points.append(hover_point(ax, x[i], value))
                    texts.append(hover_text(label, name, hover_score(value)))
            last = max((i for i, v in enumerate(values) if v is not None), default=None)
            if last is not None:
                ends.append((last, values[last], colour))
        heights = spread([v for _, v, _ in ends], gap=(100 - bottom) / 22)
        for (i, value, colour), height in zip(ends, heights, strict=True):
            ax.annotate(
                f"{value:.1f}",
                (x[i], value),
                xytext=(x[i] + 0.08, height),
                va="center",
                fontsize=8,
                color=colour,
            )
        per_line = 6 if len(rounds) > 6 else 10
        ax.set_xticks(x, [shorten(r, per_line, 2) for r in rounds], fontsize=9)
        ax.set_xlim(-0.4, len(rounds) - 0.4)
        ax.set_ylim(bottom, 100)
        ax.set_ylabel("得分")
        ax.grid(axis="y", color="#eeeeee")
        ax.set_title(title)
        columns = 4 if width >= WIDTH - 1 else 2
        fig.legend(loc="outside lower center", ncols=min(len(series), columns), frameon=False)
        return save(fig, fmt, hover_targets(points, "point", texts))


def alt_text_trend(rounds, series, title="各轮次得分趋势"):
    if not rounds or not series:
        return f"{title}：暂无数据。"
    parts = []
    for label, values in series:
        points = [(r, v) for r, v in zip(rounds, values, strict=True) if v is not None]
        if not points:
            parts.append(f"{label}各轮均数据不足")
        elif len(points) == 1:
            parts.append(f"{label}仅{points[0][0]}有数据，为 {points[0][1]:.1f}")
        else:
            (r0, v0), (r1, v1) = points[0], points[-1]
            change = (
                "持平"
                if abs(v1 - v0) < 0.05
                else (f"上升 {v1 - v0:.1f}" if v1 > v0 else f"下降 {v0 - v1:.1f}")
            )
            parts.append(f"{label}从{r0}的 {v0:.1f} 到{r1}的 {v1:.1f}，{change}")
    return f"{title}：共 {len(rounds)} 轮。" + "；".join(parts) + "。"


REVERSED_NOTE = "反向题已换算为正向得分，分数越高越好"


def _lowest(items, n):
    scored = sorted((v, i) for i, (_, v) in enumerate(items) if v is not None)
    return {i for _, i in scored[: max(0, n)]}


def item_bars(items, highlight_lowest=3, title="各题目平均得分", *, fmt="svg"):
    """Mean item scores as horizontal bars in questionnaire order; the weakest in red."""
    check_format(fmt)
    if not items:
        return empty_chart(title, fmt)
    weakest = _lowest(items, highlight_lowest)
    with figure(row_height(len(items), per_row=0.5, base=1.8)) as fig:
        ax = fig.add_subplot()
        y = np.arange(len(items))
        bars = ax.barh(
            y,
            [v or 0 for _, v in items],
            height=0.66,
            color=[PARTY_RED if i in weakest else NEUTRAL for i in range(len(items))],
        )
        titles = hover_targets(
            bars, "bar", [hover_text(label, hover_score(value)) for label, value in items]
        )
        for i, (_, value) in enumerate(items):
            ax.text(
                (value or 0) + 1,
                i,
                score_text(value),
                va="center",
                fontsize=9,
                color=NO_DATA_COLOUR if value is None else (PARTY_RED if i in weakest else TEXT),
            )
        # Whole question texts where they fit, broken at punctuation, not cut mid-word.
        ax.set_yticks(y, [wrap(label, 20, 3) for label, _ in items], fontsize=8.5)
        ax.set_ylim(len(y) - 0.5, -0.5)  # top row first, no empty margin rows
        score_axis(ax, "x", "平均得分", upper=110)
        set_title(ax, title, REVERSED_NOTE)
        if weakest:
            fig.legend(
                handles=[
                    Patch(color=PARTY_RED, label=f"得分最低的 {len(weakest)} 项"),
                    Patch(color=NEUTRAL, label="其他题目"),
                ],
                loc="outside lower center",
                ncols=2,
                frameon=False,
            )
        return save(fig, fmt, titles)


def alt_text_item_bars(items, highlight_lowest=3, title="各题目平均得分"):
    if not items:
        return f"{title}：暂无数据。"
    weakest = sorted(_lowest(items, highlight_lowest), key=lambda i: items[i][1])
    text = f"{title}：共 {len(items)} 题"
    if weakest:
        text += f"，得分最低的 {len(weakest)} 题为：" + "；".join(
            f"{items[i][0]} {items[i][1]:.1f}" for i in weakest
        )
    missing = sum(1 for _, v in items if v is None)
    if missing:
        text += f"；{missing} 题数据不足"
    return text + f"。{REVERSED_NOTE}。"


def _main_cause(causes, main):
    return main if main is not None else scoring.main_cause(dict(causes))


def cause_profile(causes, main=None, title="成因分析", *, fmt="svg"):
    """Bars for 虚化/弱化/分化; the main cause (given, or else the lowest) in Party red."""
    check_format(fmt)
    if not causes:
        return empty_chart(title, fmt)
    main = _main_cause(causes, main)
    with figure(4.4, width=SIDE_WIDTH) as fig:
        ax = fig.add_subplot()
        x = np.arange(len(causes))
        bars = ax.bar(
            x,
            [v or 0 for _, v in causes],
            width=0.55,
            color=[PARTY_RED if name == main else NEUTRAL for name, _ in causes],
        )
        titles = hover_targets(
            bars,
            "bar",
            [
                hover_text(name, hover_score(value), name == main and "主要成因")
                for name, value in causes
            ],
        )
        for i, (name, value) in enumerate(causes):
            label = score_text(value) + ("\n主要成因" if name == main else "")
            ax.text(
                i,
                (value or 0) + 2,
                label,
                ha="center",
                va="bottom",
                fontsize=10,
                color=PARTY_RED if name == main else (NO_DATA_COLOUR if value is None else TEXT),
            )
        labels = [
            f"{name}\n{CAUSE_NOTES[name]}" if name in CAUSE_NOTES else shorten(name, 8, 2)
            for name, _ in causes
        ]
        ax.set_xticks(x, labels, fontsize=11)
        score_axis(ax, "y", "得分", upper=118)
        ax.text(
            1,
            1,
            "得分越低，该成因越突出",
            transform=ax.transAxes,
            ha="right",
            va="top",
            color=MUTED,
            fontsize=9,
        )
        ax.set_title(title)
        return save(fig, fmt, titles)


def alt_text_cause_profile(causes, main=None, title="成因分析"):
    if not causes:
        return f"{title}：暂无数据。"
    main = _main_cause(causes, main)
    text = f"{title}：" + "、".join(f"{name} {score_text(v)}" for name, v in causes)
    return text + (f"；主要成因为{main}。" if main else "。")


# Every chart by kind -> (chart, alt text), for callers that go through all of them.
CHARTS = {
    "ranking_bar": (county.ranking_bar, county.alt_text_ranking_bar),
    "dimension_heatmap": (
        county.dimension_heatmap,
        county.alt_text_dimension_heatmap,
    ),
    "radar": (radar, alt_text_radar),
    "trend": (trend, alt_text_trend),
    "item_bars": (item_bars, alt_text_item_bars),
    "cause_profile": (cause_profile, alt_text_cause_profile),
    "grade_distribution": (
        county.grade_distribution,
        county.alt_text_grade_distribution,
    ),
    "progress_donut": (county.progress_donut, county.alt_text_progress_donut),
}
