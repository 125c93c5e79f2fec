"""A secretary's pages (the home page of tasks, the questionnaire with drafts and submit, a
submission's page) and the office's 退回 with the history of submitted versions."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from reports.scoring import NOT_APPLICABLE
from surveys.core.numbers import plain_number
from surveys.core.permissions import office_required, secretary_required
from surveys.questionnaires import selectors as questionnaires_selectors
from surveys.questionnaires.models import Question
from surveys.rounds import selectors as rounds_selectors
from surveys.rounds import services as rounds_services
from surveys.submissions import page, selectors, services, values
from surveys.submissions.forms import (
    REQUIRED_MESSAGE,
    QuestionnaireForm,
    ReturnForm,
    field_name,
    initial_from_answers,
    na_field_name,
)
from surveys.submissions.models import Submission
from surveys.submissions.values import answer_value

SUBMITTED = Submission.Status.SUBMITTED


@login_required
def home(request):
    user = request.user
    if user.is_secretary:
        current, past = selectors.tasks_for_branch(user.branch)
        # Reminders only for rounds she may still fill in and has not submitted: the
        # task list knows which (no query when there are none).
        reminders = rounds_selectors.reminders_for_rounds(
            user.branch,
            [e.round_id for e in current if e.time_left and e.submission_status != SUBMITTED],
        )
        return render(
            request,
            "surveys/submissions/home.html",
            {"current": current, "past": past, "reminders": reminders},
        )
    if user.is_office:
        return redirect("dashboard")
    raise PermissionDenied("您的账号尚未分配角色，请联系管理员。")


@secretary_required
@require_http_methods(["GET", "POST"])
def questionnaire(request, round_id):
    entry = selectors.roster_entry_for_secretary(request.user, round_id)
    # The page frame names the user's branch: it is the entry's, already read.
    request.user.branch = entry.branch
    submission = None
    if request.method == "GET":
        submission = selectors.submission_for_entry(entry)
        if submission and not submission.is_editable_status:
            return redirect("submission_detail", pk=submission.pk)

    dimensions, questions = questionnaires_selectors.frozen_sections(entry.round.questionnaire)
    conflict = None
    if request.method == "POST" and request.POST.get("autosave") == "1":
        return _autosave(request, entry, questions)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        form = QuestionnaireForm(
            request.POST, questions=questions, require_complete=(action == "submit")
        )
        if form.is_valid():
            result = _save_or_submit(request, entry, form, action)
        elif action == "submit":
            result = _keep_incomplete_submit(request, entry, form, questions)
        else:
            result = _save_valid_part(request, entry, form, questions)
        if isinstance(result, Submission):
            submission = result  # saved but for the items marked on the page
        elif isinstance(result, Conflict):
            conflict = _beside_saved(form, entry, questions, result)
            submission = conflict["submission"]
        elif result is not None:
            return result
        else:
            # Re-shown as typed, nothing kept: the page still says what is stored.
            submission = selectors.submission_for_entry(entry)
    else:
        answers = selectors.answers_by_question(submission)
        initial = initial_from_answers(questions, answers)
        initial["version"] = submission.version if submission else 0
        if request.GET.get("check"):
            # After an incomplete submit was kept as the draft: show the saved answers
            # checked for completeness, so the missing ones are marked and listed.
            form = QuestionnaireForm(initial, questions=questions, require_complete=True)
            form.is_valid()
        else:
            form = QuestionnaireForm(initial=initial, questions=questions)

    is_open = entry.is_open()
    can_save = is_open and not (conflict and conflict["submitted"])
    now = timezone.now()
    login_ends = selectors.login_expires_at(request.session)
    sections = page.sections_for(form, dimensions)
    return render(
        request,
        "surveys/submissions/questionnaire.html",
        {
            "entry": entry,
            "round": entry.round,
            "submission": submission,
            "sections": sections,
            "sections_html": page.sections_html(
                form, dimensions, round_=entry.round, can_save=can_save
            ),
            "required_total": sum(1 for q in questions if q.required),
            # The jump menu's 文字题 leads to the first dimension with text items.
            "first_texts": next((s["dimension"].code for s in sections if s["texts"]), None),
            "form": form,
            "problems": _problems(form, dimensions),
            # A re-shown POST means the server kept none of it: warn before leaving.
            "unsaved": request.method == "POST",
            "is_open": is_open,
            "can_save": can_save,
            # questionnaire.js keeps a copy of the typing in this browser under this key
            # and puts it back after a lost login (see the JS for the rules).
            "copy_key": f"ronghe.typed.v1.{request.user.pk}.{entry.round_id}.{entry.branch_id}",
            "restore": can_save and request.method == "GET",
            "login_ends_in": max(0, int((login_ends - now).total_seconds())),
            "conflict": conflict,
            "now": now,
        },
    )


@dataclass
class Conflict:
    """A save the lock refused: the submission was submitted meanwhile (`submitted`), or
    saved at a newer version elsewhere. What was typed is shown beside what is stored."""

    typed: dict
    submitted: bool


@dataclass
class Written:
    """What one call of the draft or submit service made of the page's answers: `result`
    when it wrote them (or found them already submitted, `result.replayed`), `conflict`
    when the lock refused them or the submission was submitted meanwhile with other
    answers, `error` the service's message when it refused (stale included)."""

    result: services.SubmitResult | None = None
    conflict: Conflict | None = None
    error: str = ""


