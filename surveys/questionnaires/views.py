"""The office's questionnaire-version pages: list, detail, clone, edit while unfrozen,
export and import, and dimension weights by AHP."""

from django.contrib import messages
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reports.ahp import CR_LIMIT, AhpError
from surveys.core.downloads import download_response, xlsx_response
from surveys.core.permissions import office_required
from surveys.questionnaires import files, services
from surveys.questionnaires.forms import (
    AhpForm,
    DimensionFormSet,
    GradeBandFormSet,
    ImportForm,
    QuestionForm,
    QuestionnaireInfoForm,
    dimension_initial,
    grade_band_initial,
    judgement_field_name,
)
from surveys.questionnaires.models import Question, Questionnaire
from surveys.questionnaires.services import VersionError


def _frozen(request, questionnaire):
    messages.error(request, services.FROZEN_MESSAGE)
    return redirect("questionnaire_detail", pk=questionnaire.pk)


@office_required
def questionnaire_list(request):
    return render(
        request,
        "surveys/questionnaires/list.html",
        {"questionnaires": services.questionnaires_for_list(), "import_form": ImportForm()},
    )


@office_required
def questionnaire_detail(request, pk):
    questionnaire = get_object_or_404(services.questionnaire_for_page(), pk=pk)
    rounds = list(questionnaire.rounds.all())
    return render(
        request,
        "surveys/questionnaires/detail.html",
        {"q": questionnaire, "rounds": rounds, "frozen": bool(rounds)},
    )


@office_required
@require_POST
def questionnaire_clone(request, pk):
    source = get_object_or_404(Questionnaire, pk=pk)
    try:
        clone = services.questionnaire_clone(user=request.user, questionnaire=source)
    except VersionError as exc:
        messages.error(request, str(exc))
        return redirect("questionnaire_detail", pk=source.pk)
    messages.success(
        request, f"已将第{source.version}版复制为第{clone.version}版，可以在新版本上修改。"
    )
    return redirect("questionnaire_detail", pk=clone.pk)


@office_required
@require_POST
def questionnaire_delete(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    try:
        label = services.questionnaire_delete(user=request.user, questionnaire=questionnaire)
    except VersionError as exc:
        messages.error(request, str(exc))
        return redirect("questionnaire_detail", pk=questionnaire.pk)
    messages.success(request, f"已删除“{label}”。")
    return redirect("questionnaires")


@office_required
def questionnaire_edit(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    if questionnaire.is_frozen:
        return _frozen(request, questionnaire)
    data = request.POST if request.method == "POST" else None
    info = QuestionnaireInfoForm(
        data, initial=QuestionnaireInfoForm.initial_for(questionnaire), prefix="info"
    )
    dimensions = DimensionFormSet(data, initial=dimension_initial(questionnaire), prefix="dim")
    bands = GradeBandFormSet(data, initial=grade_band_initial(questionnaire), prefix="band")
    if data is not None and info.is_valid() and dimensions.is_valid() and bands.is_valid():
        try:
            services.questionnaire_update(
                user=request.user,
                questionnaire=questionnaire,
                **info.cleaned_data,
                dimensions=[form.cleaned_data for form in dimensions],
                grade_bands=bands.bands(),
            )
        except VersionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "问卷信息、维度和等次划分已保存。")
            return redirect("questionnaire_detail", pk=questionnaire.pk)
    return render(
        request,
        "surveys/questionnaires/edit.html",
        {"q": questionnaire, "info": info, "dimensions": dimensions, "bands": bands},
    )


@office_required
def question_edit(request, pk, question_id=None):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    question = None
    if question_id is not None:
        question = get_object_or_404(Question, pk=question_id, questionnaire=questionnaire)
    if questionnaire.is_frozen:
        return _frozen(request, questionnaire)
    initial = None
    if question is None:
        chosen = request.GET.get("dimension", "")
        dimension = (
            questionnaire.dimensions.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        ) or questionnaire.dimensions.order_by("order", "id").first()
        last = dimension.questions.aggregate(m=Max("order"))["m"] if dimension else None
        initial = {"dimension": dimension, "order": (last or 0) + 1}
    form = QuestionForm(
        request.POST or None, questionnaire=questionnaire, question=question, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_save(
                user=request.user,
                questionnaire=questionnaire,
                question=question,
                data=form.cleaned_data,
            )
        except VersionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"题目 {question.code} 已保存。")
            url = reverse("questionnaire_detail", args=[questionnaire.pk])
            return redirect(f"{url}#q-{question.pk}")
    return render(
        request,
        "surveys/questionnaires/question_form.html",
        {"q": questionnaire, "question": question, "form": form},
    )


@office_required
@require_POST
def question_delete(request, pk, question_id):
    question = get_object_or_404(Question, pk=question_id, questionnaire_id=pk)
    try:
        services.question_delete(user=request.user, question=question)
    except VersionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"题目 {question.code} 已删除。")
    return redirect("questionnaire_detail", pk=pk)


