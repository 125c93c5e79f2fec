"""The office's pages for running a round: create and edit, deadlines, completion,
催报, 退回 with history. The audit log is in surveys/audit_views.py."""

import io
from decimal import Decimal
from urllib.parse import quote

import pandas as pd
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from surveys import office, selectors, services
from surveys.models import Question, Reminder, RosterEntry, Round, Submission
from surveys.office_forms import ExtendForm, ReturnForm, RoundForm
from surveys.views import answer_text, office_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The not-submitted list opens with this many branches; the rest are one click away (and
# all of them in the Excel export), so a round's page stays short on a phone.
PENDING_SHOWN = 10


def xlsx_response(frame, filename, sheet):
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)
        writer.sheets[sheet].freeze_panes = "A2"
        for column in writer.sheets[sheet].columns:
            writer.sheets[sheet].column_dimensions[column[0].column_letter].width = 22
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@office_required
def round_new(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = office.round_create(
                user=request.user,
                name=form.cleaned_data["name"],
                questionnaire=form.cleaned_data["questionnaire"],
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                branches=form.roster(),
            )
        except office.OfficeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"已创建测评批次“{round_.name}”，参评支部 {round_.roster.count()} 个。"
            )
            return redirect("office_round", round_id=round_.pk)
    return render(request, "surveys/office/round_form.html", {"form": form, "round": None})


@office_required
def round_edit(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    if round_.status != Round.Status.SCHEDULED:
        messages.error(
            request,
            "测评已经开始，不能再修改批次设置；如需延期，请使用“延长截止时间”；"
            "新设立的党支部可在本页“加入参评名单”。",
        )
        return redirect("office_round", round_id=round_.pk)
    form = RoundForm(request.POST or None, initial=RoundForm.initial_for(round_))
    if request.method == "POST" and form.is_valid():
        roster = form.roster()
        if roster is None:
            roster = list(form.fields["branches"].queryset)
        try:
            office.round_update(
                user=request.user,
                round_=round_,
                name=form.cleaned_data["name"],
                questionnaire=form.cleaned_data["questionnaire"],
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                branches=roster,
            )
        except office.OfficeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "批次设置已保存。")
            return redirect("office_round", round_id=round_.pk)
    return render(request, "surveys/office/round_form.html", {"form": form, "round": round_})


@office_required
def office_round(request, round_id):
    if request.method == "POST":
        return _roster_add(request, round_id)
    round_ = get_object_or_404(selectors.rounds_with_progress(), pk=round_id)
    roster = list(selectors.round_roster(round_))
    secretaries = selectors.secretaries_by_branch([e.branch_id for e in roster])
    last_reminded = dict(
        Reminder.objects.filter(round=round_)
        .order_by("branch_id", "sent_at")
        .values_list("branch_id", "sent_at")
    )
    units = {}
    now = timezone.now()
    for entry in roster:
        entry.secretary = secretaries.get(entry.branch_id)
        entry.last_reminded = last_reminded.get(entry.branch_id)
        unit = units.setdefault(
            entry.branch.unit_id, {"unit": entry.branch.unit, "total": 0, "done": 0}
        )
        unit["total"] += 1
        unit["done"] += entry.submission_status == Submission.Status.SUBMITTED
    pending = [e for e in roster if e.submission_status != Submission.Status.SUBMITTED]
    status = round_.status_at(now)
    return render(
        request,
        "surveys/office_round.html",
        {
            "round": round_,
            "status": status,
            "roster": roster,
            "units": list(units.values()),
            "pending": pending,
            "pending_first": pending[:PENDING_SHOWN],
            "pending_more": pending[PENDING_SHOWN:],
            "extend_form": ExtendForm(),
            # Some branch can still save and submit: the round is open, or it has ended
            # and branches with their own later deadline are still filling in. 催报 then.
            "is_open": any(e.is_open(now) for e in roster),
            "own_deadlines": sum(e.has_own_deadline for e in roster),
            "missing": (
                list(selectors.branches_missing_from(round_))
                if status != Round.Status.CLOSED
                else []
            ),
            "reminders": Reminder.objects.filter(round=round_).select_related("branch", "sent_by")[
                :50
            ],
        },
    )


def _roster_add(request, round_id):
    """The round page's "加入参评名单" form: active branches not yet on the roster."""
    round_ = get_object_or_404(Round, pk=round_id)
    branch_ids = [int(pk) for pk in request.POST.getlist("branch") if pk.isdigit()]
    if not branch_ids:
        messages.error(request, "请先勾选要加入本批次的党支部。")
        return redirect("office_round", round_id=round_id)
    try:
        added = office.roster_add(user=request.user, round_=round_, branch_ids=branch_ids)
    except office.OfficeError as exc:
        messages.error(request, str(exc))
    else:
        if added:
            messages.success(
                request,
                f"已将 {len(added)} 个党支部加入本批次参评名单，其支部书记登录后即可填写。",
            )
        else:
            messages.info(request, "所选党支部已在本批次参评名单中，无需再次加入。")
    return redirect("office_round", round_id=round_id)


