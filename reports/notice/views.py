"""The office's download of a round's Word 通报, built by a background job (reports/jobs/,
kind "notice"): the dashboard's link starts it or joins the one under way, then sends the
file if it is ready, else the job's page with its progress bar."""

from django.shortcuts import get_object_or_404, redirect, render

from reports import selectors
from reports.jobs import services as job_services
from reports.jobs.files import file_response
from reports.notice.content import NothingSubmitted
from surveys.core.permissions import office_required
from surveys.rounds.models import Round


@office_required
def notice_docx(request, round_id):
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    # Said at once rather than as a failed job: nothing counted yet, nothing to report on.
    if not selectors.counted_scores(round=round_, index__isnull=False).exists():
        return render(
            request,
            "reports/notice/nothing.html",
            {"round": round_, "message": NothingSubmitted.message},
        )
    job = job_services.job_start(kind="notice", round_=round_, user=request.user)
    if job.status != job.Status.DONE:
        return redirect("job_detail", job.pk)
    return file_response(job)
