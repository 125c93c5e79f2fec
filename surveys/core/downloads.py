"""File downloads: the one XLSX writer, the one CSV writer and the one response for every
spreadsheet the app sends.

Every cell value goes through `neutralise` on its way into a file: a spreadsheet runs a cell
that starts with "=" (or "+", "-", "@", …) as a formula, and unit and branch names, people's
names, return reasons, question texts and free-text answers are typed by people (OWASP
"CSV injection"). Callers build plain rows; nothing here knows a feature.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import PurePosixPath
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
BOM = b"\xef\xbb\xbf"  # lets Excel on Windows open a UTF-8 CSV as UTF-8, not GBK
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_ROWS_PER_CHUNK = 1000  # rows per yielded piece of a streamed CSV
WIDTH_SAMPLE = 300  # rows measured for automatic column widths
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)


def neutralise(value):
    """Text that a spreadsheet would read as a formula, prefixed with an apostrophe.

    Numbers are left alone: -2.5 is a number, not an attack, and must stay sortable."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(text):
    """What `neutralise` was given, for a file of ours that comes back as an upload (the
    people list edited and imported again)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def cell_value(value):
    """A value as an XLSX cell holds it: neutralised, without the control characters XML
    cannot hold (stripped first, so that "\\x01=1+1" cannot become a formula after the
    strip). Numbers, dates and None are left as they are."""
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


# --- XLSX -----------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One sheet: a title, a header row and rows of plain values (any iterable, read once).

    `widths`: None measures the columns on the first rows; a number gives every column that
    width; a sequence gives each column its own. `freeze` is the top-left unfrozen cell;
    `filters` puts Excel's filter buttons on the header row (over every written row)."""

    title: str
    header: list
    rows: object = ()
    widths: object = None
    freeze: str = "A2"
    filters: bool = False


def xlsx_bytes(sheets) -> bytes:
    """The sheets as one workbook, bold header on a grey fill, frozen header row.

    The workbook is write-only: rows stream to a temporary file instead of living as cell
    objects (a 10,000-submission round is ~600,000 cells)."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(book.create_sheet(sheet.title), sheet)
    return workbook_bytes(book)


def _write_sheet(ws, sheet):
    header = [cell_value(h) for h in sheet.header]
    rows = iter(sheet.rows)
    # Column widths must be set before the first row is written; measure them on a
    # sample of rows (measuring every cell of a big sheet costs more than it is worth).
    first = [[cell_value(v) for v in row] for row in islice(rows, WIDTH_SAMPLE)]
    for j, width in enumerate(_widths(sheet.widths, header, first)):
        ws.column_dimensions[get_column_letter(j + 1)].width = width
    if sheet.freeze:
        ws.freeze_panes = sheet.freeze
    ws.append([_header_cell(ws, name) for name in header])
    count = 1
    for row in first:
        ws.append(row)
        count += 1
    for row in rows:
        ws.append([cell_value(v) for v in row])
        count += 1
    if sheet.filters and header:
        # A write-only sheet writes its filter after the rows, so the range can be exact.
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count}"


def _widths(widths, header, first):
    if isinstance(widths, int | float):
        return [widths] * len(header)
    if widths is not None:
        return list(widths)
    measured = []
    for j, name in enumerate(header):
        # Headers wrap (the row grows), so a long question header need not widen a column
        # of 1–5 answers; the values decide, up to a readable maximum.
        width = max([min(_display_width(name), 20), *(_display_width(row[j]) for row in first)])
        measured.append(min(40, max(8, width + 2)))
    return measured


def _header_cell(ws, value):
    cell = WriteOnlyCell(ws, value=value)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = HEADER_ALIGNMENT
    return cell


def _display_width(value):
    # A CJK character is about two Latin characters wide in Excel's default font.
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    return sum(2 if ord(c) > 0x2E7F else 1 for c in str(value))


def write_rows(ws, rows):
    """Append rows to a worksheet of an ordinary (styled) workbook, every value neutralised;
    for the few sheets whose caller styles cells afterwards."""
    for row in rows:
        ws.append([cell_value(v) for v in row])


def workbook_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- CSV ------------------------------------------------------------------------------------


def csv_chunks(rows, *, rows_per_chunk=CSV_ROWS_PER_CHUNK):
    """Rows (header first) as UTF-8 CSV with a BOM, neutralised, in encoded pieces for a
    StreamingHttpResponse."""
    yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for i, row in enumerate(rows, start=1):
        writer.writerow([neutralise(value) for value in row])
        if i % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


# --- the response ---------------------------------------------------------------------------


def _attachment(response, filename, fallback):
    """RFC 6266/5987: browsers use filename* (UTF-8, so the Chinese name survives);
    `filename` is an ASCII name for the few clients that cannot read it."""
    if fallback is None:
        fallback = "download" + PurePosixPath(filename).suffix
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    # Office-only data: the browser may not keep a copy for others, proxies neither.
    response["Cache-Control"] = "private, no-store"
    return response


def download_response(content, filename, content_type, *, fallback=None):
    return _attachment(HttpResponse(content, content_type=content_type), filename, fallback)


def xlsx_response(content, filename, *, fallback=None):
    return download_response(content, filename, XLSX, fallback=fallback)


def streaming_response(chunks, filename, content_type=CSV, *, fallback=None):
    """Streamed: the first bytes leave before the last rows are read, so a large file
    neither sits whole in memory nor keeps the browser waiting for headers."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    return _attachment(response, filename, fallback)


def stored_file_response(field, *, name, content_type, attachment):
    """An uploaded file (a FileField's value) from the storage, after the caller's permission
    check: private caching, no type sniffing; a file gone from the storage is a 404."""
    try:
        handle = field.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=attachment, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
