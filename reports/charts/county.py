"""Charts that line up the county's units, for the office's round dashboard: the index ranking,
the units × dimensions heatmap, the grade distribution and the submission progress.

They keep the contract of ``reports/charts/profile.py``: plain data in, SVG/PNG bytes out, an
``alt_text_<chart>`` twin for each, ``None`` drawn as 数据不足 and no data at all as 暂无数据.
The ranking and the heatmap draw a row per unit, so they also hold the cap (MAX_CHART_ROWS)
that keeps a province-wide benchmark of hundreds of units small and readable.
"""

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.patches import Patch, Rectangle

from reports.charts.style import (
    GRADE_COLOURS,
    MUTED,
    NO_DATA,
    NO_DATA_COLOUR,
    NO_DATA_FILL,
    PARTY_RED,
    SCORE_CMAP,
    SIDE_WIDTH,
    TEXT,
    check_format,
    check_shape,
    empty_chart,
    figure,
    grade_colour,
    hover_score,
    hover_targets,
    hover_text,
    link,
    mean,
    nan_if_none,
    row_height,
    save,
    score_axis,
    score_text,
    set_title,
    shorten,
)

# A county has some dozens of units, but a province-wide benchmark has hundreds: one row each
# made a ~1 MB SVG (glyphs are paths) that took seconds to draw and that nobody could read.
# The table under the chart has every number, so past MAX_CHART_ROWS units the ranking and the
# heatmap show the first and the last SHOWN_EACH_END with one separator row between them.
# Units without data are left out first (and counted in the note): in a round still being
# filled in they would otherwise take the bottom rows meant for the weakest units.
MAX_CHART_ROWS = 60
SHOWN_EACH_END = 25
SEPARATOR_FILL = "#f5f5f5"  # lighter than NO_DATA_FILL, so the gap never reads as 数据不足


def _rank_key(unit):
    # Highest index first; units without an index last, in the order given.
    return (unit[1] is None, -(unit[1] or 0))


def _sorted_units(units):
    return sorted(units, key=_rank_key)


def _capped_rows(rows, has_data=None):
    """``(shown_top, hidden_count, shown_bottom, without_data)``: the rows a chart draws, in
    the order given, how many scored rows the separator stands for, and how many rows without
    data (``has_data(row)`` false) were left out.

    Up to MAX_CHART_ROWS rows nothing is left out: ``(rows, 0, [], 0)``. Past it the rows
    without data go first (unless no row has data), then the middle of the rest.
    """
    rows = list(rows)
    if len(rows) <= MAX_CHART_ROWS:
        return rows, 0, [], 0
    kept = [row for row in rows if has_data(row)] if has_data else rows
    without_data = len(rows) - len(kept)
    if not kept:
        kept, without_data = rows, 0
    if len(kept) <= MAX_CHART_ROWS:
        return kept, 0, [], without_data
    hidden = len(kept) - 2 * SHOWN_EACH_END
    return kept[:SHOWN_EACH_END], hidden, kept[-SHOWN_EACH_END:], without_data


def _has_index(unit):
    return unit[1] is not None


def _has_any_score(row):
    return any(v is not None for v in row[1])


def _row_positions(top, hidden, bottom):
    """y of each shown row, with one row left free after ``top`` when some are hidden."""
    y = np.arange(len(top) + len(bottom))
    if hidden:
        y[len(top) :] += 1
    return y


def _cap_note(unit_word):
    # The same words in the chart and in its alt text, so the two say the same thing.
    return f"显示前 {SHOWN_EACH_END} {unit_word}和后 {SHOWN_EACH_END} {unit_word}"


def _without_data_note(count):
    return f"{count} 个单位数据不足，未列出"


def _title_note(total, hidden, without_data, unit_word):
    """The grey line under a capped chart's title, or None when every unit is drawn."""
    parts = []
    if hidden:
        parts.append(_cap_note(unit_word))
    if without_data:
        parts.append(_without_data_note(without_data))
    return f"共 {total} 个单位，" + "；".join(parts) if parts else None