def _write(request, entry, *, values, version, submit=False):
    """The one call of the submit or draft service for every way the page writes (save,
    submit, an incomplete submit kept as the draft, autosave); each answers the outcome
    in its own way."""
    service = services.submission_submit if submit else services.submission_save_draft
    try:
        result = service(entry=entry, user=request.user, values=values, version=version)
    except services.StaleSubmission as exc:
        return Written(conflict=Conflict(typed=values, submitted=False), error=str(exc))
    except services.SubmissionError as exc:
        return Written(error=str(exc))
    if result.already_submitted:
        return Written(conflict=Conflict(typed=values, submitted=True))
    return Written(result=result)


def _beside_saved(form, entry, questions, conflict):
    """The stored answers and the typed ones side by side, differences only; the form takes
    the current version, so a second save from a draft knowingly replaces the newer one."""
    submission = selectors.submission_for_entry(entry, with_submitter=True)
    form.data = form.data.copy()
    form.data["version"] = submission.version if submission else 0
    answers = selectors.answers_by_question(submission)
    rows = []
    for question in questions:
        answer = answers.get(question.id)
        stored = answer_text(question, values.answer_value(answer)) if answer else ""
        typed = answer_text(question, conflict.typed.get(question.code))
        if stored != typed:
            rows.append({"question": question, "stored": stored, "typed": typed})
    return {
        "submission": submission,
        "submitted": conflict.submitted,
        "rows": rows,
        "same_count": len(questions) - len(rows),
    }


def _values_keeping_stored(form, entry, questions):
    """The form's values, with each item the form refused left as it is stored: one bad
    number blocks only its own item."""
    refused = {
        q.code for q in questions if field_name(q) in form.errors or na_field_name(q) in form.errors
    }
    values = {q.code: form.value_for(q, form.cleaned_data) for q in questions}
    if refused:
        answers = selectors.answers_by_question(selectors.submission_for_entry(entry))
        for question in questions:
            if question.code in refused:
                answer = answers.get(question.id)
                values[question.code] = answer_value(answer) if answer else None
    return values, refused


def _save_valid_part(request, entry, form, questions):
    """保存草稿 with some items refused: save all the others (same service, lock and audit
    record), then show the page again with the refused items and what was typed in them.

    Returns the saved Submission, a Conflict, a redirect (a replay), or None when nothing
    could be saved."""
    if "version" in form.errors:
        messages.error(request, "页面数据不完整，草稿尚未保存。请刷新页面后重试。")
        return None
    values, refused = _values_keeping_stored(form, entry, questions)
    written = _write(request, entry, values=values, version=form.cleaned_data["version"])
    if written.error:
        messages.error(request, written.error)
    if written.result is None:
        return written.conflict
    if written.result.replayed:
        return _already_holds(request, written.result)
    submission = written.result.submission
    saved_at = timezone.localtime(submission.updated_at)
    messages.warning(
        request,
        f"草稿已保存（{saved_at:%H:%M:%S}），但有 {len(refused)} 道题的填写不符合要求，"
        "这些题尚未保存。请按下方提示修改后再保存。",
    )
    form.data = form.data.copy()
    form.data["version"] = submission.version
    return submission


