"""The office's audit log: every recorded action, filtered, paged or exported, with each
event's detail put into labelled Chinese."""

from typing import NamedTuple

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from surveys.audit.forms import AuditFilterForm
from surveys.audit.models import AuditEvent
from surveys.core import downloads
from surveys.core.permissions import office_required


def _filtered_events(form):
    events = AuditEvent.objects.select_related("actor", "round", "branch", "branch__unit")
    if form.is_valid():
        data = form.cleaned_data
        if data["round"]:
            events = events.filter(round=data["round"])
        if data["unit"]:
            events = events.filter(branch__unit=data["unit"])
        if data["actor"]:
            events = events.filter(actor=data["actor"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
    return events


@office_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    events = _filtered_events(form)
    if request.GET.get("format") == "xlsx":
        rows = (
            [
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor.display_name if e.actor else "",
                e.actor.username if e.actor else "",
                e.get_action_display(),
                e.round.name if e.round else "",
                e.branch.unit.name if e.branch else "",
                e.branch.name if e.branch else "",
                _detail_text(e),
            ]
            for e in events.iterator(chunk_size=2000)
        )
        columns = ["时间", "操作人", "账号", "操作", "批次", "单位", "党支部", "详情"]
        sheet = downloads.Sheet("操作记录", columns, rows, widths=22)
        return downloads.xlsx_response(downloads.xlsx_bytes([sheet]), "操作记录.xlsx")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page:
        event.details = audit_details(event)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "surveys/audit/log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


# Audit details --------------------------------------------------------------------

# The keys the office reads, in the order shown. Any other key (a submission's edit
# counter, a file digest, an import's counts that its note already gives) stays in the
# database and out of the page and the export.
DETAIL_LABELS = {
    "note": "说明",
    "name": "名称",
    "questionnaire": "问卷",
    "opens_at": "开始时间",
    "closes_at": "截止时间",
    "roster": "参评支部数",
    "snapshot": "",
    "answered": "已答题数",
    "reason": "原因",
    "changes": "变更",
    "branches": "催报支部",
    "skipped_recent": "24 小时内已催报、未重复发送",
    "file": "文件",
    "files": "文件",
    "username": "账号",
    "ip": "IP 地址",
    "failures": "连续输错次数",
    "locked_until": "锁定至",
    "title": "事项",
    "item": "题目",
    "decision": "处理结果",
    "count": "数量",
    "due_date": "完成时限",
    "status": "进展",
}
CHANGE_LABELS = DETAIL_LABELS | {"branch_closes_at": "本支部截止时间"}
QUESTIONNAIRE_ACTIONS = {
    AuditEvent.Action.QUESTIONNAIRE_LOADED,
    AuditEvent.Action.QUESTIONNAIRE_CHANGED,
}
LOAD_NOTES = {"created": "首次载入", "updated": "按文件更新（该版本尚未使用）"}
LIST_SHOWN = 3  # a longer list shows its first names and a count, the rest on demand


class DetailItem(NamedTuple):
    label: str
    text: str
    summary: str = ""  # set when the text is long: shown first, the text on demand

    def __str__(self):
        return f"{self.label}：{self.text}" if self.label else self.text


def audit_details(event) -> list[DetailItem]:
    """An audit event's detail as labelled Chinese items."""
    detail = dict(event.detail or {})
    items = []
    if event.action in QUESTIONNAIRE_ACTIONS:
        # Here "version" is the questionnaire's 第N版 and "name" (or "code") its code.
        code = detail.pop("code", None) or detail.pop("name", None)
        version = detail.pop("version", None)
        if code:
            items.append(DetailItem("问卷", f"{code} 第{version}版" if version else code))
        if detail.get("change") in LOAD_NOTES:
            detail.setdefault("note", LOAD_NOTES[detail["change"]])
    for key, label in DETAIL_LABELS.items():
        value = detail.get(key)
        if value in (None, "", [], {}):
            continue
        if key == "snapshot":
            items.append(DetailItem("", f"第 {value} 次提交"))
        elif isinstance(value, list):
            summary = ""
            if len(value) > LIST_SHOWN:
                summary = "、".join(map(str, value[:LIST_SHOWN])) + f" 等 {len(value)} 个"
            items.append(DetailItem(label, "、".join(map(str, value)), summary))
        elif isinstance(value, dict):
            items.append(DetailItem(label, _changes_text(value)))
        else:
            items.append(DetailItem(label, str(value)))
    return items


def _changes_text(changes):
    # In the labels' order, not the stored one: PostgreSQL's jsonb keeps keys sorted its own
    # way, and the same change should read the same on either database.
    order = {key: i for i, key in enumerate(CHANGE_LABELS)}
    return "；".join(
        f"{CHANGE_LABELS.get(k) or k} {v[0]} → {v[1]}"
        if isinstance(v, list) and len(v) == 2
        else f"{CHANGE_LABELS.get(k) or k} {v}"
        for k, v in sorted(changes.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    )


def _detail_text(event):
    return "；".join(str(item) for item in audit_details(event))
