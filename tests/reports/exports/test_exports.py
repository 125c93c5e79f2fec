"""Exports: the round's workbook and raw-answer CSV, the printable unit reports, and who may
download them. Submissions go through the client, so their scores are stored as in use."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from pypdf import PdfReader

from reports import scoring
from reports.exports import tables
from reports.store import scoring_model
from surveys.core import downloads
from surveys.questionnaires.models import Question
from surveys.submissions.models import Answer
from tests.helpers import submit

SHEETS = ["单位得分", "支部得分", "题目均分", "原始答卷"]
INJECTIONS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "\nx"]
XSS = "<script>alert(1)</script>"


# --- neutralise: no database --------------------------------------------------------------


@pytest.mark.parametrize("text", INJECTIONS)
def test_neutralise_prefixes_text_a_spreadsheet_would_run(text):
    assert downloads.neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "value", [-2, -2.5, Decimal("-3.25"), 0, 85.0, None, "", "县水利局", "1+1", "'=already", XSS]
)
def test_neutralise_leaves_numbers_and_plain_text_alone(value):
    assert downloads.neutralise(value) == value


def test_csv_renderer_keeps_negative_numbers_numeric():
    def rows(_round):
        yield ["变化", "说明"]
        yield [-2.5, "-2+3"]

    text = b"".join(tables.csv_stream(None, rows=rows)).decode("utf-8-sig")
    assert text.splitlines() == ["变化,说明", "-2.5,'-2+3"]


# --- data: two branches through the client (the fixtures bring the database) --------------


def likert_codes(questionnaire):
    return list(
        questionnaire.questions.filter(kind=Question.Kind.LIKERT)
        .order_by("dimension__order", "order")
        .values_list("code", flat=True)
    )


def expected_score(questionnaire, likert, overrides=None):
    """The same answers as answer_post gives, scored with reports.scoring directly."""
    overrides = overrides or {}
    values = {}
    for q in questionnaire.questions.all():
        if q.kind == Question.Kind.LIKERT:
            values[q.code] = int(overrides.get(q.code, likert))
        elif q.kind == Question.Kind.YES_NO:
            values[q.code] = True
        elif q.kind == Question.Kind.NUMBER:
            values[q.code] = 3
        elif q.kind == Question.Kind.CHOICE:
            values[q.code] = q.choices[0]["value"]
    return scoring.score_submission(scoring_model(questionnaire), values)


@pytest.fixture
def known(client, secretary_a, secretary_b, open_round, questionnaire):
    """Branch A answers 4 everywhere but 5 on the first Likert item; branch B answers 2."""
    first = likert_codes(questionnaire)[0]
    submit(client, secretary_a, open_round, questionnaire, likert="4", answers={first: "5"})
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    return {
        "first": first,
        "a": expected_score(questionnaire, 4, {first: 5}),
        "b": expected_score(questionnaire, 2),
    }


def sheet_rows(workbook, name):
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def by_first_column(rows):
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_xlsx_has_four_sheets_with_chinese_headers_and_known_numbers(
    open_round, questionnaire, known
):
    workbook = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(open_round)))
    assert workbook.sheetnames == [*SHEETS, "说明"]
    dims = list(questionnaire.dimensions.order_by("order").values_list("name", flat=True))
    assert dims == ["学用结合", "组织生活实效", "内生活力"]

    units = sheet_rows(workbook, "单位得分")
    assert units[0] == [
        "单位", "名单支部数", "已提交支部数", "参评支部数", "融合度指数", *dims, "等次",
        "主要成因", "较上轮变化", "疑似应付式答卷数",
    ]  # fmt: skip
    water = by_first_column(units)["县水利局"]
    assert (water["名单支部数"], water["已提交支部数"], water["参评支部数"]) == (1, 1, 1)
    assert water["融合度指数"] == scoring.round2(known["a"].index)
    assert water["等次"] == known["a"].grade
    codes = list(questionnaire.dimensions.order_by("order").values_list("code", flat=True))
    for name, code in zip(dims, codes, strict=True):
        assert water[name] == scoring.round2(known["a"].dimensions[code])
    assert water["较上轮变化"] is None  # the first round: an empty cell, not 0
    assert by_first_column(units)["县财政局"]["融合度指数"] == scoring.round2(known["b"].index)

    branches = by_first_column(sheet_rows(workbook, "支部得分"))
    a = branches["县水利局"]
    assert a["党支部"] == "县水利局机关党支部" and a["提交人"] == "王建国"
    assert a["融合度指数"] == scoring.round2(known["a"].index)
    assert a["虚化"] == scoring.round2(known["a"].causes["xuhua"])
    assert a["疑似应付式作答"] == ("是" if known["a"].straightlined else "否")
    assert a["不计入统计"] == "否"
    assert a["提交时间"].year >= 2026  # a real date cell, in Asia/Shanghai

    items = sheet_rows(workbook, "题目均分")
    assert items[0] == [
        "维度", "题号", "题目", "题型", "反向计分", "成因", "融合方面", "作答数", "平均得分"
    ]  # fmt: skip
    first = next(row for row in items if row[1] == known["first"])
    spec = next(i for i in scoring_model(questionnaire).items if i.code == known["first"])
    mean = (scoring.item_score(spec, 5) + scoring.item_score(spec, 2)) / 2
    assert first[7] == 2 and first[8] == scoring.round2(mean)

    raw = sheet_rows(workbook, "原始答卷")
    assert raw[0][:5] == ["单位", "党支部", "状态", "提交时间", "提交人"]
    assert raw[0][5].startswith(known["first"] + " ")
    assert len(raw) == 3
    assert workbook["原始答卷"].freeze_panes == "C2"
    assert workbook["单位得分"].freeze_panes == "A2"


def test_raw_answers_show_values_as_answered(open_round, questionnaire, known):
    header, *rows = list(tables.raw_answer_rows(open_round))
    row = dict(zip(header, rows[0], strict=True))
    column = {h.split(" ")[0]: h for h in header[5:]}
    by_kind = {q.kind: q.code for q in questionnaire.questions.all()}
    assert row[column[known["first"]]] == 5
    assert row[column[by_kind["yes_no"]]] == "是"
    assert row[column[by_kind["number"]]] == 3
    assert row[column[by_kind["text"]]].endswith("的做法：把党建和业务一起谋划。")
    assert row["状态"] == "已提交"


def test_csv_is_utf8_with_bom_one_row_per_submitted_submission(
    client, secretary_a, secretary_b, open_round, questionnaire
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="2", action="save")  # draft
    body = b"".join(tables.csv_stream(open_round))
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2  # the header and branch A; B's draft is not submitted
    assert rows[1][:2] == ["县水利局", "县水利局机关党支部"]
    assert rows[0][5].startswith(likert_codes(questionnaire)[0])
    assert rows[1][5] == "4"
    assert ",4,4," in text and '"4"' not in text  # numbers are written bare, not quoted


def test_raw_answers_take_a_fixed_number_of_queries(
    client, secretary_a, secretary_b, open_round, questionnaire, django_assert_num_queries
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    with django_assert_num_queries(3):  # questions, submissions, answers
        assert len(list(tables.raw_answer_rows(open_round))) == 2
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    with django_assert_num_queries(3):
        assert len(list(tables.raw_answer_rows(open_round))) == 3


@pytest.fixture
def hostile(client, secretary_a, open_round, questionnaire):
    """Branch A's free-text answers are formula payloads and a script tag."""
    texts = list(
        questionnaire.questions.filter(kind=Question.Kind.TEXT).order_by(
            "dimension__order", "order"
        )
    )
    payloads = dict(zip([q.code for q in texts], [*INJECTIONS, XSS], strict=False))
    # The form strips leading whitespace, so those payloads are typed through the client
    # and the whitespace ones stored directly, as an import or the admin could.
    typed = {code: p for code, p in payloads.items() if p == p.strip()}
    submission = submit(client, secretary_a, open_round, questionnaire, likert="4", answers=typed)
    for code, payload in payloads.items():
        Answer.objects.filter(submission=submission, question__code=code).update(text=payload)
    return payloads