def _autosave(request, entry, questions):
    """The page's autosave (questionnaire.js): 保存草稿 without leaving the page, answered in
    JSON. Never a submit. Items the form refuses stay as stored and are named in `errors`."""
    form = QuestionnaireForm(request.POST, questions=questions)
    form.is_valid()
    if "version" in form.errors:
        return JsonResponse(
            {"saved": False, "reason": "invalid", "message": "页面数据不完整，请刷新页面。"},
            status=400,
        )
    values, refused = _values_keeping_stored(form, entry, questions)
    written = _write(request, entry, values=values, version=form.cleaned_data["version"])
    if written.conflict and not written.conflict.submitted:
        return JsonResponse(
            {
                "saved": False,
                "reason": "stale",
                "message": "这份答卷已在其他窗口或设备上保存过，自动保存已停止。"
                "请点“保存草稿”，页面会列出两边不同的答案供您核对。",
            },
            status=409,
        )
    if written.error:
        return JsonResponse(
            {"saved": False, "reason": "refused", "message": written.error}, status=409
        )
    if written.conflict or written.result.replayed:
        return JsonResponse(
            {
                "saved": False,
                "reason": "submitted",
                "message": "这份答卷已经提交，自动保存已停止。",
            },
            status=409,
        )
    submission = written.result.submission
    saved_at = timezone.localtime(submission.updated_at)
    errors = {}
    for question in questions:
        if question.code in refused:
            error = form.errors.get(field_name(question)) or form.errors.get(
                na_field_name(question)
            )
            errors[question.code] = error[0]
    return JsonResponse(
        {
            "saved": True,
            "version": submission.version,
            "saved_at": f"{saved_at:%H:%M}",
            "errors": errors,
        }
    )


def _keep_incomplete_submit(request, entry, form, questions):
    """A submit with required answers missing: keep what was typed as the draft (same
    service, version check and audit record as 保存草稿), then show what is missing.

    Returns a redirect, a Conflict (a newer version elsewhere, or submitted meanwhile), or
    None to re-show the typed input when it cannot be kept: a value a draft refuses too, or
    the deadline."""
    draft = QuestionnaireForm(request.POST, questions=questions)
    if draft.is_valid():
        written = _write(
            request, entry, values=draft.values(), version=draft.cleaned_data["version"]
        )
        if written.error:
            messages.error(request, written.error)
        if written.conflict:
            return written.conflict
        if written.result and written.result.replayed:
            return _already_holds(request, written.result)
        if written.result:
            saved_at = timezone.localtime(written.result.submission.updated_at)
            messages.warning(
                request,
                f"答卷尚未提交：还有 {_problem_count(form)} 道题需要补充或更正。"
                f"您已填写的内容已保存为草稿（{saved_at:%H:%M:%S}）。",
            )
            url = reverse("questionnaire", args=[entry.round_id])
            return redirect(f"{url}?check=1")
    messages.error(request, _invalid_message(form, "submit"))
    return None


def _save_or_submit(request, entry, form, action):
    """Call one service; on a refusal fall through to re-render with what was typed (a
    Conflict when the lock refused it)."""
    submit = action == "submit"
    written = _write(
        request,
        entry,
        values=form.values(),
        version=form.cleaned_data["version"],
        submit=submit,
    )
    if written.error:
        messages.error(request, written.error)
    if written.result is None:
        return written.conflict
    result = written.result
    if submit:
        # A replay, or the twin of a double submit (result.replayed), answers as the
        # first one did: the answers are submitted, nothing was lost.
        messages.success(request, "答卷已提交。感谢您的认真填写！")
        return redirect("submission_detail", pk=result.submission.pk)
    if result.replayed:
        return _already_holds(request, result)
    saved_at = timezone.localtime(result.submission.updated_at)
    messages.success(request, f"草稿已保存（{saved_at:%H:%M:%S}）。您可以稍后回来继续填写。")
    return redirect("questionnaire", round_id=entry.round_id)


def _already_holds(request, result):
    """A draft save after the submission was submitted with exactly these answers."""
    messages.info(request, "这份答卷已经提交，您填写的内容与已提交的答案相同，无需再保存。")
    return redirect("submission_detail", pk=result.submission.pk)


def _problem_count(form):
    return len([k for k in form.errors if k != "__all__"])


def _problems(form, dimensions):
    """The questions with an error, in page order, for the error summary's links."""
    if not form.is_bound:
        return []
    problems = []
    for dimension in dimensions:
        for question in dimension.questions.all():
            errors = form.errors.get(field_name(question)) or form.errors.get(
                na_field_name(question)
            )
            if errors:
                problems.append(
                    {
                        "question": question,
                        "dimension": dimension,
                        "anchor": f"q-{question.code}",
                        "label": _short_label(question.text),
                        # "Required" is said once in the heading; other errors per line.
                        "error": "" if errors[0] == REQUIRED_MESSAGE else errors[0],
                    }
                )
    return problems


# Closing punctuation that would double up before the summary's "：" or a truncation's "…".
TRAILING_PUNCTUATION = "。．.，,；;：:、！!？?…"


def _short_label(text, limit=40):
    """A question's text as a summary line names it: at most `limit` characters, without
    its closing punctuation (so never "次数。：" or "。…")."""
    text = " ".join(text.split())
    if len(text) > limit:
        return text[: limit - 1].rstrip(TRAILING_PUNCTUATION) + "…"
    return text.rstrip(TRAILING_PUNCTUATION)


