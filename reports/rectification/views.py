"""Rectification pages: the office's tasks of a round (set, follow, export), a secretary's
own tasks with their progress reports, and the permission-checked evidence downloads (no
evidence file has a public URL)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reports.rectification import selectors, services
from reports.rectification.forms import RESELECT, ProgressForm, TaskForm
from reports.rectification.models import RectificationTask, TaskEvidence
from surveys.core import downloads
from surveys.core.permissions import office_required, secretary_required
from surveys.evidence import files
from surveys.rounds.models import Round

FILTERS = {"overdue": "已逾期", "open": "未完成", "done": "已完成"}


def _filtered(tasks, chosen, today):
    if chosen == "overdue":
        return [t for t in tasks if t.is_overdue(today)]
    if chosen == "open":
        return [t for t in tasks if t.status != RectificationTask.Status.DONE]
    if chosen == "done":
        return [t for t in tasks if t.status == RectificationTask.Status.DONE]
    return tasks


@office_required
def round_tasks(request, round_id):
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    initial = {
        "unit": request.GET.get("unit"),
        "dimension_code": request.GET.get("dimension", ""),
        "question_codes": [c for c in request.GET.get("questions", "").split(",") if c],
    }
    form = TaskForm(round_=round_, initial=initial)
    if request.method == "POST":
        form = TaskForm(request.POST, round_=round_)
        if form.is_valid():
            data = form.cleaned_data
            task = services.create_task(
                actor=request.user,
                round_=round_,
                unit=data["unit"],
                branch=data["branch"],
                title=data["title"],
                detail=data["detail"],
                due_date=data["due_date"],
                dimension_code=data["dimension_code"],
                question_codes=data["question_codes"],
            )
            messages.success(
                request, f"已向“{task.branch or task.unit}”下达整改任务“{task.title}”。"
            )
            return redirect("rectification_round", round_.pk)
    today = timezone.localdate()
    tasks = selectors.round_tasks(round_)
    for task in tasks:
        task.improvement = selectors.improvement(task)
    chosen = request.GET.get("show", "")
    return render(
        request,
        "reports/rectification/round.html",
        {
            "round": round_,
            "form": form,
            "tasks": _filtered(tasks, chosen, today),
            "total": len(tasks),
            "overdue": sum(t.is_overdue(today) for t in tasks),
            "done": sum(t.status == RectificationTask.Status.DONE for t in tasks),
            "filters": FILTERS,
            "chosen": chosen if chosen in FILTERS else "",
            "today": today,
        },
    )


@office_required
@require_POST
def task_delete(request, task_id):
    task = get_object_or_404(RectificationTask, pk=task_id)
    round_id = task.round_id
    services.delete_task(actor=request.user, task=task)
    messages.success(request, f"已撤销整改任务“{task.title}”。")
    return redirect("rectification_round", round_id)


@office_required
def round_tasks_xlsx(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    today = timezone.localdate()
    rows = []
    for t in selectors.round_tasks(round_):
        updates = list(t.updates.all())
        last = updates[-1] if updates else None
        rows.append(
            [
                t.unit.name,
                t.branch.name if t.branch else "（全单位）",
                t.title,
                t.detail,
                t.dimension_code,
                "、".join(t.question_codes),
                t.due_date,
                t.get_status_display(),
                "是" if t.is_overdue(today) else "",
                timezone.localtime(t.completed_at).replace(tzinfo=None) if t.completed_at else None,
                last.note if last else "",
            ]
        )
    header = [
        "单位",
        "党支部",
        "整改事项",
        "具体要求",
        "关联维度",
        "关联题目",
        "完成时限",
        "状态",
        "逾期",
        "完成时间",
        "最近进展",
    ]
    content = downloads.xlsx_bytes([downloads.Sheet("整改任务", header, rows, filters=True)])
    return downloads.xlsx_response(
        content, f"{round_.name}-整改任务.xlsx", fallback="rectification-tasks.xlsx"
    )


@secretary_required
def my_tasks(request):
    today = timezone.localdate()
    return render(
        request,
        "reports/rectification/mine.html",
        {"tasks": selectors.secretary_tasks(request.user), "today": today},
    )


@secretary_required
def task_report(request, task_id):
    task = get_object_or_404(
        RectificationTask.objects.select_related("unit", "branch", "round"), pk=task_id
    )
    if not services.can_report(request.user, task):
        raise Http404("没有这项整改任务。")
    form = ProgressForm()
    if request.method == "POST":
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.report_progress(
                    actor=request.user,
                    task_id=task.pk,
                    note=data["note"],
                    status=data["status"],
                    evidence=data["evidence"],
                )
            except services.TaskFilesError as exc:
                form.add_error("evidence", [*exc.messages, RESELECT])
            else:
                done = data["status"] == RectificationTask.Status.DONE
                sent = f"，附佐证材料 {len(data['evidence'])} 个" if data["evidence"] else ""
                messages.success(
                    request, ("已报告整改完成" if done else "已报告整改进展") + sent + "。"
                )
                return redirect("rectification_mine")
    return render(
        request,
        "reports/rectification/report.html",
        {
            "task": task,
            "form": form,
            "updates": selectors.task_updates(task),
            "today": timezone.localdate(),
        },
    )


@require_GET
@login_required
def task_file(request, pk):
    evidence = _visible_evidence(request.user, pk)
    name = evidence.original_name
    if evidence.is_image and not name.lower().endswith((".jpg", ".jpeg")):
        name = name.rsplit(".", 1)[0] + ".jpg"  # stored re-encoded as JPEG
    return downloads.stored_file_response(
        evidence.file,
        name=name,
        content_type=files.CONTENT_TYPES[evidence.kind],
        # Photos and PDFs open in the browser; Word and Excel files download.
        attachment=evidence.kind not in ("image", "pdf"),
    )


@require_GET
@login_required
def task_thumbnail(request, pk):
    evidence = _visible_evidence(request.user, pk)
    if not evidence.thumbnail:
        raise Http404
    return downloads.stored_file_response(
        evidence.thumbnail, name="thumbnail.jpg", content_type="image/jpeg", attachment=False
    )


def _visible_evidence(user, pk):
    """The office sees every task's files; a secretary those of the tasks they report on.
    For anyone else the file does not exist."""
    evidence = get_object_or_404(TaskEvidence.objects.select_related("update__task"), pk=pk)
    if not (user.is_office or services.can_report(user, evidence.update.task)):
        raise Http404("没有这个文件。")
    return evidence


