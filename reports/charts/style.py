"""Look and plumbing shared by the charts of one unit (``profile.py``) and of the county
(``county.py``).

Fonts. The bundled Droid Sans Fallback has the CJK glyphs but no Latin letters or digits, so
every chart asks for a *list* of families: DejaVu Sans (shipped inside matplotlib) first, Droid
Sans Fallback second. Since matplotlib 3.6 each glyph is looked up along that list, so "85.0"
comes from DejaVu and "县委" from Droid. The font file is found relative to this module, not
through Django settings, so the charts work (and are tested) without Django.

Global state. Rendering happens inside ``figure()``, which holds a lock and a
``matplotlib.rc_context``: our font, SVG and colour settings apply while one chart is drawn and
saved, and the process-wide ``rcParams`` are restored afterwards. The lock matters because
``rc_context`` swaps a process-global dict; two threads of one server drawing at once would
otherwise see each other's settings. pyplot is never imported (it keeps figures alive in a
global registry, which leaks in a long-running server).
"""

import io
import threading
import unicodedata
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager
from PIL import Image

FONT_PATH = Path(__file__).resolve().parents[2] / "static/fonts/DroidSansFallbackFull.ttf"
fontManager.addfont(str(FONT_PATH))
CJK_FAMILY = FontProperties(fname=str(FONT_PATH)).get_name()  # "Droid Sans Fallback"
FONT_FAMILIES = ["DejaVu Sans", CJK_FAMILY]

GRADE_COLOURS = {
    "好": "#2e7d32",
    "较好": "#1565c0",
    "一般": "#f9a825",
    "差": "#c62828",
}
NO_DATA = "数据不足"
NO_DATA_COLOUR = "#9e9e9e"
NO_DATA_FILL = "#e0e0e0"
PARTY_RED = "#b3120f"
NEUTRAL = "#78909c"  # blue-grey for bars that are not the point of the chart
TEXT = "#212121"
MUTED = "#616161"
# Series after the first (which is Party red): colours far from red and from each other.
SERIES_COLOURS = [PARTY_RED, "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"]

WIDTH = 8.0  # inches; at 100 px per inch the charts are laid out for ~800 px
# Charts shown in a side column (~450 px on a desktop, the phone's width on a phone): drawn
# narrower, so their text is not shrunk to unreadable when the image is fitted to the column.
SIDE_WIDTH = 5.0
PNG_DPI = 150  # PNG is 1200 px wide, so it stays sharp when shown at 800 px or printed
PNG_COMPRESS_LEVEL = 3
MAX_HEIGHT = 24.0  # inches; a county has some dozens of units, past that rows just get tighter

RC = {
    "font.family": FONT_FAMILIES,
    "font.size": 10,
    # Droid Sans Fallback has one weight; asking for bold makes font_manager warn and fall
    # back, so emphasis comes from size and colour instead.
    "axes.titlesize": 14,
    "axes.titleweight": "normal",
    "axes.titlelocation": "left",
    "axes.titlepad": 10,
    "axes.edgecolor": "#bdbdbd",
    "axes.labelcolor": TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.color": TEXT,
    "xtick.color": MUTED,
    "ytick.color": TEXT,
    "axes.unicode_minus": True,  # DejaVu has U+2212
    "svg.fonttype": "path",  # glyphs as outlines: viewers without the font still see Chinese
    "svg.hashsalt": "ronghe",  # fixed salt: clip-path ids, hence the bytes, repeat for same data
    "figure.facecolor": "white",
    # Labels are names and question texts as the office typed them: "县$x^2$局" or
    # "成本 $5 与 $6" must show their dollar signs, not go through mathtext (which draws
    # the first as a formula and raises on the second).
    "text.parse_math": False,
}

# Heatmap colours: red (low) through yellow to green (high); grey where there is no score.
SCORE_CMAP = colormaps["RdYlGn"].with_extremes(bad=NO_DATA_FILL)

FORMATS = {"svg": FigureCanvasSVG, "png": FigureCanvasAgg}
_lock = threading.RLock()


def check_format(fmt):
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be 'svg' or 'png', not {fmt!r}")


def check_shape(rows, n_rows, n_columns):
    """Refuse ragged data: a misplaced value would silently land in the wrong cell."""
    if len(rows) != n_rows or any(len(row) != n_columns for row in rows):
        raise ValueError(f"expected {n_rows} rows of {n_columns} values")


