"""The people import stops reading a workbook at its row limits and refuses one that unpacks
too large, before reading it. "Stops" is shown without timing: a cell that openpyxl cannot
decode sits below the limit, and reading it would give another message."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from surveys.organisation import import_sheet
from surveys.organisation.models import Branch, Unit, User
from tests.helpers import csrf_token_from

pytestmark = pytest.mark.django_db

HEADER = [label for _, label, _ in import_sheet.COLUMNS]
ROW = ["U01", "县委办公室", "U01B1", "县委办公室机关第一党支部", 23, "张建国", "13812345678", "zjg"]
MARKER = 987654321  # a number cell, turned into one that cannot be read
UNREADABLE = "不是 Excel（.xlsx）格式"


@pytest.fixture
def office_client(office):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    return client


def post(client, content):
    token = csrf_token_from(client.get(reverse("people_import")).content.decode())
    return client.post(
        reverse("people_import"),
        {"file": SimpleUploadedFile("名单.xlsx", content), "csrfmiddlewaretoken": token},
    )


def upload(client, content):
    """The page of a refused upload: the upload form again, with the message."""
    response = post(client, content)
    assert response.status_code == 200
    return response.content.decode()


def state():
    return Unit.objects.count(), Branch.objects.count(), User.objects.count()


def workbook(rows, *, unreadable_at=None):
    """The template's header and ``rows``; with ``unreadable_at``, a cell in that row whose
    number is not a number (as a damaged file has), so openpyxl raises if it reads it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = import_sheet.SHEET
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if unreadable_at:
        sheet.cell(row=unreadable_at, column=5, value=MARKER)
    buffer = io.BytesIO()
    book.save(buffer)
    return damaged(buffer.getvalue()) if unreadable_at else buffer.getvalue()


def damaged(content):
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info.filename, data.replace(b"<v>%d</v>" % MARKER, b"<v>x</v>"))
    return out.getvalue()


LIMIT = import_sheet.MAX_ROWS + import_sheet.MAX_BLANK_ROWS


def test_a_damaged_cell_is_refused_with_a_message_not_a_500(office_client):
    before = state()
    assert UNREADABLE in upload(office_client, workbook([ROW], unreadable_at=3))
    assert state() == before


def test_blank_rows_count_and_reading_stops_at_the_limit(office_client):
    before = state()
    rows = [ROW] + [[" "]] * (LIMIT + 10)
    html = upload(office_client, workbook(rows, unreadable_at=LIMIT + 20))
    assert f"表格超过 {LIMIT} 行（含空行），无法导入" in html
    assert UNREADABLE not in html  # the damaged row below the limit was never read
    assert state() == before


def test_names_past_the_row_limit_stop_the_reading(office_client):
    rows = [
        ["U01", "县委办公室", f"B{i}", f"支部{i}", 1, "某", "13800000000", f"u{i}"]
        for i in range(import_sheet.MAX_ROWS + 1)
    ] + [[" "]] * 10
    html = upload(office_client, workbook(rows, unreadable_at=import_sheet.MAX_ROWS + 8))
    assert f"名单超过 {import_sheet.MAX_ROWS} 行" in html
    assert UNREADABLE not in html


def test_some_blank_rows_between_names_are_fine(office_client):
    rows = [[" "]] * 50 + [ROW] + [[" "]] * 50
    response = post(office_client, workbook(rows))
    assert response.status_code == 302 and response.url == reverse("people_import_preview")
    assert "第52行" in office_client.get(response.url).content.decode()  # its number in the file


def test_a_workbook_that_unpacks_too_large_is_refused_before_reading(office_client):
    content = io.BytesIO(workbook([ROW]))
    with zipfile.ZipFile(content, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (import_sheet.MAX_UNPACKED_BYTES + 1))
    assert len(content.getvalue()) < import_sheet.MAX_BYTES
    assert "文件内容过大，无法导入" in upload(office_client, content.getvalue())
