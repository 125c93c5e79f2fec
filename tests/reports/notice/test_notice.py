"""The Word 通报: page, fonts and page numbers after GB/T 9704-2012, every number equal to the
dashboard's, the nothing-submitted page and who may download it."""

import io
import re

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from reports import selectors
from reports.notice.content import county_item_means
from reports.notice.docx import build_notice
from reports.templatetags.ronghe_reports import score
from tests.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(client, secretary_a, secretary_b, open_round, questionnaire):
    texts = {"XYT1": "落实“三会一课”，把第一议题学深学透。", "XYT2": "学习形式单一，念文件多。"}
    submit(client, secretary_a, open_round, questionnaire, likert="4", answers=texts)
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    return open_round


def _document(round_):
    return Document(io.BytesIO(build_notice(round_)))


def _east_asia(run):
    return run._r.rPr.rFonts.get(qn("w:eastAsia"))


def _body_text(document):
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_page_is_a4_with_the_official_margins(submitted):
    section = _document(submitted).sections[0]
    # Word keeps lengths in twentieths of a point: within 0.02 mm of the standard's.
    sizes = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    assert [round(s.mm, 1) for s in sizes] == [210, 297, 37, 35, 28, 26]


def test_title_body_and_heading_fonts(submitted):
    document = _document(submitted)
    title = document.paragraphs[0]
    assert title.alignment == 1  # centred
    assert title.text.startswith("关于") and title.text.endswith("的通报")
    assert {(_east_asia(r), r.font.size) for r in title.runs} == {("方正小标宋简体", Pt(22))}
    body = next(p for p in document.paragraphs if p.text.startswith("本次测评"))
    assert {(_east_asia(r), r.font.size) for r in body.runs} == {("仿宋_GB2312", Pt(16))}
    assert body._p.pPr.ind.get(qn("w:firstLineChars")) == "200"
    heading = next(p for p in document.paragraphs if p.text == "一、基本情况")
    assert {_east_asia(r) for r in heading.runs} == {"黑体"}
    sub = next(p for p in document.paragraphs if p.text == "（一）等次分布")
    assert {(_east_asia(r), r.font.size) for r in sub.runs} == {("楷体_GB2312", Pt(16))}
    cell = document.tables[1].rows[1].cells[1].paragraphs[0]  # a unit's name in the ranking
    assert cell.style.name == "通报表格"
    assert (cell.style.element.rPr.rFonts.get(qn("w:eastAsia")), cell.style.font.size) == (
        "仿宋_GB2312",
        Pt(12),
    )


def test_font_table_names_a_fallback_word_has(submitted):
    document = _document(submitted)
    fonts = document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    ).blob.decode()
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>', fonts)
    assert re.search(r'w:name="方正小标宋简体"><w:altName w:val="宋体"/>', fonts)


def test_page_numbers_are_a_page_field_in_the_footer(submitted):
    section = _document(submitted).sections[0]
    for footer in (section.footer, section.even_page_footer):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.text == "— 1 —"
        assert {(_east_asia(r), r.font.size) for r in paragraph.runs} == {("宋体", Pt(14))}


def test_every_number_equals_the_dashboards(client, office, submitted):
    document = _document(submitted)
    overview = selectors.round_overview(submitted)
    text = _body_text(document)
    # The dashboard's own page, for the county index and the progress it shows.
    client.force_login(office)
    html = client.get(reverse("dashboard"), {"round": submitted.pk}).content.decode()
    county = re.search(r'id="county-index">([^<]+)<', html).group(1)
    assert f"全县融合度指数为 {county}" in text
    progress = re.search(r'<div class="small mb-1">([^<]+)</div>', html).group(1)
    assert f"已提交答卷 {progress}" in text
    ranking = document.tables[1]
    rows = [[c.text for c in row.cells] for row in ranking.rows[1:]]
    assert [(r[1], r[2], r[3]) for r in rows] == [
        (u.name, score(u.index), u.grade) for u in overview.units
    ]
    for row in rows:  # each unit's score and grade as the dashboard's table shows them
        assert re.search(
            rf">{re.escape(row[1])}</a></td>.*?<td[^>]*>{re.escape(row[2])}</td>", html, re.S
        )
    grades = document.tables[0]
    assert [c.text for c in grades.rows[0].cells[1:]] == [g for g, _ in overview.grade_counts]
    assert [c.text for c in grades.rows[1].cells[1:]] == [str(n) for _, n in overview.grade_counts]
    for d in overview.dimensions:
        assert f"{d.name}{score(overview.county_dimensions[d.code])}" in text


def test_typical_practices_and_problems_are_quoted_with_their_branch(submitted):
    text = _body_text(_document(submitted))
    assert "县水利局机关党支部：落实“三会一课”，把第一议题学深学透。" in text
    assert "县水利局机关党支部：学习形式单一，念文件多。" in text
    assert len(_document(submitted).inline_shapes) == 4  # the four charts


def test_progress_is_reported(submitted):
    seen = []
    build_notice(submitted, progress=lambda done, total, what: seen.append((done, total)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_round_with_nothing_submitted_says_so(client, office, open_round):
    client.force_login(office)
    response = client.get(reverse("notice_docx", args=[open_round.pk]))
    assert response.status_code == 200
    assert "该批次还没有已提交并计入统计的答卷，暂时无法生成通报。" in response.content.decode()


def test_office_downloads_a_docx(client, office, submitted):
    client.force_login(office)
    response = client.get(reverse("notice_docx", args=[submitted.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    Document(io.BytesIO(response.content))


def test_secretary_is_refused_and_anonymous_sent_to_log_in(client, secretary_a, submitted):
    url = reverse("notice_docx", args=[submitted.pk])
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(secretary_a)
    assert client.get(url).status_code == 403


def test_unknown_round_is_404(client, office):
    client.force_login(office)
    assert client.get(reverse("notice_docx", args=[99999])).status_code == 404


def test_dashboard_links_to_the_notice_and_the_terms(client, office, submitted):
    client.force_login(office)
    html = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("notice_docx", args=[submitted.pk])}"' in html
    assert "下载通报（Word）" in html
    assert f'href="{reverse("round_terms", args=[submitted.pk])}"' in html


def test_strongest_and_weakest_units_are_named_with_the_dashboards_numbers(submitted):
    text = _body_text(_document(submitted))
    best, worst = selectors.round_overview(submitted).units
    assert f"位居前列的是{best.name}（{score(best.index)}，{best.grade}）。" in text
    assert f"靠后的是{worst.name}（{score(worst.index)}，{worst.grade}）" in text


def test_county_item_means_are_the_mean_of_the_unit_pages_item_means(submitted, unit_a, unit_b):
    per_unit = [dict(selectors.unit_report(submitted, u).items) for u in (unit_a, unit_b)]
    for question, mean in county_item_means(submitted):
        assert mean == pytest.approx((per_unit[0][question] + per_unit[1][question]) / 2)
