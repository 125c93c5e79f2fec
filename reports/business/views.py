"""The business page of a round: upload the county's business results, see them beside the
integration index (quadrants, coupling-coordination degree, Spearman's ρ)."""

import hashlib
import json

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reports import selectors as report_selectors
from reports.business import chart, selectors, services, sheet
from reports.business.forms import UploadForm
from surveys.core.downloads import download_response, xlsx_response
from surveys.core.permissions import office_required
from surveys.organisation.models import Unit
from surveys.rounds.models import Round

PENDING = "business_import"  # session key: the validated rows awaiting confirmation
CHART_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def _round(round_id):
    return get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)


def _page(request, round_, **extra):
    overview = report_selectors.round_overview(round_)
    business = selectors.business_overview(overview)
    pending = request.session.get(PENDING)
    if pending and pending.get("round") != round_.pk:
        pending = None
    context = {
        "round": round_,
        "business": business,
        "form": extra.pop("form", None) or UploadForm(),
        "pending": pending,
        "alt": chart.alt_text_quadrant_chart(
            [(r.name, r.index, r.business) for r in business.rows],
            business.party_line,
            business.business_line,
        ),
        **extra,
    }
    return render(request, "reports/business/page.html", context)


@office_required
def business_page(request, round_id):
    return _page(request, _round(round_id))


@office_required
@require_POST
def business_upload(request, round_id):
    round_ = _round(round_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, round_, form=form)
    upload = form.cleaned_data["file"]
    names = dict(Unit.objects.values_list("code", "name"))
    try:
        rows, errors = sheet.read_rows(upload.read(), names)
    except sheet.SheetError as exc:
        errors, rows = [str(exc)], []
    if errors:
        request.session.pop(PENDING, None)
        return _page(request, round_, form=form, errors=errors, file_name=upload.name)
    payload = [
        [r.number, r.unit_code, names[r.unit_code], r.score, r.full_mark, r.rank, r.grade]
        for r in rows
    ]
    request.session[PENDING] = {
        "round": round_.pk,
        "name": upload.name,
        "rows": payload,
        "digest": hashlib.sha256(json.dumps(payload).encode()).hexdigest(),
    }
    return redirect(reverse("business_page", args=[round_.pk]) + "#pending")


@office_required
@require_POST
def business_confirm(request, round_id):
    round_ = _round(round_id)
    pending = request.session.get(PENDING)
    if (
        not pending
        or pending.get("round") != round_.pk
        or request.POST.get("digest") != pending["digest"]
    ):
        messages.error(
            request, "待确认的导入已失效（可能已在另一个窗口中确认或取消），请重新上传文件。"
        )
        return redirect("business_page", round_.pk)
    rows = [
        sheet.Row(n, code, name, score, full, rank, grade)
        for n, code, name, score, full, rank, grade in pending["rows"]
    ]
    count = services.import_results(
        actor=request.user, round_=round_, rows=rows, file=pending["name"]
    )
    request.session.pop(PENDING, None)
    messages.success(request, f"已导入 {count} 个单位的业务绩效，替换了本批次此前导入的数据。")
    return redirect("business_page", round_.pk)


@office_required
@require_POST
def business_cancel(request, round_id):
    request.session.pop(PENDING, None)
    messages.info(request, "已取消本次导入，未写入任何数据。")
    return redirect("business_page", round_id)


@office_required
@require_POST
def business_clear(request, round_id):
    round_ = _round(round_id)
    count = services.clear_results(actor=request.user, round_=round_)
    messages.success(request, f"已删除本批次 {count} 个单位的业务绩效。")
    return redirect("business_page", round_.pk)


@office_required
def business_template(request, round_id):
    round_ = _round(round_id)
    units = Unit.objects.filter(is_active=True).order_by("order", "code")
    return xlsx_response(
        sheet.template(units), f"{round_.name}-业务绩效模板.xlsx", fallback="business-template.xlsx"
    )


@office_required
def business_chart(request, round_id, fmt):
    if fmt not in CHART_TYPES:
        raise Http404("没有这种图片格式。")
    version = report_selectors.data_version()
    key = f"business-chart:{round_id}:{fmt}:{version}"
    content = cache.get(key)
    round_ = _round(round_id)
    if content is None:
        business = selectors.business_overview(report_selectors.round_overview(round_))
        content = chart.quadrant_chart(
            [(r.name, r.index, r.business) for r in business.rows],
            business.party_line,
            business.business_line,
            fmt=fmt,
        )
        cache.set(key, content, 60 * 60 * 24)
    if request.GET.get("download"):
        return download_response(
            content, f"{round_.name}-四象限.{fmt}", CHART_TYPES[fmt], fallback=f"quadrant.{fmt}"
        )
    return HttpResponse(content, content_type=CHART_TYPES[fmt])
