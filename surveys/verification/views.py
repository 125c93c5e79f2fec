"""The office's verification queue and review page, publication and appeal decisions; a
branch's published results and its appeal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from surveys.core.downloads import stored_file_response
from surveys.core.permissions import office_required
from surveys.evidence import files
from surveys.rounds.models import Round
from surveys.submissions.models import Submission
from surveys.submissions.selectors import visible_submissions
from surveys.verification import selectors, services
from surveys.verification.forms import (
    RESELECT,
    AppealForm,
    DecisionForm,
    PublishForm,
    ReviewForm,
    value_label,
)
from surveys.verification.models import Appeal


def _submitted(pk):
    return get_object_or_404(
        Submission.objects.select_related("round__questionnaire", "branch__unit"),
        pk=pk,
        status=Submission.Status.SUBMITTED,
    )


@office_required
def queue(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    data = selectors.round_queue(round_)
    publication = data.publication
    form = PublishForm(
        initial={
            "appeal_days": publication.appeal_days,
            "overclaim_margin": publication.overclaim_margin,
        }
    )
    return render(request, "surveys/verification/queue.html", {"queue": data, "publish_form": form})


@office_required
@require_POST
def publish(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    form = PublishForm(request.POST)
    back = reverse("verification_queue", args=[round_.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(back)
    try:
        services.round_publish(user=request.user, round_=round_, **form.cleaned_data)
    except services.VerificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "考评结果已公示，各支部现在可以查看并在申诉期内提出申诉。")
    return redirect(back)


def _review_context(review, form, decision_form=None):
    rows = [
        {
            "item": item,
            "self_label": value_label(item.question, item.self_value),
            "verified_label": (
                value_label(item.question, item.verified.value) if item.verified else ""
            ),
            "value": form[f"v_{item.question.code}"],
            "reason": form[f"r_{item.question.code}"],
        }
        for item in review.items
    ]
    questions = [item.question for item in review.items]
    return {
        "review": review,
        "form": form,
        "rows": rows,
        "next": selectors.next_unreviewed(review.submission),
        "decision_form": decision_form or DecisionForm(questions=questions),
    }


@office_required
def review_page(request, pk):
    submission = _submitted(pk)
    review = selectors.review(submission)
    if request.method == "POST":
        form = ReviewForm(request.POST, items=review.items)
        if form.is_valid():
            try:
                services.verification_save(
                    user=request.user,
                    submission=submission,
                    changes=form.changes(),
                    version=form.cleaned_data["version"],
                )
            except services.VerificationConflict as error:
                messages.error(request, str(error))
                review = selectors.review(submission)
                data = request.POST.copy()
                data["version"] = str(review.version)  # the next save compares with theirs
                form = ReviewForm(data, items=review.items)
                form.is_valid()
            except services.VerificationError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"已保存{submission.branch.name}的考评。")
                return redirect(reverse("verification_review", args=[pk]) + "?saved=1")
        else:
            messages.error(request, "考评没有保存：请按下方提示修改，您填写的内容都还在。")
    else:
        form = ReviewForm(initial={"version": review.version}, items=review.items)
    context = _review_context(review, form)
    context["saved"] = request.GET.get("saved") == "1"
    return render(request, "surveys/verification/review.html", context)


@office_required
@require_POST
def decide(request, pk):
    appeal = get_object_or_404(Appeal.objects.select_related("submission"), pk=pk)
    submission = _submitted(appeal.submission_id)
    review = selectors.review(submission)
    form = DecisionForm(request.POST, questions=[item.question for item in review.items])
    if form.is_valid():
        try:
            services.appeal_decide(
                user=request.user,
                appeal=appeal,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                question=form.cleaned_data.get("question"),
                value=form.cleaned_data.get("json_value"),
            )
        except services.VerificationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "申诉已处理，支部书记可以在考评结果页看到处理结果和理由。")
            return redirect(reverse("verification_review", args=[submission.pk]) + "#appeal")
    else:
        messages.error(request, "申诉没有处理：请按提示修改，您填写的内容都还在。")
    review_form = ReviewForm(initial={"version": review.version}, items=review.items)
    context = _review_context(review, review_form, decision_form=form)
    return render(request, "surveys/verification/review.html", context)


def _own_submitted(request, pk):
    submission = get_object_or_404(
        visible_submissions(request.user), pk=pk, status=Submission.Status.SUBMITTED
    )
    return submission


def results(request, pk):
    """A branch's verified results once published, each changed item with its reason, and
    its one appeal. The office may open it to see what the branch sees."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    submission = _own_submitted(request, pk)
    review = selectors.review(submission)
    if review.publication.pk is None and request.user.is_secretary:
        raise Http404("本批次没有进行考评。")
    form = AppealForm()
    if request.method == "POST":
        form = AppealForm(request.POST, request.FILES)
        if form.is_valid():
            evidence = form.cleaned_data["evidence"]
            try:
                services.appeal_lodge(
                    user=request.user,
                    submission=submission,
                    text=form.cleaned_data["text"],
                    evidence=evidence,
                )
            except services.AppealFilesError as error:
                form.add_error("evidence", [*error.messages, RESELECT])
                messages.error(request, "申诉没有提交：请按提示修改，您填写的内容都还在。")
            except services.VerificationError as error:
                messages.error(request, str(error))
            else:
                sent = f"（附佐证材料 {len(evidence)} 个）" if evidence else ""
                messages.success(request, f"申诉已提交{sent}，机关工委处理后您会在本页看到结果。")
                return redirect(reverse("verification_results", args=[pk]))
        else:
            messages.error(request, "申诉没有提交：请按提示修改，您填写的内容都还在。")
    published = review.publication.published_at is not None
    rows = [
        {
            "item": item,
            "self_label": value_label(item.question, item.self_value),
            "verified_label": value_label(item.question, item.verified.value),
        }
        for item in review.changed_items
    ]
    dims = []
    if review.score is not None:
        for d in review.score.dimension_scores.select_related("dimension").order_by(
            "dimension__order"
        ):
            dims.append((d.dimension, review.score.self_dimensions.get(d.dimension.code), d.score))
    context = {
        "review": review,
        "published": published,
        "rows": rows,
        "dims": dims,
        "form": form,
        "can_appeal": published
        and request.user.is_secretary
        and review.appeal is None
        and selectors.appeals_open(review.publication),
    }
    return render(request, "surveys/verification/results.html", context)


@require_GET
@login_required
def appeal_file(request, pk):
    evidence = selectors.visible_appeal_file(request.user, pk)
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
def appeal_thumbnail(request, pk):
    evidence = selectors.visible_appeal_file(request.user, pk)
    if not evidence.thumbnail:
        raise Http404
    return stored_file_response(
        evidence.thumbnail, name="thumbnail.jpg", content_type="image/jpeg", attachment=False
    )


