"""What each kind of background job builds. One entry per kind (the whole-round PDF, the Word
通报, a large export, the reminder sending), each with its own build function
(round, params, progress) -> Built; a kind that acts for someone (needs_user) is also given
the user who started the job, as build(round, params, progress, user=...)."""

from collections.abc import Callable
from dataclasses import dataclass

from reports.exports import pdf, tables
from reports.jobs import reminders
from reports.notice.content import NothingSubmitted
from reports.notice.docx import build_notice
from surveys.rounds.services import OfficeError, reminders_send

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str
    content_type: str
    extension: str
    summary: str = ""  # what the job did, said on its page (a line a sentence)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what the page calls the job ("全批次 PDF")
    step: str  # what progress counts ("个单位")
    # build(round_, params, progress) -> Built; progress(done, total) after each step.
    build: Callable
    # A finished file of the same data version is handed out again instead of building anew;
    # not for a job that does something (each 催报 is a new send).
    reusable: bool = True
    needs_user: bool = False  # build(..., user=the job's created_by)
    template: str = "reports/jobs/job.html"
    failed: str = "生成失败"  # how the page opens a JobFailed's reason


class JobFailed(Exception):
    """A build that cannot go on for a reason the office can act on; the message (Chinese)
    is what the job page shows."""


def _round_pdf(round_, params, progress):
    content = pdf.round_report_pdf(round_, progress=progress)
    return Built(
        content=content,
        filename=f"{round_.name}-各单位融合度测评报告.pdf",
        content_type="application/pdf",
        extension=".pdf",
    )


def _notice(round_, params, progress):
    try:
        content = build_notice(round_, progress=lambda done, total, _what: progress(done, total))
    except NothingSubmitted as refusal:
        raise JobFailed(refusal.message) from refusal
    return Built(
        content=content,
        filename=f"{round_.name}-融合度测评通报.docx",
        content_type=DOCX,
        extension=".docx",
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round_xlsx(round_, params, progress):
    progress(0, 1)
    content = tables.to_xlsx(round_)
    progress(1, 1)
    return Built(
        content=content,
        filename=f"{round_.name}-融合度测评数据.xlsx",
        content_type=XLSX,
        extension=".xlsx",
    )


def _reminders(round_, params, progress, *, user):
    if user is None:
        raise JobFailed("发起催报的账号已被删除，请重新发起。")
    branch_ids = None if params.get("all") else params.get("branches", [])
    at = [0, 0]

    def counted(done, total):
        at[:] = done, total
        progress(done, total)

    try:
        result = reminders_send(user=user, round_=round_, branch_ids=branch_ids, progress=counted)
    except OfficeError as refusal:
        raise JobFailed(str(refusal)) from refusal
    except Exception as exc:
        raise JobFailed(
            f"发送催报时出错（{type(exc).__name__}），已处理 {at[0]} / {at[1]} 个支部。"
            "已发出的催报都已记录，重新发送时不会再发给它们；请检查邮件服务设置后点“重新发送”。"
        ) from exc
    return Built(
        content=reminders.sheet_bytes(result),
        filename=f"{round_.name}-催报清单.xlsx",
        content_type=XLSX,
        extension=".xlsx",
        summary=reminders.summary(result),
    )


KINDS = {
    "round_pdf": Kind(name="round_pdf", label="全批次 PDF", step="个单位", build=_round_pdf),
    "notice": Kind(name="notice", label="通报（Word）", step="个部分", build=_notice),
    "round_xlsx": Kind(name="round_xlsx", label="全批次数据 Excel", step="份", build=_round_xlsx),
    "reminders": Kind(
        name="reminders",
        label="催报",
        step="个支部",
        build=_reminders,
        reusable=False,
        needs_user=True,
        template="reports/jobs/reminders.html",
        failed="发送中断",
    ),
}
