"""Every bar, point, wedge and cell of every SVG chart carries a hover title with its label and
value, read the way a browser reads it: a <title> as the first child of the shape's group."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from reports.charts import county, profile
from reports.views import ROUND_CHARTS, UNIT_CHARTS
from tests.helpers import submit
from tests.reports.charts.test_charts import CASES, KINDS, render

SVG = "{http://www.w3.org/2000/svg}"


def hover_titles(svg):
    """The hover text of each ``ronghe-…`` group, in drawing order (y tick labels of the
    ranking and heatmap left out: they repeat the unit's name)."""
    root = ET.fromstring(svg)
    titles = []
    for group in root.iter(f"{SVG}g"):
        gid = group.get("id", "")
        if not gid.startswith("ronghe-") or "-label-" in gid:
            continue
        first = group[0]
        assert first.tag == f"{SVG}title", gid  # browsers show only a title that comes first
        assert len(group) > 1, gid  # ... and only over a shape drawn in the same group
        titles.append(first.text)
    return titles


EXPECTED = {
    "ranking_bar": [
        "县委政策研究室 92.30 好",
        "县人力资源和社会保障局 78.50 较好",
        "县财政局 64.00 一般",
        "县市场监督管理局 55.20 差",
        "县档案馆 数据不足",
    ],
    "dimension_heatmap": [
        "县委政策研究室 学用结合 91.00",
        "县委政策研究室 组织生活实效 88.50",
        "县委政策研究室 内生活力 95.00",
        "县财政局 学用结合 60.00",
        "县财政局 组织生活实效 数据不足",
        "县财政局 内生活力 70.00",
        "县档案馆 学用结合 数据不足",
        "县档案馆 组织生活实效 数据不足",
        "县档案馆 内生活力 数据不足",
    ],
    # A point with no score is not drawn, so it has nothing to hover.
    "radar": [
        "县委政策研究室 学用结合 91.00",
        "县委政策研究室 组织生活实效 88.50",
        "全县平均 学用结合 74.20",
        "全县平均 组织生活实效 69.00",
        "全县平均 内生活力 80.10",
    ],
    "trend": [
        "融合度指数 2024年第一轮 70.10",
        "融合度指数 2025年第一轮 78.00",
        "学用结合 2024年第一轮 68.00",
        "学用结合 2024年第二轮 70.00",
        "学用结合 2025年第一轮 79.00",
        "组织生活实效 2025年第一轮 71.00",
    ],
    "item_bars": [
        "中心组学习多以念文件、读报纸为主 42.50",
        "三会一课按时召开 88.00",
        "主题党日活动与业务工作结合紧密，能够解决实际问题，且群众评价较高 55.00",
        "党员在急难险重任务中发挥先锋模范作用 数据不足",
        "激励机制对干部担当作为有效 48.00",
        "县委政策研究室数据不足 80.00",
    ],
    "cause_profile": ["虚化 72.00", "弱化 58.50 主要成因", "分化 数据不足"],
    "grade_distribution": [
        "好 3 个 21%",
        "较好 8 个 57%",
        "一般 0 个 0%",
        "差 1 个 7%",
        "数据不足 2 个 14%",
    ],
    "progress_donut": ["已提交 12 份 40%", "未提交 18 份 60%"],
}


def test_every_chart_kind_is_checked():
    assert sorted(EXPECTED) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_each_bar_point_and_cell_has_a_hover_title_with_its_label_and_value(kind):
    assert hover_titles(render(kind, CASES[kind], "svg")) == EXPECTED[kind]


def test_hover_titles_show_the_whole_label_escaped_on_one_line():
    svg = profile.item_bars([("“A<B & C”\n第二行" * 3, 61.234)])
    assert hover_titles(svg) == ["“A<B & C” 第二行“A<B & C” 第二行“A<B & C” 第二行 61.23"]


def test_hover_markers_over_points_are_invisible():
    root = ET.fromstring(profile.trend(["第一轮"], [("融合度指数", [70.0])]))
    (group,) = [g for g in root.iter(f"{SVG}g") if g.get("id") == "ronghe-point-0"]
    (marker,) = group.iter(f"{SVG}use")
    assert "fill-opacity: 0" in marker.get("style")


def test_a_round_with_nothing_submitted_has_one_wedge_to_hover():
    titles = hover_titles(county.progress_donut(0, 5))
    assert titles[-1] == "未提交 5 份 100%"


@pytest.mark.django_db
def test_every_served_chart_svg_has_hover_values(
    client, office, secretary_a, open_round, questionnaire, unit_a
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    client.force_login(office)
    for name in ROUND_CHARTS:
        svg = client.get(reverse("round_chart", args=[open_round.pk, name, "svg"])).content
        assert hover_titles(svg), name
    for name in UNIT_CHARTS:
        url = reverse("unit_chart", args=[open_round.pk, unit_a.pk, name, "svg"])
        titles = hover_titles(client.get(url).content)
        assert titles and all(re.search(r"\d", t) for t in titles), (name, titles)
    # On the page the chart is an <img>, which shows no hover: a link opens the SVG itself.
    html = client.get(reverse("unit_detail", args=[open_round.pk, unit_a.pk])).content.decode()
    src = reverse("unit_chart", args=[open_round.pk, unit_a.pk, "items", "svg"])
    assert f'<a href="{src}" title="在单独的页面打开，鼠标悬停在图形上可查看各项数值">' in html


@pytest.mark.parametrize("kind", ["item_bars", "ranking_bar"])
def test_a_name_with_a_non_character_still_gives_a_readable_svg(kind):
    name = "县\ufffe财政\uffff局"
    args = ([(name, 50.0)],) if kind == "item_bars" else ([(name, 50.0, "差")],)
    titles = hover_titles(render(kind, args, "svg"))  # parses: the SVG is well-formed XML
    assert titles[0].startswith("县 财政 局 50.00")
