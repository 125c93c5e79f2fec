"""What each kind of background job builds. One entry per kind: the whole-round PDF today;
the Word 通报, a large export or the reminder sending are one more entry each, with their own
build function (round, params, progress) -> Built."""

from collections.abc import Callable
from dataclasses import dataclass

from reports.exports import pdf, tables
from reports.notice.content import NothingSubmitted
from reports.notice.docx import build_notice

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str
    content_type: str
    extension: str


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what the page calls the job ("全批次 PDF")
    step: str  # what progress counts ("个单位")
    # build(round_, params, progress) -> Built; progress(done, total) after each step.
    build: Callable


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


KINDS = {
    "round_pdf": Kind(name="round_pdf", label="全批次 PDF", step="个单位", build=_round_pdf),
    "notice": Kind(name="notice", label="通报（Word）", step="个部分", build=_notice),
    "round_xlsx": Kind(name="round_xlsx", label="全批次数据 Excel", step="份", build=_round_xlsx),
}