def test_formula_payloads_are_neutralised_in_csv(open_round, hostile):
    text = b"".join(tables.csv_stream(open_round)).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    cells = {h.split(" ")[0]: value for h, value in zip(header, row, strict=True)}
    for code, payload in hostile.items():
        expected = payload if payload == XSS else "'" + payload
        assert cells[code] == expected
    number = next(h for h in header if h.startswith("HLF1"))
    assert row[header.index(number)] == "3"  # a number answer stays a bare number


def test_formula_payloads_are_neutralised_in_xlsx(open_round, hostile):
    workbook = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(open_round)))
    sheet = workbook["原始答卷"]
    header = [c.value for c in sheet[1]]
    cells = {h.split(" ")[0]: c for h, c in zip(header, sheet[2], strict=True)}
    for code, payload in hostile.items():
        cell = cells[code]
        assert cell.data_type == "s"  # text, never a formula
        if payload == XSS:
            assert cell.value == XSS  # data in a spreadsheet: exported verbatim
        else:
            # XML turns a lone CR into LF when read back; what matters is the apostrophe.
            assert cell.value in ("'" + payload, "'" + payload.replace("\r", "\n"))
    assert cells["HLF1"].data_type == "n" and cells["HLF1"].value == 3
    formulas = [
        c.coordinate for ws in workbook for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas == []


# --- PDF ----------------------------------------------------------------------------------


def pdf_text(content):
    assert content.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_unit_pdf_has_the_unit_name_and_numbers(client, office, open_round, unit_a, known):
    client.force_login(office)
    response = client.get(reverse("export_unit_pdf", args=[open_round.pk, unit_a.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "县水利局党建与业务融合度测评报告" in text
    assert "融合度" in text and open_round.name in text
    assert f"{scoring.round2(known['a'].index):.2f}" in text
    assert "县水利局机关党支部" in text  # the branch table
    assert "的做法：把党建和业务一起谋划。" in text  # the free texts


def test_unit_pdf_without_counted_answers_claims_no_scores_and_no_advice(
    client, office, secretary_a, open_round, questionnaire, unit_b
):
    """Unit B is on the roster with nothing submitted: its report says so, and never that
    its dimensions are all good (the advice that follows a good score)."""
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    client.force_login(office)
    response = client.get(reverse("export_unit_pdf", args=[open_round.pk, unit_b.pk]))
    text = pdf_text(response.content)
    assert "县财政局党建与业务融合度测评报告" in text
    assert "暂无得分，未生成对策建议" in text
    assert "均达到" not in text
    assert "0 / 1" in text  # submitted / roster
    assert "各题目平均得分" in text and "该单位还没有任何一轮的得分" in text
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1  # no pages of empty charts


def test_round_pdf_has_a_cover_and_every_unit(client, office, open_round, known):
    client.force_login(office)
    response = client.get(reverse("export_round_pdf", args=[open_round.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    cover = reader.pages[0].extract_text()
    assert "县直机关党建与业务融合度测评报告" in cover
    assert "全县融合度指数" in cover
    text = pdf_text(response.content)
    for name in ("县水利局", "县财政局"):
        assert f"{name}党建与业务融合度测评报告" in text
    assert [item.title for item in reader.outline] == ["全县概况", "县水利局", "县财政局"]


# --- access -------------------------------------------------------------------------------

URLS = ["export_round_xlsx", "export_round_csv", "export_unit_pdf", "export_round_pdf"]


def url_for(name, round_, unit):
    args = [round_.pk, unit.pk] if name == "export_unit_pdf" else [round_.pk]
    return reverse(name, args=args)


@pytest.mark.parametrize("name", URLS)
def test_office_downloads_an_attachment_with_a_chinese_filename(
    client, office, open_round, unit_a, known, name
):
    client.force_login(office)
    response = client.get(url_for(name, open_round, unit_a))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%E8%9E%8D%E5%90%88" in disposition or "%E5%8E%9F%E5%A7%8B" in disposition  # 融合/原始


@pytest.mark.parametrize("name", URLS)
def test_secretaries_are_refused(client, secretary_a, secretary_b, open_round, unit_a, name):
    for user in (secretary_a, secretary_b):
        client.force_login(user)
        response = client.get(url_for(name, open_round, unit_a))
        assert response.status_code == 403
        assert "机关工委" in response.content.decode()


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_login(client, open_round, unit_a, name):
    url = url_for(name, open_round, unit_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login")) and "next=" in response.url


def test_content_types_and_streaming(client, office, open_round, unit_a, known):
    client.force_login(office)
    xlsx = client.get(url_for("export_round_xlsx", open_round, unit_a))
    assert xlsx["Content-Type"] == downloads.XLSX
    response = client.get(url_for("export_round_csv", open_round, unit_a))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf") and "县水利局".encode() in body


@pytest.mark.parametrize("name", URLS)
def test_unknown_ids_are_404(client, office, open_round, unit_a, name):
    client.force_login(office)
    args = [999999, unit_a.pk] if name == "export_unit_pdf" else [999999]
    assert client.get(reverse(name, args=args)).status_code == 404
    if name == "export_unit_pdf":
        assert client.get(reverse(name, args=[open_round.pk, 999999])).status_code == 404
