"""Chart and PDF labels are text as typed, never math: a unit, dimension, question or round
named with dollar signs ("县$x^2$局", "成本 $5 与 $6") is drawn with its dollar signs, and
no name (line breaks, control characters, emoji, empty, very long) makes a chart raise."""

import io
import re

import pytest
from django.urls import reverse
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from pypdf import PdfReader

from reports.charts import profile
from reports.views import ROUND_CHARTS, UNIT_CHARTS
from surveys.organisation.models import Unit
from surveys.questionnaires.models import Dimension, Question
from tests.helpers import submit

MATH = "县$x^2$局"  # mathtext would draw x² (and 县, 局 as boxes) and drop the dollars
UNBALANCED = "成本 $5 与 $6"
BROKEN = "预算 $x^{2$ 元"  # mathtext raises on this one (ValueError from pyparsing)
PLACEHOLDER = "县{nb}档案馆"  # fpdf2's default page-count alias
ODD_LABELS = [
    "第一行\n第二行",
    "\t\r\x00\x1b\x7f",
    "😀 党建+业务 🚩",
    "",
    "   ",
    "长" * 3000,
    "$",
    "$$",
]


def chart_args(label, other):
    """One call per chart kind with ``label`` and ``other`` in every text the chart draws."""
    return {
        "ranking_bar": ([(label, 80.0, "好"), (other, 62.0, "一般")],),
        "dimension_heatmap": ([label, other], [label, other], [[70.0, 80.0], [None, 50.0]]),
        "radar": ([label, other, "内生活力"], [(label, [70.0, 60.0, None]), (other, [1, 2, 3])]),
        "trend": ([label, other], [(label, [60.0, 70.0]), (other, [None, 50.0])]),
        "item_bars": ([(label, 50.0), (other, None)],),
        "cause_profile": ([(label, 50.0), (other, 70.0)],),
        "grade_distribution": ([(label, 3), (other, 1)],),
        "progress_donut": (1, 2),
    }


def svg_texts(svg):
    # Glyphs are paths (svg.fonttype "path"); matplotlib keeps each string as a comment,
    # the string as given, whether it was then drawn as text or as math.
    return re.findall(r"<!-- (.*?) -->", svg.decode(), flags=re.DOTALL)


DEJAVU = FT2Font(findfont(FontProperties(family="DejaVu Sans")))


def draws(svg, char):
    """Whether the SVG draws ``char`` as a DejaVu Sans text glyph: each glyph is a path
    defined once, with the id <font>-<glyph index>. Mathtext draws "$" as nothing at all
    and letters in its own italic face."""
    return f'id="DejaVuSans-{DEJAVU.get_char_index(ord(char)):x}"'.encode() in svg


TEXT_CHARTS = sorted(set(profile.CHARTS) - {"progress_donut"})  # the donut draws no names


@pytest.mark.parametrize("kind", TEXT_CHARTS)
def test_dollar_signs_are_drawn_as_typed_in_every_chart(kind):
    chart = profile.CHARTS[kind][0]
    args = chart_args(MATH, UNBALANCED)[kind]
    svg = chart(*args, fmt="svg")
    texts = " ".join(svg_texts(svg))
    assert MATH in texts
    # Radar axes wrap names over two lines of 8; the pieces are still the typed text.
    assert "成本 $5" in texts and "$6" in texts
    assert draws(svg, "$") and draws(svg, "^") and draws(svg, "x")
    assert chart(*chart_args(BROKEN, UNBALANCED)[kind], fmt="svg")
    assert chart(*args, fmt="png").startswith(b"\x89PNG")


@pytest.mark.parametrize("kind", sorted(profile.CHARTS))
def test_odd_names_never_make_a_chart_raise(kind):
    chart = profile.CHARTS[kind][0]
    for label in ODD_LABELS:
        assert chart(*chart_args(label, "县水利局")[kind], fmt="svg"), label
    # Agg draws text its own way: the labels without a glyph in any font go through it too.
    for label in ODD_LABELS[:3]:
        assert chart(*chart_args(label, "县水利局")[kind], fmt="png"), label


def test_line_breaks_and_control_characters_are_drawn_as_spaces():
    texts = svg_texts(profile.item_bars([("第一行\n第二行\x00尾", 50.0)]))
    assert "第一行 第二行 尾" in texts


# --- through the pages that show them ------------------------------------------------------


@pytest.fixture
def dollar_round(client, secretary_a, secretary_b, open_round, questionnaire, unit_a, unit_b):
    """Unit A, a dimension, a question and the round all named with dollar signs, unit B
    with fpdf2's page-count placeholder, and both branches submitted."""
    Unit.objects.filter(pk=unit_a.pk).update(name=MATH)
    Unit.objects.filter(pk=unit_b.pk).update(name=PLACEHOLDER)
    dimension = Dimension.objects.filter(questionnaire=questionnaire).order_by("order").first()
    Dimension.objects.filter(pk=dimension.pk).update(name=UNBALANCED)
    question = (
        Question.objects.filter(dimension=dimension, kind=Question.Kind.LIKERT)
        .order_by("order")
        .first()
    )
    Question.objects.filter(pk=question.pk).update(text=BROKEN)
    open_round.name = "2026年$第二轮"
    open_round.save(update_fields=["name"])
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    return open_round


def pdf_text(content):
    assert content.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_dashboard_unit_page_and_their_charts_answer_200(client, office, dollar_round, unit_a):
    client.force_login(office)
    assert client.get(reverse("dashboard")).status_code == 200
    page = client.get(reverse("unit_detail", args=[dollar_round.pk, unit_a.pk]))
    assert page.status_code == 200
    assert MATH in page.content.decode()
    for fmt in ("svg", "png"):
        for name in ROUND_CHARTS:
            response = client.get(reverse("round_chart", args=[dollar_round.pk, name, fmt]))
            assert response.status_code == 200, (name, fmt)
        for name in UNIT_CHARTS:
            url = reverse("unit_chart", args=[dollar_round.pk, unit_a.pk, name, fmt])
            response = client.get(url)
            assert response.status_code == 200, (name, fmt)
    ranking = client.get(reverse("round_chart", args=[dollar_round.pk, "ranking", "svg"]))
    assert MATH in svg_texts(ranking.content) and draws(ranking.content, "$")
    items = client.get(reverse("unit_chart", args=[dollar_round.pk, unit_a.pk, "items", "svg"]))
    assert BROKEN in " ".join(svg_texts(items.content))


@pytest.mark.django_db
def test_unit_and_round_pdfs_print_the_names_as_typed(client, office, dollar_round, unit_a):
    client.force_login(office)
    unit_pdf = client.get(reverse("export_unit_pdf", args=[dollar_round.pk, unit_a.pk]))
    assert unit_pdf.status_code == 200
    text = pdf_text(unit_pdf.content)
    assert f"{MATH}党建与业务融合度测评报告" in text
    assert UNBALANCED in text and "2026年$第二轮" in text
    round_pdf = client.get(reverse("export_round_pdf", args=[dollar_round.pk]))
    assert round_pdf.status_code == 200
    text = pdf_text(round_pdf.content)
    assert f"{MATH}党建与业务融合度测评报告" in text
    assert f"{PLACEHOLDER}党建与业务融合度测评报告" in text
