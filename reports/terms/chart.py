"""The top terms of one group as horizontal bars (matplotlib's Figure API through
reports.charts.style, like every chart of the app), with an alt-text twin. In the SVG each
bar and its label carry a hover <title> ("三会一课 12 次，8 份答卷")."""

from reports.charts.style import (
    PARTY_RED,
    TEXT,
    check_format,
    empty_chart,
    figure,
    link,
    row_height,
    save,
    shorten,
)


def _hover(term):
    return f"{term.term} {term.count} 次，{term.answers} 份答卷"


def term_bars(terms, title="高频词", *, fmt="svg"):
    """``terms``: reports.terms.extract.Term rows, most frequent first."""
    check_format(fmt)
    if not terms:
        return empty_chart(title, fmt)
    with figure(row_height(len(terms), per_row=0.3)) as fig:
        ax = fig.add_subplot()
        y = list(range(len(terms)))
        bars = ax.barh(y, [t.count for t in terms], color=PARTY_RED, height=0.65)
        top = max(t.count for t in terms)
        for i, term in zip(y, terms, strict=True):
            ax.text(
                term.count + top * 0.01, i, str(term.count), va="center", fontsize=9, color=TEXT
            )
        ax.set_yticks(y, [shorten(t.term, 10) for t in terms])
        ax.set_ylim(len(terms) - 0.5, -0.5)
        ax.set_xlim(0, top * 1.12 + 0.5)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("出现次数")
        ax.grid(axis="x", color="#eeeeee")
        ax.set_axisbelow(True)
        ax.set_title(title)
        titles = {}
        for k, (bar, label, term) in enumerate(zip(bars, ax.get_yticklabels(), terms, strict=True)):
            for gid, artist in ((f"ronghe-term-{k}", bar), (f"ronghe-term-label-{k}", label)):
                link(artist, gid)
                titles[gid] = _hover(term)
        return save(fig, fmt, titles)


def alt_text_term_bars(terms, title="高频词"):
    if not terms:
        return f"{title}：暂无数据。"
    listed = "、".join(f"{t.term} {t.count} 次" for t in terms[:10])
    more = f"等 {len(terms)} 个词" if len(terms) > 10 else f"共 {len(terms)} 个词"
    return f"{title}：{listed}，{more}。"
