"""Every spreadsheet the app sends goes through one writer that neutralises formula-like text:
names, reasons and question texts typed as "=HYPERLINK(…)" arrive as text, never as formulas,
and numbers stay numbers."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from surveys.core import downloads
from surveys.questionnaires.models import Question
from surveys.submissions import services as submission_services
from tests.helpers import answer_post, csrf_token_from, submit
from tests.surveys.organisation.test_import import HEADER, ROWS, import_file

ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(1)", "\tcmd"]
DANGEROUS = tuple(downloads.FORMULA_STARTS)


# --- neutralise: no database --------------------------------------------------------------


@pytest.mark.parametrize("text", ATTACKS + ["\rx", "\nx"])
def test_neutralise_prefixes_each_formula_start(text):
    assert downloads.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [-2, -2.5, Decimal("-3.25"), 0, 7, None, "", "县水利局", "1+1"])
def test_neutralise_leaves_numbers_none_and_plain_text_alone(value):
    assert downloads.neutralise(value) == value


def test_the_writer_strips_control_characters_before_neutralising():
    assert downloads.cell_value("\x01=1+1") == "'=1+1"


# --- every download, through the client ------------------------------------------------------


def assert_no_formula_in_xlsx(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(DANGEROUS), (ws.title, cell.coordinate)
    return book


def assert_no_formula_in_csv(content):
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    for row in rows:
        for value in row:
            assert not value.startswith(DANGEROUS), value
    return rows


def body(response):
    assert response.status_code == 200, response
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    return b"".join(response.streaming_content) if response.streaming else response.content


def all_text(book):
    return {
        cell.value
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


@pytest.fixture
def attacked(office, questionnaire, open_round, unit_a, branch_b, secretary_a, secretary_b):
    """The attacks typed wherever people type: unit, branch and secretary names, a question's
    text, a free-text answer and the office's return reason."""
    unit_a.name = ATTACKS[0]
    unit_a.save()
    branch_b.name = ATTACKS[1]
    branch_b.save()
    secretary_a.last_name, secretary_a.first_name = ATTACKS[2], ""
    secretary_a.save()
    secretary_b.last_name, secretary_b.first_name = ATTACKS[3], ""
    secretary_b.save()
    # The loaded version is frozen for editing; a question's text set in the database stands
    # for a version an office user wrote.
    Question.objects.filter(questionnaire=questionnaire, code="XY01").update(text=ATTACKS[4])
    client = Client()
    submission = submit(
        client, secretary_a, open_round, questionnaire, answers={"XYT1": ATTACKS[0]}
    )
    returned = submission_services.submission_return(
        user=office, submission=submission, reason=ATTACKS[1]
    )
    client.force_login(secretary_a)  # resubmits, so that the round has a submitted answer
    data = answer_post(
        questionnaire,
        version=returned.version,
        action="submit",
        likert="4",
        overrides={"q_XYT1": ATTACKS[0]},
    )
    assert client.post(reverse("questionnaire", args=[open_round.pk]), data).status_code == 302
    client.force_login(office)
    return client


@pytest.mark.django_db
def test_every_download_carries_the_attacks_as_text(attacked, open_round, questionnaire):
    client = attacked
    xlsx_urls = {
        "not submitted": reverse("not_submitted_xlsx", args=[open_round.pk]),
        "audit log": reverse("audit_log") + "?format=xlsx",
        "round workbook": reverse("export_round_xlsx", args=[open_round.pk]),
        "people template": reverse("people_template"),
        "people export": reverse("people_export"),
        "questionnaire": reverse("questionnaire_xlsx", args=[questionnaire.pk]),
    }
    books = {
        name: assert_no_formula_in_xlsx(body(client.get(url))) for name, url in xlsx_urls.items()
    }
    seen = set().union(*(all_text(book) for book in books.values()))
    for attack in ATTACKS:
        assert "'" + attack.replace("\t", "") in seen or "'" + attack in seen, attack

    # Each attack reached the sheet that shows it, neutralised.
    assert "'" + ATTACKS[1] in all_text(books["not submitted"])  # branch b has not submitted
    assert "'" + ATTACKS[3] in all_text(books["not submitted"])  # its secretary
    assert any(ATTACKS[1] in text for text in all_text(books["audit log"]))  # return reason
    assert "'" + ATTACKS[0] in all_text(books["people export"])
    assert "'" + ATTACKS[4] in all_text(books["questionnaire"])

    # Numbers stay numbers: scores in the workbook, member counts in the people list.
    branch_scores = books["round workbook"]["支部得分"]
    header = [c.value for c in branch_scores[1]]
    index = branch_scores.cell(row=2, column=header.index("融合度指数") + 1)
    assert index.data_type == "n" and isinstance(index.value, int | float)
    assert branch_scores.cell(row=2, column=1).value == "'" + ATTACKS[0]
    people = books["people export"]["组织与账号"]
    assert {people.cell(row=r, column=5).data_type for r in range(2, people.max_row + 1)} == {"n"}

    rows = assert_no_formula_in_csv(
        body(client.get(reverse("export_round_csv", args=[open_round.pk])))
    )
    header, row = rows[0], rows[1]
    assert row[0] == "'" + ATTACKS[0] and row[4] == "'" + ATTACKS[2]
    assert "'" + ATTACKS[0] in row  # the free-text answer
    assert any(h.startswith("XY01 ") for h in header)
    likert = header.index(next(h for h in header if h.startswith("XY02 ")))
    assert row[likert] == "4"  # a number, unquoted


@pytest.mark.django_db
def test_the_initial_password_sheet_carries_the_attacks_as_text(office):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    rows = [list(r) for r in ROWS]
    rows[0][HEADER.index("书记姓名")] = ATTACKS[0]
    rows[1][HEADER.index("支部名称")] = ATTACKS[2]
    workbook = openpyxl.Workbook()
    workbook.active.title = "组织与账号"
    for row in [HEADER, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl itself writes "=…" as a formula; the import reads values, not formulas.
    for row in workbook.active.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert import_file(client, buffer.getvalue()).status_code == 302
    page = client.get(reverse("people_import_done")).content.decode()
    response = client.post(
        reverse("people_import_passwords"), {"csrfmiddlewaretoken": csrf_token_from(page)}
    )
    book = assert_no_formula_in_xlsx(body(response))
    assert {"'" + ATTACKS[0], "'" + ATTACKS[2]} <= all_text(book)


@pytest.mark.django_db
def test_the_checks_catch_a_formula_when_neutralising_is_off(attacked, open_round, monkeypatch):
    monkeypatch.setattr(downloads, "neutralise", lambda value: value)
    response = attacked.get(reverse("export_round_xlsx", args=[open_round.pk]))
    with pytest.raises(AssertionError):
        assert_no_formula_in_xlsx(body(response))
    response = attacked.get(reverse("export_round_csv", args=[open_round.pk]))
    with pytest.raises(AssertionError):
        assert_no_formula_in_csv(body(response))