def _draw_separator(ax, y, hidden, what):
    """The row standing for the units left out: a pale band with a count, no bar or score."""
    ax.axhspan(y - 0.5, y + 0.5, color=SEPARATOR_FILL, linewidth=0)
    ax.text(
        0.5,
        y,
        f"…… 其余 {hidden} 个单位略，完整{what}见下表 ……",
        transform=ax.get_yaxis_transform(),  # x across the axes, y in rows
        ha="center",
        va="center",
        fontsize=9,
        color=MUTED,
    )


def _with_urls(rows, urls):
    """``rows`` paired with their URLs (``urls`` is parallel to ``rows``, or None)."""
    rows = list(rows)
    if urls is not None and len(urls) != len(rows):
        raise ValueError(f"expected {len(rows)} urls")
    return list(zip(rows, urls or [None] * len(rows), strict=True))


def _link_rows(ax, artists, rows, urls, what, hover):
    """Each row's artists (bars or cells) and its y tick label link to the row's URL (if it
    has one) and carry its hover text; returns the gid -> title map for ``save``."""
    labels = ax.get_yticklabels()  # one per row, in the order drawn
    titles = {}
    for k, (row, url) in enumerate(zip(rows, urls, strict=True)):
        for j, artist in enumerate(artists[k]):
            gid = f"ronghe-{what}-{k}-{j}"
            link(artist, gid, url)
            titles[gid] = hover(row, j)
        gid = f"ronghe-{what}-label-{k}"
        link(labels[k], gid, url)
        titles[gid] = hover(row, None)
    return titles


def ranking_bar(units, title="各单位融合度指数排名", *, urls=None, fmt="svg"):
    """Horizontal bars of each unit's index, best on top, coloured by grade.

    ``units``: ``[(name, index or None, grade or None), …]``; ``urls``: parallel to ``units``,
    the page each unit's bar and name link to in the SVG. Each bar's hover text is
    "name index grade".
    """
    check_format(fmt)
    if not units:
        return empty_chart(title, fmt)
    pairs = sorted(_with_urls(units, urls), key=lambda p: _rank_key(p[0]))
    top, hidden, bottom, without_data = _capped_rows(pairs, lambda p: _has_index(p[0]))
    rows = [unit for unit, _ in top + bottom]
    row_urls = [url for _, url in top + bottom]
    y = _row_positions(top, hidden, bottom)
    n_rows = len(y) + bool(hidden)
    with figure(row_height(n_rows)) as fig:
        ax = fig.add_subplot()
        values = [0 if v is None else v for _, v, _ in rows]
        colours = [NO_DATA_FILL if v is None else grade_colour(g) for _, v, g in rows]
        bars = ax.barh(y, values, color=colours, height=0.7)
        for i, (_, value, grade) in zip(y, rows, strict=True):
            label = NO_DATA if value is None else f"{value:.1f}  {grade or ''}".rstrip()
            colour = NO_DATA_COLOUR if value is None else TEXT
            ax.text((value or 0) + 1, i, label, va="center", fontsize=9, color=colour)
        ax.set_yticks(y, [shorten(name, 14) for name, _, _ in rows])
        titles = _link_rows(
            ax,
            [[bar] for bar in bars],
            rows,
            row_urls,
            "bar",
            lambda row, _j: hover_text(row[0], hover_score(row[1]), row[1] is not None and row[2]),
        )
        ax.set_ylim(n_rows - 0.5, -0.5)  # top row first, no empty margin rows
        score_axis(ax, "x", "融合度指数", upper=112)
        if hidden:
            _draw_separator(ax, len(top), hidden, "排名")
        set_title(ax, title, _title_note(len(units), hidden, without_data, "名"))
        present = {g for _, v, g in rows if v is not None}
        handles = [Patch(color=c, label=g) for g, c in GRADE_COLOURS.items() if g in present]
        if any(v is None for _, v, _ in rows):
            handles.append(Patch(color=NO_DATA_FILL, label=NO_DATA))
        fig.legend(handles=handles, loc="outside lower center", ncols=5, frameon=False)
        return save(fig, fmt, titles)