def _invalid_message(form, action):
    count = _problem_count(form)
    if action == "submit":
        return (
            f"还有 {count} 道题需要补充或更正，答卷尚未提交，本次填写的内容也尚未保存。"
            "请按下方列出的题目修改后再保存或提交。"
        )
    return f"有 {count} 道题的填写不符合要求，草稿尚未保存。请按下方列出的题目修改。"


@login_required
def submission_detail(request, pk):
    submission = get_object_or_404(selectors.visible_submissions(request.user), pk=pk)
    if request.user.is_secretary:
        request.user.branch = submission.branch  # her own, already read for the page
    dimensions, _questions = questionnaires_selectors.frozen_sections(
        submission.round.questionnaire
    )
    answers = selectors.answers_by_question(submission)
    sections = []
    for dimension in dimensions:
        rows = []
        for question in dimension.questions.all():
            answer = answers.get(question.id)
            rows.append({"question": question, "display": _display(question, answer)})
        sections.append({"dimension": dimension, "rows": rows})
    entry = submission.round.roster.filter(branch_id=submission.branch_id).first()
    return render(
        request,
        "surveys/submissions/detail.html",
        {
            "submission": submission,
            "sections": sections,
            "can_edit": request.user.is_secretary
            and submission.is_editable_status
            and entry is not None
            and entry.is_open(),
        },
    )


def _display(question, answer):
    if answer is None:
        return ""
    return answer_text(question, values.answer_value(answer))


def answer_text(question, value):
    """An answer as the pages show it: "4 · 比较符合", 是/否, 不适用, a number with its unit,
    a choice's label. `value` as values.answer_value gives it ("" when unanswered)."""
    if value is NOT_APPLICABLE:
        return "不适用"
    if value is None or value == "":
        return ""
    if question.kind == Question.Kind.LIKERT:
        label = Question.LIKERT_LABELS.get(value)
        return f"{value} · {label}" if label else str(value)
    if question.kind == Question.Kind.YES_NO:
        return "是" if value else "否"
    if question.kind == Question.Kind.CHOICE:
        return {c["value"]: c["label"] for c in question.choices}.get(value, value)
    if question.kind == Question.Kind.NUMBER:
        return f"{plain_number(value)} {question.unit_label}".strip()
    return value


@office_required
def submission_return(request, pk):
    submission = get_object_or_404(
        Submission.objects.select_related("round", "branch", "branch__unit"), pk=pk
    )
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_return(
                user=request.user, submission=submission, **form.cleaned_data
            )
        except rounds_services.OfficeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已将{submission.branch.name}的答卷退回修改。")
            return redirect("office_round", round_id=submission.round_id)
    return render(
        request, "surveys/submissions/return_form.html", {"form": form, "submission": submission}
    )


def _compare(dimensions, older, newer):
    rows = []
    for dimension in dimensions:
        for question in dimension.questions.all():
            before = older.answers.get(question.code) if older else None
            after = newer.answers.get(question.code) if newer else None
            rows.append(
                {
                    "dimension": dimension,
                    "question": question,
                    "before": stored_answer_text(question, before),
                    "after": stored_answer_text(question, after),
                    "changed": before != after,
                }
            )
    return rows


def stored_answer_text(question, value):
    """A snapshot's stored value (values.answers_as_json) as the submission page shows
    an answer (views.answer_text); None if unanswered."""
    if value is None or value == "":
        return None
    if value == "NA" and (question.kind != Question.Kind.TEXT or question.allow_na):
        value = NOT_APPLICABLE
    elif question.kind == Question.Kind.NUMBER:
        value = Decimal(str(value))  # stored as JSON; plain_number wants a Decimal
    return answer_text(question, value)


def submission_history(request, pk):
    """Every submitted version, and two of them side by side with the changes marked."""
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    submission = get_object_or_404(selectors.visible_submissions(request.user), pk=pk)
    snapshots = list(submission.snapshots.select_related("submitted_by"))
    by_number = {s.number: s for s in snapshots}
    newer = by_number.get(_int(request.GET.get("b"))) or (snapshots[-1] if snapshots else None)
    older = by_number.get(_int(request.GET.get("a"))) or (
        snapshots[-2] if len(snapshots) > 1 else None
    )
    if older is not None and older.number == newer.number:
        older = None  # one version beside itself compares nothing
    dimensions, _questions = questionnaires_selectors.frozen_sections(
        submission.round.questionnaire
    )
    rows = _compare(dimensions, older, newer) if newer else []
    return render(
        request,
        "surveys/submissions/history.html",
        {
            "submission": submission,
            "snapshots": snapshots,
            "older": older,
            "newer": newer,
            "rows": rows,
            "changed_count": sum(r["changed"] for r in rows),
        },
    )


def _int(value):
    return int(value) if value and value.isdigit() else None
