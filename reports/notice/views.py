"""The office's download of a round's Word 通报, built in the request for now (the builder is
a plain function so that it can become a background job)."""

from django.shortcuts import get_object_or_404, render

from reports.notice.content import NothingSubmitted
from reports.notice.docx import build_notice
from surveys.core.downloads import download_response
from surveys.core.permissions import office_required
from surveys.rounds.models import Round

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@office_required
def notice_docx(request, round_id):
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    try:
        body = build_notice(round_)
    except NothingSubmitted as refusal:
        return render(
            request, "reports/notice/nothing.html", {"round": round_, "message": refusal.message}
        )
    return download_response(
        body, f"{round_.name}-融合度测评通报.docx", DOCX, fallback=f"round-{round_.pk}-notice.docx"
    )