def alt_text_ranking_bar(units, title="各单位融合度指数排名"):
    if not units:
        return f"{title}：暂无数据。"
    rows = _sorted_units(units)
    scored = [r for r in rows if r[1] is not None]
    parts = [f"{title}：共 {len(rows)} 个单位"]
    _, hidden, _, without_data = _capped_rows(rows, _has_index)
    if hidden:
        parts.append(f"图中只{_cap_note('名')}，其余 {hidden} 个单位略")
    if without_data:
        parts.append(f"图中未列出数据不足的 {without_data} 个单位")
    if scored:
        top, bottom = scored[0], scored[-1]
        parts.append(f"最高为{top[0]} {top[1]:.1f}（{top[2] or '未定等次'}）")
        parts.append(f"最低为{bottom[0]} {bottom[1]:.1f}（{bottom[2] or '未定等次'}）")
        counts = [f"{g} {sum(1 for r in scored if r[2] == g)} 个" for g in GRADE_COLOURS]
        parts.append("等次：" + "、".join(counts))
    if len(scored) < len(rows) and not without_data:  # else said above
        parts.append(f"{len(rows) - len(scored)} 个单位数据不足")
    return "，".join(parts) + "。"


def dimension_heatmap(units, dimensions, values, title="各单位分维度得分", *, urls=None, fmt="svg"):
    """Units × dimensions, each cell annotated, red (low) to green (high), None grey "—".

    ``urls``: parallel to ``units``; in the SVG each unit's cells and name link there, and
    each cell's hover text is "unit dimension score"."""
    check_format(fmt)
    if not units or not dimensions:
        return empty_chart(title, fmt)
    check_shape(values, len(units), len(dimensions))
    top, hidden, bottom, without_data = _capped_rows(
        _with_urls(zip(units, values, strict=True), urls), lambda p: _has_any_score(p[0])
    )
    shown = [row for row, _ in top + bottom]
    shown_urls = [url for _, url in top + bottom]
    y = _row_positions(top, hidden, bottom)
    n_rows = len(y) + bool(hidden)
    cells = [nan_if_none(row) for _, row in shown]
    if hidden:
        cells.insert(len(top), [float("nan")] * len(dimensions))  # separator: masked, no text
    grid = np.ma.masked_invalid(np.array(cells, dtype=float))
    # Grade cut-offs lie between 60 and 85, so a 40–100 scale spends the colours where units
    # differ; anything under 40 is simply the reddest red.
    norm = Normalize(vmin=40, vmax=100, clip=True)
    with figure(row_height(n_rows, per_row=0.4, base=1.8)) as fig:
        ax = fig.add_subplot()
        image = ax.imshow(grid, cmap=SCORE_CMAP, norm=norm, aspect="auto")
        for i, (_, row) in zip(y, shown, strict=True):
            for j, value in enumerate(row):
                if value is None:
                    ax.text(j, i, "—", ha="center", va="center", color=MUTED)
                    continue
                r, g, b, _ = SCORE_CMAP(norm(value))
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                ax.text(
                    j,
                    i,
                    f"{value:.1f}",
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if dark else TEXT,
                )
        ax.set_xticks(range(len(dimensions)), [shorten(d, 8, 2) for d in dimensions])
        ax.xaxis.tick_top()
        ax.set_yticks(y, [shorten(u, 14) for u, _ in shown])
        # The image is one picture; an invisible (fill-opacity 0, so still hoverable and
        # clickable) square over each cell carries the cell's link and title.
        cells_of = [
            [
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, alpha=0, linewidth=0))
                for j in range(len(dimensions))
            ]
            for i in y
        ]
        titles = _link_rows(
            ax,
            cells_of,
            shown,
            shown_urls,
            "cell",
            lambda row, j: (
                hover_text(row[0])
                if j is None
                else hover_text(row[0], dimensions[j], hover_score(row[1][j]))
            ),
        )
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if hidden:
            _draw_separator(ax, len(top), hidden, "得分")
        set_title(ax, title, _title_note(len(units), hidden, without_data, "个"))
        fig.colorbar(image, ax=ax, shrink=min(1.0, 4 / n_rows + 0.3), extend="min", label="得分")
        if any(v is None for _, row in shown for v in row):
            fig.legend(
                handles=[Patch(color=NO_DATA_FILL, label=f"—  {NO_DATA}")],
                loc="outside lower right",
                frameon=False,
            )
        return save(fig, fmt, titles)


