"""Charts: plain data to SVG/PNG bytes, Chinese that renders, no pyplot, no Django needed."""

import io
import json
import logging
import os
import re
import struct
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib
import matplotlib.image
import pytest

from reports.charts import county, profile
from reports.charts.style import MAX_HEIGHT, PNG_DPI, SIDE_WIDTH, WIDTH, mean, shorten, spread

PROJECT = Path(__file__).resolve().parents[3]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DIMENSIONS = ["学用结合", "组织生活实效", "内生活力"]

# One realistic call per chart, each with a long Chinese unit name and some 数据不足.
CASES = {
    "ranking_bar": (
        [
            ("县委政策研究室", 92.3, "好"),
            ("县人力资源和社会保障局", 78.5, "较好"),
            ("县财政局", 64.0, "一般"),
            ("县市场监督管理局", 55.2, "差"),
            ("县档案馆", None, None),
        ],
    ),
    "dimension_heatmap": (
        ["县委政策研究室", "县财政局", "县档案馆"],
        DIMENSIONS,
        [[91.0, 88.5, 95.0], [60.0, None, 70.0], [None, None, None]],
    ),
    "radar": (
        DIMENSIONS,
        [("县委政策研究室", [91.0, 88.5, None]), ("全县平均", [74.2, 69.0, 80.1])],
    ),
    "trend": (
        ["2024年第一轮", "2024年第二轮", "2025年第一轮"],
        [
            ("融合度指数", [70.1, None, 78.0]),
            ("学用结合", [68.0, 70.0, 79.0]),
            ("组织生活实效", [None, None, 71.0]),
            ("内生活力", [None, None, None]),
        ],
    ),
    "item_bars": (
        [
            ("中心组学习多以念文件、读报纸为主", 42.5),
            ("三会一课按时召开", 88.0),
            ("主题党日活动与业务工作结合紧密，能够解决实际问题，且群众评价较高", 55.0),
            ("党员在急难险重任务中发挥先锋模范作用", None),
            ("激励机制对干部担当作为有效", 48.0),
            ("县委政策研究室数据不足", 80.0),
        ],
    ),
    "cause_profile": ([("虚化", 72.0), ("弱化", 58.5), ("分化", None)],),
    "grade_distribution": ([("好", 3), ("较好", 8), ("一般", 0), ("差", 1), ("数据不足", 2)],),
    "progress_donut": (12, 30),
}
EMPTY = {
    "ranking_bar": ([],),
    "dimension_heatmap": ([], DIMENSIONS, []),
    "radar": (DIMENSIONS, []),
    "trend": ([], []),
    "item_bars": ([],),
    "cause_profile": ([],),
    "grade_distribution": ([("好", 0), ("差", 0)],),
    "progress_donut": (0, 0),
}
ALL_NONE = {
    "ranking_bar": ([("县委政策研究室", None, None), ("县档案馆", None, None)],),
    "dimension_heatmap": (["县委政策研究室"], DIMENSIONS, [[None, None, None]]),
    "radar": (DIMENSIONS, [("县委政策研究室", [None, None, None])]),
    "trend": (["第一轮", "第二轮"], [("融合度指数", [None, None])]),
    "item_bars": ([("三会一课按时召开", None), ("县委政策研究室", None)],),
    "cause_profile": ([("虚化", None), ("弱化", None), ("分化", None)],),
}
KINDS = sorted(profile.CHARTS)
MISSING_GLYPH = re.compile(r"missing from font|Glyph", re.IGNORECASE)


def render(kind, args, fmt):
    return profile.CHARTS[kind][0](*args, fmt=fmt)


def svg_texts(svg):
    # With svg.fonttype "path" text is drawn as outlines; matplotlib keeps each string as a
    # comment next to its glyphs, which is what a reader of the file (and this test) can see.
    return re.findall(r"<!-- (.*?) -->", svg.decode())


def assert_svg(data):
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert b"<text" not in data  # glyphs are paths, so viewers need no CJK font


def png_size(data):
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# Charts shown in a side column are drawn narrower (their text stays readable when fitted).
SIDE_CHARTS = {"radar", "trend", "cause_profile", "grade_distribution", "progress_donut"}


