"""Downloads for the office: the round's workbook, its raw answers as CSV, and the printable
unit reports. The rows and documents are built in tables.py and pdf.py beside this module."""

from django.shortcuts import get_object_or_404, redirect

from reports import selectors
from reports.exports import pdf, tables
from reports.jobs import services as job_services
from reports.jobs.files import file_response
from surveys.core.downloads import download_response, streaming_response, xlsx_response
from surveys.core.permissions import office_required
from surveys.organisation.models import Unit
from surveys.rounds.models import Round
from surveys.submissions.models import Submission


def _round(round_id):
    return get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)


# Above this many submitted sheets the round workbook is built by a background job (a
# 10,000-sheet round is ~600,000 cells: tens of seconds, past a proxy's patience).
LARGE_ROUND = 2000


@office_required
def round_xlsx(request, round_id):
    round_ = _round(round_id)
    submitted = Submission.objects.filter(round=round_, status=Submission.Status.SUBMITTED)
    if submitted.count() > LARGE_ROUND:
        job = job_services.job_start(kind="round_xlsx", round_=round_, user=request.user)
        if job.status != job.Status.DONE:
            return redirect("job_detail", job.pk)
        return file_response(job)
    return xlsx_response(
        tables.to_xlsx(round_),
        f"{round_.name}-融合度测评数据.xlsx",
        fallback=f"round-{round_.pk}.xlsx",
    )


@office_required
def round_csv(request, round_id):
    round_ = _round(round_id)
    return streaming_response(
        tables.csv_stream(round_),
        f"{round_.name}-原始答卷.csv",
        fallback=f"round-{round_.pk}-answers.csv",
    )


@office_required
def unit_pdf(request, round_id, unit_id):
    round_ = _round(round_id)
    unit = get_object_or_404(Unit, pk=unit_id)
    report = selectors.unit_report(round_, unit)
    return download_response(
        pdf.unit_report_pdf(report),
        f"{unit.name}-{round_.name}-融合度测评报告.pdf",
        "application/pdf",
        fallback=f"round-{round_.pk}-unit-{unit.pk}.pdf",
    )


@office_required
def round_pdf(request, round_id):
    """The whole-round PDF, built by a background job (reports/jobs/): the dashboard's link
    starts it or joins the one under way (a start is idempotent: it never builds twice), then
    sends the file if it is ready, else the job's page with its progress bar."""
    round_ = _round(round_id)
    job = job_services.job_start(kind="round_pdf", round_=round_, user=request.user)
    if job.status != job.Status.DONE:
        return redirect("job_detail", job.pk)
    return file_response(job)