def alt_text_dimension_heatmap(units, dimensions, values, title="各单位分维度得分"):
    if not units or not dimensions:
        return f"{title}：暂无数据。"
    means = [mean([row[j] for row in values]) for j in range(len(dimensions))]
    averages = "、".join(f"{d} {score_text(m)}" for d, m in zip(dimensions, means, strict=True))
    parts = [f"{title}：{len(units)} 个单位、{len(dimensions)} 个维度"]
    _, hidden, _, without_data = _capped_rows(zip(units, values, strict=True), _has_any_score)
    if hidden:
        parts.append(f"图中只{_cap_note('个')}单位，其余 {hidden} 个单位略")
    if without_data:
        parts.append(f"图中未列出数据不足的 {without_data} 个单位")
    parts.append(f"各维度平均分：{averages}")
    cells = [
        (v, u, d)
        for u, row in zip(units, values, strict=True)
        for d, v in zip(dimensions, row, strict=True)
        if v is not None
    ]
    if cells:
        low = min(cells, key=lambda c: c[0])
        parts.append(f"最低为{low[1]}的{low[2]} {low[0]:.1f}")
    missing = sum(1 for row in values for v in row if v is None)
    if missing:
        parts.append(f"{missing} 项数据不足")
    return "，".join(parts) + "。"


def grade_distribution(counts, title="等次分布", *, fmt="svg"):
    """How many units fall in each grade: ``[(grade, count), …]`` in display order."""
    check_format(fmt)
    total = sum(c for _, c in counts)
    if not total:
        return empty_chart(title, fmt)
    with figure(4.0, width=SIDE_WIDTH) as fig:
        ax = fig.add_subplot()
        x = np.arange(len(counts))
        bars = ax.bar(
            x, [c for _, c in counts], color=[grade_colour(g) for g, _ in counts], width=0.6
        )
        titles = hover_targets(
            bars, "grade", [hover_text(g, f"{c} 个", f"{c / total:.0%}") for g, c in counts]
        )
        for i, (_, count) in enumerate(counts):
            ax.text(
                i, count, f"{count} 个 · {count / total:.0%}", ha="center", va="bottom", fontsize=10
            )
        ax.set_xticks(x, [shorten(g, 8, 2) for g, _ in counts], fontsize=11)
        ax.set_ylim(0, max(c for _, c in counts) * 1.2 + 0.5)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("单位数")
        ax.grid(axis="y", color="#eeeeee")
        ax.set_axisbelow(True)
        ax.set_title(title)
        return save(fig, fmt, titles)


def alt_text_grade_distribution(counts, title="等次分布"):
    total = sum(c for _, c in counts)
    if not total:
        return f"{title}：暂无数据。"
    return f"{title}：共 {total} 个单位，其中" + "、".join(f"{g} {c} 个" for g, c in counts) + "。"


def progress_donut(submitted, roster, title="填报进度", *, fmt="svg"):
    """A donut of submitted vs expected submissions, the count and share in the middle."""
    check_format(fmt)
    if not roster:
        return empty_chart(title, fmt)
    done = min(submitted, roster)
    with figure(4.0, width=SIDE_WIDTH) as fig:
        ax = fig.add_subplot()
        wedges, _ = ax.pie(
            [done, roster - done],
            colors=[PARTY_RED, NO_DATA_FILL],
            startangle=90,
            counterclock=False,
            wedgeprops={"width": 0.32, "edgecolor": "white"},
        )
        ax.text(0, 0.08, f"{done}/{roster}", ha="center", va="center", fontsize=20)
        ax.text(
            0,
            -0.22,
            f"已提交 {done / roster:.0%}",
            ha="center",
            va="center",
            fontsize=11,
            color=MUTED,
        )
        titles = hover_targets(
            wedges,
            "share",
            [
                hover_text("已提交", f"{done} 份", f"{done / roster:.0%}"),
                hover_text("未提交", f"{roster - done} 份", f"{(roster - done) / roster:.0%}"),
            ],
        )
        ax.set_aspect("equal")
        ax.set_title(title)
        return save(fig, fmt, titles)


def alt_text_progress_donut(submitted, roster, title="填报进度"):
    if not roster:
        return f"{title}：暂无数据。"
    done = min(submitted, roster)
    return f"{title}：已提交 {done} 份，应提交 {roster} 份，完成 {done / roster:.0%}。"