@office_required
@require_POST
def round_close(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    try:
        result = office.round_close_now(user=request.user, round_=round_)
    except office.OfficeError as exc:
        messages.error(request, str(exc))
    else:
        text = f"“{round_.name}”已提前结束，支部不能再保存或提交。"
        if result["cancelled"]:
            text += f"{len(result['cancelled'])} 个支部的单独延期已一并取消。"
        messages.success(request, text)
    return redirect("office_round", round_id=round_id)


@office_required
@require_POST
def round_extend(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    form = ExtendForm(request.POST)
    branch_id = request.POST.get("branch", "")
    if branch_id and not branch_id.isdigit():
        raise Http404("没有这个支部。")  # a hand-made post, not a 500
    if not form.is_valid():
        messages.error(request, "请填写有效的新截止时间和延期原因。")
        return redirect("office_round", round_id=round_id)
    try:
        if branch_id:
            entry = get_object_or_404(RosterEntry, round=round_, branch_id=branch_id)
            office.branch_extend(user=request.user, entry=entry, **form.cleaned_data)
            messages.success(request, f"已为{entry.branch.name}单独延期。")
        else:
            office.round_extend(user=request.user, round_=round_, **form.cleaned_data)
            messages.success(request, "已延长本批次的截止时间。")
    except office.OfficeError as exc:
        messages.error(request, str(exc))
    return redirect("office_round", round_id=round_id)


@office_required
def not_submitted_xlsx(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    entries = list(office.not_submitted(round_))
    secretaries = selectors.secretaries_by_branch([e.branch_id for e in entries])
    rows = []
    for entry in entries:
        secretary = secretaries.get(entry.branch_id)
        rows.append(
            {
                "单位": entry.branch.unit.name,
                "党支部": entry.branch.name,
                "支部书记": secretary.display_name if secretary else "",
                "联系电话": secretary.phone if secretary else "",
                "截止时间": timezone.localtime(entry.closes_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    frame = pd.DataFrame(rows, columns=["单位", "党支部", "支部书记", "联系电话", "截止时间"])
    return xlsx_response(frame, f"{round_.name}-未提交支部.xlsx", "未提交支部")


@office_required
@require_POST
def reminders_send(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    if request.POST.get("all"):
        branch_ids = None
    else:
        branch_ids = [int(pk) for pk in request.POST.getlist("branch") if pk.isdigit()]
        if not branch_ids:
            messages.error(request, "请先勾选要催报的支部，或使用“一键催报”。")
            return redirect("office_round", round_id=round_id)
    try:
        result = office.reminders_send(user=request.user, round_=round_, branch_ids=branch_ids)
    except office.OfficeError as exc:
        messages.error(request, str(exc))
        return redirect("office_round", round_id=round_id)
    sent, recent = result["sent"], result["recent"]
    if sent:
        messages.success(request, f"已向 {len(sent)} 个支部发出催报提醒。")
    if recent:
        names = "、".join(b.name for b in recent[:5]) + ("等" if len(recent) > 5 else "")
        messages.info(request, f"{names}在 24 小时内已催报过，本次未重复发送。")
    closed = result["closed"]
    if closed:
        names = "、".join(b.name for b in closed[:5]) + ("等" if len(closed) > 5 else "")
        messages.info(request, f"{names}的填报时间已过，未催报。")
    if not sent and not recent and not closed:
        messages.info(request, "没有需要催报的支部。")
    return redirect("office_round", round_id=round_id)


@office_required
def submission_return(request, pk):
    submission = get_object_or_404(
        Submission.objects.select_related("round", "branch", "branch__unit"), pk=pk
    )
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            office.submission_return(user=request.user, submission=submission, **form.cleaned_data)
        except office.OfficeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已将{submission.branch.name}的答卷退回修改。")
            return redirect("office_round", round_id=submission.round_id)
    return render(
        request, "surveys/office/return_form.html", {"form": form, "submission": submission}
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
    """A snapshot's stored value (services.answers_as_json) as the submission page shows
    an answer (views.answer_text); None if unanswered."""
    if value is None or value == "":
        return None
    if value == "NA" and (question.kind != Question.Kind.TEXT or question.allow_na):
        value = services.NOT_APPLICABLE
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
    dimensions, _questions = selectors.questionnaire_sections(submission.round.questionnaire)
    rows = _compare(dimensions, older, newer) if newer else []
    return render(
        request,
        "surveys/office/history.html",
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
