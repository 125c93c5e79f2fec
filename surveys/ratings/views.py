"""The rater pages: the office's (groups, codes, slips, results) and the public rater form
at /r/, which needs no login."""

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from surveys.core.downloads import Sheet, download_response, xlsx_bytes, xlsx_response
from surveys.core.middleware import client_ip
from surveys.core.permissions import office_required
from surveys.ratings import codes as code_text
from surveys.ratings import slips, throttle
from surveys.ratings.chart import self_vs_others_svg
from surveys.ratings.forms import (
    CodeForm,
    CompareSettingsForm,
    GroupsAddForm,
    ImportForm,
    IssueForm,
    RaterForm,
    SettingsForm,
)
from surveys.ratings.instrument import (
    dump_rater_questionnaire,
    export_json,
    export_xlsx,
)
from surveys.ratings.models import Audience, RaterGroup, RaterQuestionnaire
from surveys.ratings.selectors import (
    SORTS,
    comparison_table,
    group_for_office,
    group_results,
    groups_with_progress,
    ranked,
    rater_questionnaires,
    round_comparison,
    round_min_raters,
    round_reliability,
    round_settings,
    self_beside,
)
from surveys.ratings.services import (
    CodeRefused,
    RatingError,
    code_group,
    codes_issue,
    rater_groups_add,
    rater_questionnaire_import,
    rating_settings_set,
    rating_submit,
)
from surveys.rounds.models import Round

# Office ----------------------------------------------------------------------------------