def inches_of(kind):
    return SIDE_WIDTH if kind in SIDE_CHARTS else WIDTH


def assert_png(data, inches=WIDTH):
    width, height = png_size(data)
    assert width == inches * PNG_DPI
    image = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert image.shape[:2] == (height, width)


@pytest.mark.parametrize("kind", KINDS)
def test_chart_renders_valid_svg_with_its_chinese_labels(kind):
    data = render(kind, CASES[kind], "svg")

    assert_svg(data)
    texts = svg_texts(data)
    assert any(re.search(r"[\u4e00-\u9fff]", t) for t in texts)
    assert b'id="DroidSansFallback-' in data  # CJK glyphs came from the bundled font


def test_unit_names_and_no_data_are_drawn():
    ranking = svg_texts(county.ranking_bar(*CASES["ranking_bar"]))
    assert "县委政策研究室" in ranking
    assert "县人力资源和社会保障局" in ranking
    assert "数据不足" in ranking
    heatmap = svg_texts(county.dimension_heatmap(*CASES["dimension_heatmap"]))
    assert "县委政策研究室" in heatmap and "—" in heatmap and "组织生活实效" in heatmap


@pytest.mark.parametrize("kind", KINDS)
def test_chart_renders_valid_png_800px_layout(kind):
    # The donut is a small dashboard tile; every other chart is laid out 8 in (~800 px) wide.
    assert_png(render(kind, CASES[kind], "png"), inches=inches_of(kind))


