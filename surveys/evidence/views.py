"""The secretary's evidence endpoints (list, attach, remove: JSON for evidence.js, a
redirect back to the questionnaire for a plain form) and the permission-checked downloads.
No evidence file has a public URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from surveys.core.downloads import stored_file_response
from surveys.core.permissions import secretary_required
from surveys.evidence import files, selectors, services
from surveys.evidence.models import Evidence
from surveys.questionnaires.models import Question
from surveys.submissions.models import Submission
from surveys.submissions.selectors import roster_entry_for_secretary, visible_submissions
from surveys.submissions.services import SubmissionError


def _item(evidence, *, can_remove):
    return {
        "id": evidence.pk,
        "question": evidence.question.code,
        "name": evidence.original_name,
        "kind": evidence.kind,
        "size": evidence.size,
        "url": reverse("evidence_file", args=[evidence.pk]),
        "thumbnail": reverse("evidence_thumbnail", args=[evidence.pk])
        if evidence.thumbnail
        else "",
        "remove": reverse("evidence_remove", args=[evidence.pk]) if can_remove else "",
    }


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


@require_GET
@secretary_required
def evidence_list(request, round_id):
    entry = roster_entry_for_secretary(request.user, round_id)
    submission = Submission.objects.filter(round_id=round_id, branch_id=entry.branch_id).first()
    can_remove = bool(submission and submission.is_editable_status and entry.is_open())
    return JsonResponse(
        {
            "limits": files.LIMITS_TEXT,
            "files": [
                _item(e, can_remove=can_remove) for e in selectors.current_evidence(submission)
            ],
        }
    )


@require_GET
@login_required
def submission_evidence(request, pk):
    """The files of the version the submission page shows, read-only; `?version=N`: the
    files submitted version N carried (for the history page)."""
    submission = get_object_or_404(visible_submissions(request.user), pk=pk)
    number = request.GET.get("version", "")
    if number.isdigit() and len(number) < 6:
        evidence = selectors.evidence_of_version(submission, int(number))
    else:
        evidence = selectors.evidence_for_detail(submission)
    return JsonResponse({"limits": "", "files": [_item(e, can_remove=False) for e in evidence]})


@require_POST
@secretary_required
def evidence_upload(request, round_id, code):
    entry = roster_entry_for_secretary(request.user, round_id)
    question = get_object_or_404(Question, questionnaire_id=entry.round.questionnaire_id, code=code)
    upload = request.FILES.get("file")
    back = reverse("questionnaire", args=[round_id]) + f"#q-{question.code}"
    try:
        if upload is None:
            raise services.EvidenceFileError("没有收到文件，请重新选择要上传的文件。")
        files.check_size(upload.name, upload.size)  # before it is read into memory
        content = upload.read(files.MAX_FILE_BYTES + 1)
        evidence = services.evidence_add(
            entry=entry, user=request.user, question=question, name=upload.name, content=content
        )
    except (services.EvidenceFileError, SubmissionError) as exc:
        if _wants_json(request):
            return JsonResponse({"error": str(exc)}, status=400)
        messages.error(request, str(exc))
        return redirect(back)
    if _wants_json(request):
        return JsonResponse({"file": _item(evidence, can_remove=True)}, status=201)
    messages.success(request, f"已上传佐证材料“{evidence.original_name}”。")
    return redirect(back)


@require_POST
@secretary_required
def evidence_remove(request, pk):
    evidence = selectors.visible_evidence(request.user, pk)
    back = reverse("questionnaire", args=[evidence.submission.round_id])
    try:
        services.evidence_remove(user=request.user, evidence=evidence)
    except Evidence.DoesNotExist:
        raise Http404 from None
    except SubmissionError as exc:
        if _wants_json(request):
            return JsonResponse({"error": str(exc)}, status=400)
        messages.error(request, str(exc))
        return redirect(back)
    if _wants_json(request):
        return JsonResponse({"removed": pk})
    messages.success(request, f"已删除佐证材料“{evidence.original_name}”。")
    return redirect(back + f"#q-{evidence.question.code}")


@require_GET
@login_required
def evidence_file(request, pk):
    evidence = selectors.visible_evidence(request.user, pk)
    name = evidence.original_name
    if evidence.is_image and not name.lower().endswith((".jpg", ".jpeg")):
        name = name.rsplit(".", 1)[0] + ".jpg"  # stored re-encoded as JPEG
    return stored_file_response(
        evidence.file,
        name=name,
        content_type=files.CONTENT_TYPES[evidence.kind],
        # Photos and PDFs open in the browser; Word and Excel files download.
        attachment=evidence.kind not in ("image", "pdf"),
    )


@require_GET
@login_required
def evidence_thumbnail(request, pk):
    evidence = selectors.visible_evidence(request.user, pk)
    if not evidence.thumbnail:
        raise Http404
    return stored_file_response(
        evidence.thumbnail, name="thumbnail.jpg", content_type="image/jpeg", attachment=False
    )