@office_required
def questionnaire_export_xlsx(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    filename = f"问卷-{questionnaire.code}-第{questionnaire.version}版.xlsx"
    return xlsx_response(files.export_xlsx(questionnaire), filename)


@office_required
def questionnaire_export_json(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    filename = f"问卷-{questionnaire.code}-第{questionnaire.version}版.json"
    return download_response(
        files.export_json(questionnaire), filename, "application/json; charset=utf-8"
    )


@office_required
@require_POST
def questionnaire_import(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请先选择要导入的 .xlsx 或 .json 文件。")
        return redirect("questionnaires")
    upload = form.cleaned_data["file"]
    try:
        questionnaire = files.questionnaire_import(
            user=request.user, filename=upload.name, content=upload.read()
        )
    except VersionError as exc:
        messages.error(request, f"导入失败，未做任何修改。请修改以下问题后重新导入：\n{exc}")
        return redirect("questionnaires")
    messages.success(
        request,
        f"已导入为“{questionnaire.code}”第{questionnaire.version}版，"
        f"共 {questionnaire.questions.count()} 道题。",
    )
    return redirect("questionnaire_detail", pk=questionnaire.pk)


@office_required
def questionnaire_ahp(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    if questionnaire.is_frozen:
        return _frozen(request, questionnaire)
    dimensions = list(questionnaire.dimensions.order_by("order", "id"))
    labels = [d.name for d in dimensions]
    stored = services.ahp_matrix_entries(questionnaire)
    form = AhpForm(
        request.POST or None,
        dimensions=dimensions,
        initial={judgement_field_name(i, j): value for (i, j), value in stored.items()},
    )
    result = error = None
    if request.method == "POST" and form.is_valid():
        try:
            _matrix, result = services.ahp_compute(questionnaire, form.judgements())
            if request.POST.get("action") == "apply":
                services.dimension_weights_apply(
                    user=request.user, questionnaire=questionnaire, judgements=form.judgements()
                )
                messages.success(request, f"已按层次分析法设置维度权重（CR = {result.cr:.3f}）。")
                return redirect("questionnaire_ahp", pk=questionnaire.pk)
        except AhpError as exc:
            error = str(exc)
        except VersionError as exc:  # frozen since the page was opened
            messages.error(request, str(exc))
            return redirect("questionnaire_detail", pk=questionnaire.pk)
    rows = [
        {"dimension": d, "new_weight": result.weights[k] if result else None}
        for k, d in enumerate(dimensions)
    ]
    return render(
        request,
        "surveys/questionnaires/ahp.html",
        {
            "q": questionnaire,
            "form": form,
            "matrix": form.matrix_rows(),
            "rows": rows,
            "result": result,
            "error": error,
            "notes": services.inconsistency_notes(result, labels) if result else [],
            "cr_limit": CR_LIMIT,
        },
    )