@office_required
def ratings_round(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    groups = groups_with_progress(round_)
    context = {
        "round": round_,
        "groups": groups,
        "members": [g for g in groups if g.audience == Audience.MEMBERS],
        "public": [g for g in groups if g.audience == Audience.PUBLIC],
        "add_form": GroupsAddForm(),
        "settings_form": SettingsForm(initial={"min_raters": round_min_raters(round_)}),
        "closed": round_.status == Round.Status.CLOSED,
        "reliability": round_reliability(round_),
    }
    return render(request, "surveys/ratings/round.html", context)


@office_required
@require_POST
def ratings_groups_add(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    form = GroupsAddForm(request.POST)
    if form.is_valid():
        try:
            added = rater_groups_add(
                actor=request.user, round_=round_, audience=form.cleaned_data["audience"]
            )
        except RatingError as error:
            messages.error(request, error.message)
        else:
            label = Audience(form.cleaned_data["audience"]).label
            if added:
                messages.success(request, f"已添加 {added} 个{label}组。")
            else:
                messages.info(request, f"参评支部都已有{label}组，未添加新的评议组。")
    else:
        messages.error(request, "请选择评议类型。")
    return redirect("ratings_round", round_id=round_.pk)


@office_required
@require_POST
def ratings_settings(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    form = SettingsForm(request.POST)
    if form.is_valid():
        rating_settings_set(
            actor=request.user, round_=round_, min_raters=form.cleaned_data["min_raters"]
        )
        messages.success(request, f"最少评议人数已设为 {form.cleaned_data['min_raters']} 人。")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("ratings_round", round_id=round_.pk)


@office_required
@require_POST
def ratings_codes_issue(request, group_id):
    group = get_object_or_404(RaterGroup.objects.select_related("round"), pk=group_id)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("ratings_round", round_id=group.round_id)
    try:
        issued = codes_issue(actor=request.user, group=group, count=form.cleaned_data["count"])
    except RatingError as error:
        messages.error(request, error.message)
        return redirect("ratings_round", round_id=group.round_id)
    return slips.hold(request, redirect("ratings_slips"), group=group, codes=issued)


def _qr_svg(url):
    return segno.make(url, error="m").svg_inline(
        scale=3, border=2, omitsize=True, svgclass="rater-qr"
    )


@never_cache
@office_required
def ratings_slips(request):
    group_id, issued = slips.take(request)
    group = group_for_office(group_id) if group_id else None
    slip_rows = []
    for code in issued:
        url = request.build_absolute_uri(reverse("rater_form", args=[code]))
        slip_rows.append({"code": code_text.display(code), "url": url, "qr": _qr_svg(url)})
    start_url = request.build_absolute_uri(reverse("rater_start"))
    context = {"group": group, "slips": slip_rows, "start_url": start_url}
    return render(request, "surveys/ratings/slips.html", context)


@office_required
def ratings_group(request, group_id):
    group = get_object_or_404(RaterGroup, pk=group_id)
    group = group_for_office(group.pk)
    results = group_results(group)
    return render(
        request,
        "surveys/ratings/group.html",
        {"group": group, "results": results, "beside": self_beside(group, results)},
    )


@office_required
def ratings_compare(request, round_id):
    """Self-assessment beside 党员评议 and 群众评议 per unit: gaps, 自评偏高, composite."""
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    settings = round_settings(round_)
    initial = {
        "weight_self": settings.weight_self,
        "weight_members": settings.weight_members,
        "weight_public": settings.weight_public,
        "gap_margin": settings.gap_margin,
    }
    form = CompareSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rating_settings_set(
                actor=request.user,
                round_=round_,
                min_raters=settings.min_raters,
                weights=form.weights(),
                gap_margin=form.cleaned_data["gap_margin"],
            )
        except RatingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "权重和自评偏高阈值已保存。")
            return redirect("ratings_compare", round_id=round_.pk)
    sort = request.GET.get("sort", "")
    rows = round_comparison(round_)
    chart = None
    if rows:
        rows = ranked(rows, sort)
        chart = self_vs_others_svg(
            [
                (
                    r.unit.name,
                    {"self": r.self.index, "members": r.members.index, "public": r.public.index},
                )
                for r in rows
            ]
        )
    context = {
        "round": round_,
        "settings": settings,
        "form": form,
        "rows": rows,
        "chart": chart,
        "sort": sort if sort in SORTS else "",
        "sorts": [(key, label) for key, (label, _key) in SORTS.items()],
    }
    return render(request, "surveys/ratings/compare.html", context)


@office_required
def ratings_compare_xlsx(request, round_id):
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    rows = round_comparison(round_)
    if rows is None:
        messages.info(request, "批次结束后才能下载自评与他评对比。")
        return redirect("ratings_compare", round_id=round_.pk)
    dimensions = list(
        round_.questionnaire.dimensions.order_by("order", "id").values_list("code", "name")
    )
    header, table = comparison_table(rows, dimensions)
    sheet = Sheet("自评与他评", header, table, widths=14)
    return xlsx_response(xlsx_bytes([sheet]), f"{round_.name}_自评与他评.xlsx")


@office_required
def ratings_questionnaires(request):
    """The rater questionnaires' versions, each downloadable as Excel, JSON or YAML, and a
    file in any of them loaded as a version."""
    form = ImportForm(request.POST or None, request.FILES or None)
    problems, failed = [], ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            questionnaire = rater_questionnaire_import(
                actor=request.user, data=upload.read(), filename=upload.name
            )
        except RatingError as error:
            problems, failed = error.message.splitlines(), upload.name
        else:
            messages.success(request, f"已载入{questionnaire}。")
            return redirect("ratings_questionnaires")
    context = {
        "questionnaires": rater_questionnaires(),
        "form": form,
        "problems": problems,
        "failed": failed,
    }
    return render(request, "surveys/ratings/questionnaires.html", context)


@office_required
def ratings_questionnaire_yaml(request, questionnaire_id):
    questionnaire = get_object_or_404(RaterQuestionnaire, pk=questionnaire_id)
    response = HttpResponse(
        dump_rater_questionnaire(questionnaire), content_type="application/yaml; charset=utf-8"
    )
    name = f"rater_{questionnaire.code}_v{questionnaire.version}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@office_required
def ratings_questionnaire_file(request, questionnaire_id, fmt):
    """A version as Excel or JSON, in the main questionnaire's layout."""
    questionnaire = get_object_or_404(RaterQuestionnaire, pk=questionnaire_id)
    name = f"评议问卷-{questionnaire.code}-第{questionnaire.version}版.{fmt}"
    fallback = f"rater_{questionnaire.code}_v{questionnaire.version}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(export_xlsx(questionnaire), name, fallback=fallback)
    content = export_json(questionnaire)
    return download_response(content, name, "application/json; charset=utf-8", fallback=fallback)


# Raters (no login) ------------------------------------------------------------------------


def _refused(request, form, message):
    """The code page again, with what was typed and the one message."""
    return render(request, "surveys/ratings/start.html", {"form": form, "refusal": message})


@never_cache
def rater_start(request):
    """Type a code (or arrive from the QR code's URL)."""
    if request.method != "POST":
        return render(request, "surveys/ratings/start.html", {"form": CodeForm()})
    form = CodeForm(request.POST)
    ip = client_ip(request)
    if throttle.is_blocked(ip):
        return _refused(request, form, throttle.BLOCKED)
    if not form.is_valid():
        return render(request, "surveys/ratings/start.html", {"form": form})
    try:
        code_group(form.cleaned_data["code"])
    except CodeRefused as error:
        throttle.record_refusal(ip)
        return _refused(request, form, error.message)
    return redirect("rater_form", code=code_text.normalise(form.cleaned_data["code"]))


@never_cache
def rater_form(request, code):
    ip = client_ip(request)
    start = CodeForm(initial={"code": code[:40]})
    if throttle.is_blocked(ip):
        return _refused(request, start, throttle.BLOCKED)
    try:
        group = code_group(code)
    except CodeRefused as error:
        throttle.record_refusal(ip)
        return _refused(request, start, error.message)
    items = list(group.questionnaire.items.all())
    form = RaterForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            rating_submit(typed_code=code, answers=form.answers(), comment=form.comment())
        except CodeRefused as error:  # used by a tap a moment earlier
            return _refused(request, start, error.message)
        except RatingError as error:
            form.add_error(None, error.message)
        else:
            return redirect("rater_done")
    context = {"form": form, "group": group, "code": code_text.display(code_text.normalise(code))}
    return render(request, "surveys/ratings/form.html", context)


def rater_done(request):
    return render(request, "surveys/ratings/done.html")