def row_height(n, *, per_row=0.34, base=1.6, minimum=3.0):
    """Figure height in inches for a chart with ``n`` rows, capped at MAX_HEIGHT."""
    return min(MAX_HEIGHT, max(minimum, base + per_row * n))


@contextmanager
def figure(height, width=WIDTH):
    """A fresh Figure drawn under the chart rc settings; call ``save`` inside the block."""
    with _lock, matplotlib.rc_context(RC):
        yield Figure(figsize=(width, height), layout="constrained")


def save(fig, fmt, titles=None):
    """The figure as SVG or PNG bytes. ``titles`` maps an artist's gid to its hover text: in
    the SVG each becomes a ``<title>`` inside the artist's group, which browsers show as a
    tooltip (the PNG has no such thing and ignores them)."""
    check_format(fmt)
    buf = io.BytesIO()
    # One draw, with the constrained layout done at its start. print_figure would draw the
    # whole figure twice (once without rendering, "to make sure the layout works"), and
    # laying out text is most of a chart's time; the pixels and the SVG come out the same.
    if fmt == "svg":
        # No creation date, so the same data gives the same bytes (caching, ETags).
        FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None})
        return _with_titles(buf.getvalue(), titles or {})
    fig.set_dpi(PNG_DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    # Opaque (the figure is white), so RGB: a quarter less to compress here and in the PDF,
    # and no alpha mask for fpdf2 to split off. A light zlib level: the bytes are cached.
    image = Image.frombuffer(
        "RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
    ).convert("RGB")
    image.save(buf, format="PNG", compress_level=PNG_COMPRESS_LEVEL, dpi=(PNG_DPI, PNG_DPI))
    return buf.getvalue()


def _with_titles(svg, titles):
    # Matplotlib writes an artist with a gid as <g id="gid"> and cannot add a <title> itself.
    # The gids are ours ("ronghe-…", unique per chart) and the text is XML-escaped.
    if not titles:
        return svg
    text = svg.decode()
    for gid, title in titles.items():
        opening = f'<g id="{gid}">'
        text = text.replace(opening, f"{opening}\n   <title>{escape(plain(title))}</title>", 1)
    # Links open in the same tab: the chart is opened alone, so "back" returns to it.
    text = text.replace(' target="_blank"', ' target="_top"')
    return text.encode()


def link(artist, gid, url=None):
    """Give ``artist`` the gid its hover title is attached to and, if given, a link."""
    artist.set_gid(gid)
    if url:
        artist.set_url(url)


def hover_text(name, *parts):
    """A bar's, point's or cell's hover text: "县财政局 78.50 较好", or "… 数据不足"; empty
    parts are left out."""
    return " ".join(str(p) for p in (name, *parts) if p)


def hover_score(value):
    """A score as the pages show it (two decimals), or 数据不足."""
    return NO_DATA if value is None else f"{value:.2f}"


def hover_targets(artists, what, texts):
    """Give each artist a gid ``ronghe-<what>-<k>`` and return the gid -> hover text map that
    ``save`` turns into ``<title>``s."""
    titles = {}
    for k, (artist, text) in enumerate(zip(artists, texts, strict=True)):
        gid = f"ronghe-{what}-{k}"
        link(artist, gid)
        titles[gid] = text
    return titles


def hover_point(ax, x, y):
    """An invisible marker over a plotted point, larger than the visible one so a pointer
    finds it; fill-opacity 0 still takes the hover (the PNG shows nothing)."""
    (point,) = ax.plot([x], [y], marker="o", markersize=14, linestyle="none", alpha=0, zorder=5)
    return point


def set_title(ax, title, note=None):
    """The chart title, with ``note`` in small grey type on a line of its own under it."""
    if not note:
        ax.set_title(title)
        return
    # Matplotlib lifts an axes title clear of column labels above the axes (the heatmap's),
    # so the note is the title proper and the heading is stacked on top of it.
    under = ax.set_title(note, fontsize=9, color=MUTED)
    ax.annotate(
        title,
        xy=(0, 1),
        xycoords=under,
        xytext=(0, 3),
        textcoords="offset points",
        va="bottom",
        fontsize=matplotlib.rcParams["axes.titlesize"],
    )


def empty_chart(title, fmt, height=3.0):
    """The chart for no data at all: the title and "暂无数据", never an exception."""
    check_format(fmt)
    with figure(height) as fig:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(
            0.5,
            0.5,
            "暂无数据",
            ha="center",
            va="center",
            fontsize=16,
            color=MUTED,
            transform=ax.transAxes,
        )
        return save(fig, fmt)


def score_axis(ax, axis, label, upper=100):
    """A 0–100 score axis with light grid lines; ``upper`` leaves room for value labels."""
    getattr(ax, f"set_{axis}lim")(0, upper)
    getattr(ax, f"set_{axis}ticks")(range(0, 101, 20))
    getattr(ax, f"set_{axis}label")(label)
    ax.grid(axis=axis, color="#eeeeee")
    ax.set_axisbelow(True)


def grade_colour(grade):
    return GRADE_COLOURS.get(grade, NO_DATA_COLOUR)


def score_text(value, missing=NO_DATA):
    return missing if value is None else f"{value:.1f}"


UNDRAWABLE = {"Cc", "Cs", "Cn"}  # control, surrogate, unassigned or non-character


def plain(label):
    """``label`` as one line of drawable text: line breaks, tabs and other control
    characters, lone surrogates and non-characters such as U+FFFE (no font has a glyph for
    them, and the last would make the SVG unreadable XML) become spaces."""
    return "".join(" " if unicodedata.category(c) in UNDRAWABLE else c for c in str(label)).strip()


def shorten(label, width, lines=1):
    """Break ``label`` into at most ``lines`` balanced lines of ≤ ``width`` characters.

    Chinese has no spaces to break at, and a CJK character is about one em wide, so plain
    character counting is the right measure here. Text that does not fit ends in "…".
    """
    label = plain(label)
    if len(label) <= width:
        return label
    if len(label) > width * lines:
        label = label[: width * lines - 1] + "…"
    needed = -(-len(label) // width)
    size = -(-len(label) // needed)  # 19 characters in 2 lines: 10 + 9, not 16 + 3
    return "\n".join(label[i : i + size] for i in range(0, len(label), size))


# Where a line may end: after Chinese or Latin punctuation, or before an opening bracket.
BREAK_AFTER = set("，、；：。！？）】」』”’》,;:!?) ")
BREAK_BEFORE = set("（【「『“‘《(")
NO_LINE_START = set("，、；：。！？）】」』”’》,.;:!?)…%")


def _break_at(text, width):
    """Where to end a line of about ``width`` characters: at the last punctuation in its
    last two thirds (up to two characters past ``width``), else between two characters that
    are not both Latin letters or digits, else at ``width``."""
    # A line may run two characters long to end at punctuation rather than mid-word.
    longest = min(width + 2, len(text) - 1)
    candidates = [i for i in range(longest, width // 3, -1) if text[i] not in NO_LINE_START]
    for i in candidates:
        if text[i - 1] in BREAK_AFTER or text[i] in BREAK_BEFORE:
            return i
    for i in candidates:
        if i > width:
            continue
        if not (_word_char(text[i - 1]) and _word_char(text[i])):
            return i
    return width


def _word_char(char):
    return char.isascii() and char.isalnum()


def wrap(label, width, lines):
    """``label`` in at most ``lines`` lines of about ``width`` characters, broken at punctuation
    where there is some (not in the middle of "三会一课"), never inside a Latin word or a
    number. Text that still does not fit is cut at the last punctuation and ends in "…"."""
    label = plain(label)
    out = []
    while len(label) > width + 2 and len(out) < lines - 1:
        cut = _break_at(label, width)
        out.append(label[:cut].rstrip())
        label = label[cut:].lstrip()
    if len(label) > width + 2:
        cut = _break_at(label, width - 1)
        label = label[:cut].rstrip("，、；：,;: ") + "…"
    out.append(label)
    return "\n".join(out)


def spread(positions, gap):
    """Move label positions apart so neighbours are at least ``gap`` apart, order kept."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = list(positions)
    for before, after in pairwise(order):
        placed[after] = max(placed[after], placed[before] + gap)
    return placed


def nan_if_none(values):
    return [float("nan") if v is None else float(v) for v in values]


def known(values):
    """The values that are not None."""
    return [v for v in values if v is not None]


def mean(values):
    values = known(values)
    return sum(values) / len(values) if values else None