@pytest.mark.parametrize("fmt", ["svg", "png"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_missing_glyphs_and_no_font_fallback(kind, fmt, caplog):
    caplog.set_level(logging.DEBUG, logger="matplotlib")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render(kind, CASES[kind], fmt)
        render(kind, EMPTY[kind], fmt)

    assert not [str(w.message) for w in caught if MISSING_GLYPH.search(str(w.message))]
    assert not [
        r.getMessage()
        for r in caplog.records
        if "not found" in r.getMessage() or r.levelno >= logging.WARNING
    ]


def test_the_glyph_check_would_catch_a_missing_glyph():
    # U+2A6A5 (CJK Extension B) is in neither DejaVu Sans nor Droid Sans Fallback.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        county.ranking_bar([("\U0002a6a5", 50.0, "差")], fmt="png")

    assert any(MISSING_GLYPH.search(str(w.message)) for w in caught)


@pytest.mark.parametrize("kind", KINDS)
def test_svg_is_byte_identical_for_the_same_data(kind):
    first = render(kind, CASES[kind], "svg")
    render("radar", CASES["radar"], "svg")  # something else drawn in between
    second = render(kind, CASES[kind], "svg")

    assert first == second
    assert b"<dc:date>" not in first


def test_concurrent_rendering_gives_the_same_bytes():
    expected = {kind: render(kind, CASES[kind], "svg") for kind in KINDS}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(
            zip(KINDS, pool.map(lambda k: render(k, CASES[k], "svg"), KINDS), strict=True)
        )

    assert results == expected


@pytest.mark.parametrize("kind", KINDS)
def test_empty_input_gives_a_no_data_chart(kind):
    svg = render(kind, EMPTY[kind], "svg")

    assert_svg(svg)
    assert "暂无数据" in svg_texts(svg)
    assert_png(render(kind, EMPTY[kind], "png"))
    assert "暂无数据" in profile.CHARTS[kind][1](*EMPTY[kind])


@pytest.mark.parametrize("kind", sorted(ALL_NONE))
def test_all_values_missing_is_drawn_not_raised(kind):
    assert_svg(render(kind, ALL_NONE[kind], "svg"))
    assert_png(render(kind, ALL_NONE[kind], "png"), inches=inches_of(kind))
    assert "数据不足" in profile.CHARTS[kind][1](*ALL_NONE[kind])


def test_radar_legend_tells_no_data_from_some_missing():
    none = svg_texts(profile.radar(DIMENSIONS, [("县委政策研究室", [None, None, None])]))
    some = svg_texts(profile.radar(DIMENSIONS, [("县档案馆", [70.0, None, 80.0])]))
    assert "县委政策研究室（数据不足）" in none
    assert "县档案馆（部分数据不足）" in some


@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_has_chinese_alt_text(kind):
    text = profile.CHARTS[kind][1](*CASES[kind])

    assert text.endswith("。")
    assert re.search(r"[\u4e00-\u9fff]{4}", text)


def test_alt_texts_say_what_matters():
    ranking = county.alt_text_ranking_bar(*CASES["ranking_bar"])
    assert "最高为县委政策研究室 92.3（好）" in ranking
    assert "最低为县市场监督管理局 55.2（差）" in ranking
    assert "1 个单位数据不足" in ranking
    assert "主要成因为弱化" in profile.alt_text_cause_profile(*CASES["cause_profile"])
    assert "主要成因为虚化" in profile.alt_text_cause_profile(*CASES["cause_profile"], main="虚化")
    items = profile.alt_text_item_bars(*CASES["item_bars"])
    assert "得分最低的 3 题为：中心组学习多以念文件、读报纸为主 42.5；激励机制" in items
    assert "融合度指数从2024年第一轮的 70.1 到2025年第一轮的 78.0，上升 7.9" in (
        profile.alt_text_trend(*CASES["trend"])
    )
    assert "已提交 12 份，应提交 30 份，完成 40%" in county.alt_text_progress_donut(12, 30)
    heatmap = county.alt_text_dimension_heatmap(*CASES["dimension_heatmap"])
    assert "学用结合 75.5" in heatmap and "4 项数据不足" in heatmap


def test_weakest_items_and_main_cause_are_party_red():
    assert b"#b3120f" in profile.item_bars(*CASES["item_bars"])
    assert b"#b3120f" not in profile.item_bars(*CASES["item_bars"], highlight_lowest=0)
    assert b"#b3120f" in profile.cause_profile(*CASES["cause_profile"])


def test_charts_grow_with_units_up_to_a_cap():
    def height(chart, n):
        units = [(f"县第{i}单位", 50 + i % 50, "一般") for i in range(n)]
        if chart == "ranking_bar":
            return png_size(county.ranking_bar(units, fmt="png"))[1]
        names = [name for name, _, _ in units]
        return png_size(
            county.dimension_heatmap(names, ["学用结合"], [[v] for _, v, _ in units], fmt="png")
        )[1]

    assert height("ranking_bar", 5) < height("ranking_bar", 30) < height("ranking_bar", 60)
    # From 61 units on the same 25 + separator + 25 rows are drawn, however many there are.
    assert height("ranking_bar", 61) == height("ranking_bar", 500) < height("ranking_bar", 60)
    assert height("dimension_heatmap", 60) == MAX_HEIGHT * PNG_DPI


# A province-wide benchmark: 500 units, seeded. Indexes 50.0–99.9 all different (37 and 500 are
# coprime), given in no particular order; five units without data.
PROVINCE = [
    (f"测试单位{i:03d}", None if i % 100 == 7 else 50 + i * 37 % 500 / 10, "一般")
    for i in range(500)
]
PROVINCE_NAMES = [name for name, _, _ in PROVINCE]
PROVINCE_SCORES = [  # ten units without any score, ten more missing their first dimension
    [
        None if i % 50 == 3 or (i % 50 == 4 and j == 0) else 40 + (i * 13 + j * 7) % 60
        for j in range(len(DIMENSIONS))
    ]
    for i in range(500)
]
SEPARATOR = re.compile(r"^…… 其余 (\d+) 个单位略，完整(排名|得分)见下表 ……$")
SCORE = re.compile(r"^\d+\.\d\b")  # a drawn value: "78.5" in a cell, "78.5  一般" by a bar


@pytest.fixture(scope="module")
def province_charts():
    """The 500-unit ranking and heatmap as SVG, drawn once, with any warnings raised meanwhile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ranking = county.ranking_bar(PROVINCE)
        heatmap = county.dimension_heatmap(PROVINCE_NAMES, DIMENSIONS, PROVINCE_SCORES)
    return ranking, heatmap, [str(w.message) for w in caught]


def test_capped_rows_keeps_both_ends_of_a_long_list():
    rows = list(range(500))
    assert county._capped_rows(rows) == (rows[:25], 450, rows[-25:], 0)
    assert county._capped_rows(range(61)) == (list(range(25)), 11, list(range(36, 61)), 0)
    assert county._capped_rows(range(60)) == (list(range(60)), 0, [], 0)
    assert county._capped_rows([]) == ([], 0, [], 0)


def test_capped_rows_leave_out_rows_without_data_first():
    def odd(n):
        return n % 2 == 1

    assert county._capped_rows(range(60), odd) == (list(range(60)), 0, [], 0)
    odds = list(range(1, 200, 2))
    assert county._capped_rows(range(200), odd) == (odds[:25], 50, odds[-25:], 100)
    assert county._capped_rows(range(100), odd) == (odds[:50], 0, [], 50)
    # Nothing has data: better the plain cap than an empty chart.
    assert county._capped_rows(range(0, 200, 2), odd) == (
        list(range(0, 50, 2)),
        50,
        list(range(150, 200, 2)),
        0,
    )


def test_province_ranking_shows_both_ends_and_says_what_is_left_out(province_charts):
    ranking, _, caught = province_charts
    assert_svg(ranking)
    assert len(ranking) < 400_000  # all 500 rows made ~890 KB
    assert not [m for m in caught if MISSING_GLYPH.search(m)]
    texts = svg_texts(ranking)
    # The five units without data are left out, so the bottom rows are the weakest scored.
    assert [t for t in texts if SEPARATOR.match(t)] == ["…… 其余 445 个单位略，完整排名见下表 ……"]
    assert "共 500 个单位，显示前 25 名和后 25 名；5 个单位数据不足，未列出" in texts
    assert len([t for t in texts if SCORE.match(t)]) == 50
    assert "数据不足" not in texts  # no such row, so no such legend entry

    alt = county.alt_text_ranking_bar(PROVINCE)
    top = max((u for u in PROVINCE if u[1] is not None), key=lambda u: u[1])
    bottom = min((u for u in PROVINCE if u[1] is not None), key=lambda u: u[1])
    assert f"最高为{top[0]} 99.9" in alt and f"最低为{bottom[0]} 50.0" in alt
    assert top[0] in texts and bottom[0] in texts  # the alt text names what the chart shows
    assert "测试单位407" not in texts  # without data
    names = [t for t in texts if t.startswith("测试单位")]
    assert names[-1] == bottom[0], "the last row is the lowest index"
    assert "共 500 个单位，图中只显示前 25 名和后 25 名，其余 445 个单位略" in alt
    assert "图中未列出数据不足的 5 个单位" in alt
    assert "一般 495 个" in alt  # counts are over all 500


def test_province_heatmap_shows_first_and_last_rows_in_the_order_given(province_charts):
    _, heatmap, caught = province_charts
    assert_svg(heatmap)
    assert len(heatmap) < 400_000  # all 500 rows made ~1 MB
    assert not [m for m in caught if MISSING_GLYPH.search(m)]
    texts = svg_texts(heatmap)
    assert [t for t in texts if SEPARATOR.match(t)] == ["…… 其余 440 个单位略，完整得分见下表 ……"]
    assert "共 500 个单位，显示前 25 个和后 25 个；10 个单位数据不足，未列出" in texts
    kept = [i for i in range(500) if i % 50 != 3]  # units with at least one score
    shown = kept[:25] + kept[-25:]
    assert [t for t in texts if t.startswith("测试单位")] == [PROVINCE_NAMES[i] for i in shown]
    cells = [v for i in shown for v in PROVINCE_SCORES[i]]
    # Numbers only in the 50 shown rows: the separator row has none; a missing one is "—".
    assert len([t for t in texts if SCORE.match(t)]) == sum(v is not None for v in cells)
    assert texts.count("—") == sum(v is None for v in cells) > 0

    alt = county.alt_text_dimension_heatmap(PROVINCE_NAMES, DIMENSIONS, PROVINCE_SCORES)
    assert "500 个单位、3 个维度，图中只显示前 25 个和后 25 个单位，其余 440 个单位略" in alt
    assert "图中未列出数据不足的 10 个单位" in alt
    expected_mean = mean([row[0] for row in PROVINCE_SCORES])  # over all 500 units
    assert f"学用结合 {expected_mean:.1f}" in alt
    assert "40 项数据不足" in alt


def test_a_half_filled_province_heatmap_leaves_out_units_without_any_score():
    # 100 units, the last 40 without any score yet: 60 are drawn, all of them, no gap row.
    names = PROVINCE_NAMES[:100]
    scores = [[50.0 + i % 40] * len(DIMENSIONS) if i < 60 else [None] * 3 for i in range(100)]
    texts = svg_texts(county.dimension_heatmap(names, DIMENSIONS, scores))
    assert [t for t in texts if t.startswith("测试单位")] == names[:60]
    assert not [t for t in texts if SEPARATOR.match(t)]
    assert "共 100 个单位，40 个单位数据不足，未列出" in texts
    alt = county.alt_text_dimension_heatmap(names, DIMENSIONS, scores)
    assert "图中未列出数据不足的 40 个单位" in alt and "其余" not in alt


def test_a_county_of_25_units_is_drawn_in_full():
    units = PROVINCE[:25]
    names, scores = PROVINCE_NAMES[:25], PROVINCE_SCORES[:25]
    assert county._capped_rows(units) == (units, 0, [], 0)

    ranking = svg_texts(county.ranking_bar(units))
    heatmap = svg_texts(county.dimension_heatmap(names, DIMENSIONS, scores))
    assert set(names) <= set(ranking)
    assert [t for t in heatmap if t.startswith("测试单位")] == names
    for texts in (ranking, heatmap):
        assert not [t for t in texts if "其余" in t or "共 " in t]
    assert "图中只" not in county.alt_text_ranking_bar(units)
    assert "图中只" not in county.alt_text_dimension_heatmap(names, DIMENSIONS, scores)


def test_global_rc_params_are_left_alone():
    before = {k: matplotlib.rcParams[k] for k in ("font.family", "svg.fonttype", "font.size")}
    for kind in KINDS:
        render(kind, CASES[kind], "svg")

    assert {k: matplotlib.rcParams[k] for k in before} == before


def test_bad_format_and_ragged_data_are_refused():
    with pytest.raises(ValueError, match="fmt"):
        county.ranking_bar(*CASES["ranking_bar"], fmt="pdf")
    with pytest.raises(ValueError):
        county.dimension_heatmap(["县财政局"], DIMENSIONS, [[60.0, 70.0]])
    with pytest.raises(ValueError):
        profile.trend(["第一轮", "第二轮"], [("融合度指数", [60.0])])


def test_long_labels_are_wrapped_and_truncated():
    assert shorten("县委政策研究室", 14) == "县委政策研究室"
    wrapped = shorten("理论学习能转化为推动业务工作的具体举措", 16, 2)
    assert wrapped == "理论学习能转化为推动\n业务工作的具体举措"  # balanced, not 16 + 3
    long = shorten("主题党日活动与业务工作结合紧密，能够解决实际问题，群众评价较高且认可", 16, 2)
    assert long.endswith("…")
    assert all(len(line) <= 16 for line in long.split("\n")) and long.count("\n") == 1
    assert spread([78.0, 79.0, 84.0, 71.0], gap=2) == [78.0, 80.0, 84.0, 71.0]


def test_fresh_process_needs_neither_pyplot_nor_django():
    # Fresh interpreter: no font cache from earlier tests, so a findfont fallback would log.
    script = """
import json, logging, sys, warnings
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())
logging.getLogger("matplotlib").addHandler(Keep())
logging.getLogger("matplotlib").setLevel(logging.DEBUG)
from reports.charts import profile as charts
cases = json.loads(sys.argv[1])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for kind, args in cases.items():
        for fmt in ("svg", "png"):
            charts.CHARTS[kind][0](*args, fmt=fmt)
print(json.dumps({
    "pyplot": "matplotlib.pyplot" in sys.modules,
    "django": any(m == "django" or m.startswith("django.") for m in sys.modules),
    "warnings": [str(w.message) for w in caught],
    "not_found": [m for m in records if "not found" in m or "Failed to find" in m],
}))
"""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(PROJECT)
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(CASES)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report == {"pyplot": False, "django": False, "warnings": [], "not_found": []}
