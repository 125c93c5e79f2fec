"""Downloads for the office: the round's workbook, its raw answers as CSV, and the printable
unit reports. The rows and documents are built in tables.py and pdf.py beside this module."""

from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404

from reports import selectors
from reports.exports import pdf, tables
from surveys.core.permissions import office_required
from surveys.organisation.models import Unit
from surveys.rounds.models import Round

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(response, filename, fallback):
    """RFC 6266/5987: browsers use filename* (UTF-8, so the Chinese name survives);
    `filename` is an ASCII name for the few clients that cannot read it."""
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    # Office-only data: the browser may not keep a copy for others, proxies neither.
    response["Cache-Control"] = "private, no-store"
    return response


def _round(round_id):
    return get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)


@office_required
def round_xlsx(request, round_id):
    round_ = _round(round_id)
    response = HttpResponse(tables.to_xlsx(round_), content_type=XLSX)
    return _attachment(response, f"{round_.name}-融合度测评数据.xlsx", f"round-{round_.pk}.xlsx")


@office_required
def round_csv(request, round_id):
    round_ = _round(round_id)
    # Streamed: the first bytes leave before the last answers are read, so a large round
    # neither holds its whole CSV in memory nor keeps the browser waiting for headers.
    response = StreamingHttpResponse(
        tables.csv_stream(round_), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, f"{round_.name}-原始答卷.csv", f"round-{round_.pk}-answers.csv")


@office_required
def unit_pdf(request, round_id, unit_id):
    round_ = _round(round_id)
    unit = get_object_or_404(Unit, pk=unit_id)
    report = selectors.unit_report(round_, unit)
    response = HttpResponse(pdf.unit_report_pdf(report), content_type="application/pdf")
    return _attachment(
        response,
        f"{unit.name}-{round_.name}-融合度测评报告.pdf",
        f"round-{round_.pk}-unit-{unit.pk}.pdf",
    )


@office_required
def round_pdf(request, round_id):
    round_ = _round(round_id)
    response = HttpResponse(pdf.round_report_pdf(round_), content_type="application/pdf")
    return _attachment(
        response, f"{round_.name}-各单位融合度测评报告.pdf", f"round-{round_.pk}-reports.pdf"
    )
