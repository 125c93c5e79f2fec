"""Charts the office can use at a desk: every chart downloads as PNG and SVG under a name that
says which round, unit and chart; the ranking and heatmap SVGs link each unit to its page and
show a hover value per bar or cell; item labels break at punctuation, never mid-word, and the
item chart says reverse-keyed items are already converted."""

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from reports.charts import profile, style
from reports.views import ROUND_CHARTS, UNIT_CHARTS
from tests.helpers import submit


@pytest.fixture
def scored(client, office, secretary_a, secretary_b, open_round, questionnaire):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    client.force_login(office)
    return client


def _file_name(response):
    header = response["Content-Disposition"]
    assert header.startswith("attachment;")
    return unquote(header.split("filename*=UTF-8''")[1])


@pytest.mark.django_db
def test_every_dashboard_chart_has_png_and_svg_downloads_named_by_round_and_chart(
    scored, open_round
):
    html = scored.get(reverse("dashboard")).content.decode()
    for name in ROUND_CHARTS:
        if f'data-chart="{name}"' not in html:
            continue
        for fmt in ("png", "svg"):
            url = reverse("round_chart", args=[open_round.pk, name, fmt]) + "?download=1"
            assert f'href="{url}"' in html, (name, fmt)
            response = scored.get(url)
            assert response.status_code == 200
            file_name = _file_name(response)
            assert file_name.startswith(open_round.name) and file_name.endswith(f".{fmt}")
    ranking = scored.get(
        reverse("round_chart", args=[open_round.pk, "ranking", "png"]) + "?download=1"
    )
    assert _file_name(ranking) == f"{open_round.name}_单位排名.png"
    # Shown in the page, the same URL without ?download is an image, not an attachment.
    shown = scored.get(reverse("round_chart", args=[open_round.pk, "ranking", "svg"]))
    assert "Content-Disposition" not in shown


@pytest.mark.django_db
def test_every_unit_chart_downloads_with_round_unit_and_chart_in_its_name(
    scored, open_round, unit_a
):
    html = scored.get(reverse("unit_detail", args=[open_round.pk, unit_a.pk])).content.decode()
    for name in UNIT_CHARTS:
        url = reverse("unit_chart", args=[open_round.pk, unit_a.pk, name, "svg"]) + "?download=1"
        assert f'href="{url}"' in html, name
    url = reverse("unit_chart", args=[open_round.pk, unit_a.pk, "items", "png"]) + "?download=1"
    assert _file_name(scored.get(url)) == f"{open_round.name}_{unit_a.name}_各题平均得分.png"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ranking", "heatmap"])
def test_ranking_and_heatmap_link_each_unit_to_its_page_with_hover_values(
    scored, open_round, unit_a, unit_b, name
):
    svg = scored.get(reverse("round_chart", args=[open_round.pk, name, "svg"])).content.decode()
    for unit in (unit_a, unit_b):
        assert f'xlink:href="{reverse("unit_detail", args=[open_round.pk, unit.pk])}"' in svg
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert any(re.fullmatch(rf"{unit_a.name} (\S+ )?\d+\.\d\d( \S+)?", t) for t in titles), titles
    # The dashboard's <img> cannot follow links: it opens the clickable SVG instead.
    html = scored.get(reverse("dashboard")).content.decode()
    src = reverse("round_chart", args=[open_round.pk, name, "svg"])
    assert f'<a href="{src}" class="d-block"' in html


def test_ranking_hover_title_says_name_score_and_grade():
    from reports.charts import county

    svg = county.ranking_bar([("县财政局", 78.5, "较好")], urls=["/u/1/"]).decode()
    assert "<title>县财政局 78.50 较好</title>" in svg
    assert 'xlink:href="/u/1/"' in svg


def test_item_labels_break_at_punctuation_not_mid_word():
    text = (
        "HLF2 是否围绕重点项目、重点工作建立项目党支部（临时党支部），"
        "或与项目所在村、施工单位党组织开展联建。"
    )
    lines = style.wrap(text, 20, 3).split("\n")
    assert "".join(lines) == text  # nothing dropped
    assert lines[0].endswith("、") and lines[1].endswith("，")
    assert not any(line[:1] in style.NO_LINE_START for line in lines)
    cut = style.wrap("甲乙丙，" * 30, 20, 3)
    assert cut.endswith("丙…")  # cut at a punctuation boundary


def test_item_chart_says_reverse_keyed_items_are_converted():
    svg = profile.item_bars([("ZZ04 党建工作与业务工作各行其是。", 55.0)]).decode()
    assert f"<!-- {profile.REVERSED_NOTE} -->" in svg
    assert profile.REVERSED_NOTE in profile.alt_text_item_bars([("Q", 55.0)])
