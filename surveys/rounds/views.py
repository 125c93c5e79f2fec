"""The office's pages for running a round: the list, create and edit, deadlines, completion
and what 催报 asks before sending (the sending itself is a background job, reports/jobs)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from surveys.core import downloads
from surveys.core.permissions import office_required
from surveys.core.text import local_minute
from surveys.rounds import selectors, services
from surveys.rounds.forms import ExtendForm, RoundForm
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Submission


@office_required
def office_home(request):
    rounds = list(selectors.rounds_with_progress())
    return render(request, "surveys/rounds/list.html", {"rounds": rounds})


# The not-submitted list opens with this many branches; the rest are one click away (and
# all of them in the Excel export), so a round's page stays short on a phone.
PENDING_SHOWN = 10


@office_required
def round_new(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(
                user=request.user,
                name=form.cleaned_data["name"],
                questionnaire=form.cleaned_data["questionnaire"],
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                branches=form.roster(),
            )
        except services.OfficeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"已创建测评批次“{round_.name}”，参评支部 {round_.roster.count()} 个。"
            )
            return redirect("office_round", round_id=round_.pk)
    return render(request, "surveys/rounds/form.html", {"form": form, "round": None})


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
    form = RoundForm(request.POST or None, initial=RoundForm.initial_for(round_), round_=round_)
    if request.method == "POST" and form.is_valid():
        roster = form.roster()
        if roster is None:
            roster = list(form.fields["branches"].queryset)
        try:
            services.round_update(
                user=request.user,
                round_=round_,
                name=form.cleaned_data["name"],
                questionnaire=form.cleaned_data["questionnaire"],
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                branches=roster,
            )
        except services.OfficeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "批次设置已保存。")
            return redirect("office_round", round_id=round_.pk)
    return render(request, "surveys/rounds/form.html", {"form": form, "round": round_})


@office_required
def office_round(request, round_id):
    if request.method == "POST":
        return _roster_add(request, round_id)
    now = timezone.now()
    page = selectors.round_page(round_id, now=now)
    if page is None:
        raise Http404("没有这个测评批次。")
    return render(
        request,
        "surveys/rounds/detail.html",
        {
            **vars(page),
            "pending_first": page.pending[:PENDING_SHOWN],
            "pending_more": page.pending[PENDING_SHOWN:],
            "extend_form": ExtendForm.for_deadline(page.round.closes_at),
            "remind_all_confirm": remind_all_confirmation(page, now=now),
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
        added = services.roster_add(user=request.user, round_=round_, branch_ids=branch_ids)
    except services.OfficeError as exc:
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
        result = services.round_close_now(user=request.user, round_=round_)
    except services.OfficeError as exc:
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
        errors = [e for field in form.errors.values() for e in field]
        messages.error(request, "未能延期：" + "".join(errors))
        return redirect("office_round", round_id=round_id)
    try:
        if branch_id:
            entry = get_object_or_404(RosterEntry, round=round_, branch_id=branch_id)
            services.branch_extend(user=request.user, entry=entry, **form.cleaned_data)
            messages.success(request, f"已为{entry.branch.name}单独延期。")
        else:
            services.round_extend(user=request.user, round_=round_, **form.cleaned_data)
            messages.success(request, "已延长本批次的截止时间。")
    except services.OfficeError as exc:
        messages.error(request, str(exc))
    return redirect("office_round", round_id=round_id)


@office_required
def not_submitted_xlsx(request, round_id):
    # The same reads as the round page, so the sheet has the page's columns and values.
    page = selectors.round_page(round_id, now=timezone.now())
    if page is None:
        raise Http404("没有这个测评批次。")
    rows = []
    for entry in page.pending:
        secretary = entry.secretary
        rows.append(
            [
                entry.branch.unit.name,
                entry.branch.name,
                secretary.display_name if secretary else "",
                secretary.phone if secretary else "",
                STATUS_LABELS.get(entry.submission_status, "未填写"),
                _minute(entry.last_reminded) if entry.last_reminded else "—",
                _minute(entry.closes_at),
            ]
        )
    sheet = downloads.Sheet(
        "未提交支部",
        ["单位", "党支部", "支部书记", "联系电话", "状态", "最近催报", "截止时间"],
        rows,
        widths=[22, 22, 14, 16, 16, 18, 18],
        filters=True,
    )
    return downloads.xlsx_response(
        downloads.xlsx_bytes([sheet]), f"{page.round.name}-未提交支部.xlsx"
    )


# The round page's status badges (surveys/core/_status_badge.html), in words for the sheet.
STATUS_LABELS = {
    Submission.Status.DRAFT.value: "草稿",
    Submission.Status.RETURNED.value: "已退回，待修改",
    Submission.Status.SUBMITTED.value: "已提交",
}


def _minute(moment):
    return local_minute(moment)


def remind_all_confirmation(page, *, now):
    """What 一键催报 would do now, said before it is sent: the branches it reminds (open,
    not reminded in the last 24 hours), how many of them also get an e-mail, and how many it
    skips as reminded recently."""
    open_pending = [e for e in page.pending if e.is_open(now)]
    due = [
        e
        for e in open_pending
        if e.last_reminded is None or e.last_reminded <= now - services.REMINDER_INTERVAL
    ]
    mailed = sum(bool(e.secretary and e.secretary.email) for e in due)
    recent = len(open_pending) - len(due)
    if not due:
        text = "现在没有需要催报的支部"
    else:
        text = f"将向 {len(due)} 个未提交的支部发送催报：邮件 {mailed} 个，站内提醒 {len(due)} 个"
        if len(due) > mailed:
            text += f"（{len(due) - mailed} 个支部没有登记邮箱，只在系统内提醒）"
    if recent:
        text += f"；另有 {recent} 个支部 24 小时内已催报过，本次不重复发送"
    return text + "。确认发送？"
