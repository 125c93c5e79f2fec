"""The business-results sheet: its columns, the template, and reading an upload into rows.

Bytes in, rows and row-numbered messages out; the database is only asked which unit codes
exist (passed in), so every fault of a file is listed at once and nothing is written here.
"""

import io
import math
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook

from surveys.core import downloads

SHEET = "业务绩效"
COLUMNS = [
    ("unit_code", "单位编码"),
    ("unit_name", "单位名称"),
    ("score", "业务考核得分"),
    ("full_mark", "满分"),
    ("rank", "名次"),
    ("grade", "等次"),
]
REQUIRED = ("unit_code", "score")
LABELS = dict(COLUMNS)
MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ROWS = 2000
MAX_FULL_MARK = 1000.0
GRADE_MAX = 16
NOT_XLSX = "文件不是 Excel（.xlsx）格式，无法读取。请下载模板，填写后保存为 .xlsx 再上传。"


class SheetError(Exception):
    """The file as a whole cannot be read; nothing was changed."""


@dataclass(frozen=True)
class Row:
    number: int  # the sheet's row number, as Excel shows it
    unit_code: str
    unit_name: str
    score: float
    full_mark: float
    rank: int | None
    grade: str


def template(units) -> bytes:
    """The template, one row per active unit with its code and name filled in."""
    rows = [[u.code, u.name, None, 100, None, None] for u in units]
    guide = [
        ["列", "说明"],
        ["单位编码", "必填，与系统中的单位编码一致（模板已列出全部启用单位）"],
        ["单位名称", "可不改；填写时须与该编码的单位名称一致"],
        ["业务考核得分", "必填，0 至满分之间的数"],
        ["满分", "可空，默认为 100"],
        ["名次", "可空，正整数"],
        ["等次", "可空，如 优秀 / 良好 / 一般"],
        ["", "没有业务考核数据的单位可以删去该行，该单位在四象限图中显示为“无数据”。"],
    ]
    return downloads.xlsx_bytes(
        [
            downloads.Sheet(
                SHEET, [label for _, label in COLUMNS], rows, widths=[14, 28, 14, 8, 8, 10]
            ),
            downloads.Sheet("填写说明", guide[0], guide[1:], widths=[14, 60]),
        ]
    )


def _open(content):
    if len(content) > MAX_BYTES:
        raise SheetError(f"文件过大（{len(content) / 1024 / 1024:.1f} MB），上限为 2 MB。")
    if not content.startswith(b"PK\x03\x04"):
        raise SheetError(NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise SheetError("文件解压后过大，无法读取。")
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except SheetError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SheetError(NOT_XLSX) from exc


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value):
    """A finite number from a cell (a number, or text that reads as one), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", ""))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def read_rows(content: bytes, unit_names: dict) -> tuple[list[Row], list[str]]:
    """Rows of an upload and one message per fault, "第 n 行：…", in sheet order.

    ``unit_names`` maps every known unit code to its name. Raises SheetError when the file is
    not the template's workbook at all."""
    book = _open(content)
    try:
        if SHEET not in book.sheetnames:
            raise SheetError(f"找不到工作表“{SHEET}”。请使用本页下载的模板（不要改工作表名）。")
        lines = book[SHEET].iter_rows(values_only=True)
        header = [_text(v) for v in next(lines, ())]
        positions = {}
        for key, label in COLUMNS:
            if label in header:
                positions[key] = header.index(label)
        missing = [LABELS[k] for k in REQUIRED if k not in positions]
        if missing:
            raise SheetError(f"表头缺少列：{'、'.join(missing)}。请使用本页下载的模板。")
        rows, errors, seen = [], [], {}
        for number, values in enumerate(lines, start=2):
            if number > MAX_ROWS + 1:
                raise SheetError(f"行数超过上限（{MAX_ROWS} 行）。")
            cell = {k: (values[i] if i < len(values) else None) for k, i in positions.items()}
            if all(_text(v) == "" for v in cell.values()):
                continue
            row, faults = _row(number, cell, unit_names, seen)
            errors.extend(f"第 {number} 行：{fault}" for fault in faults)
            if row is not None:
                rows.append(row)
    finally:
        book.close()
    if not rows and not errors:
        errors.append("表中没有数据行。")
    return rows, errors


def _row(number, cell, unit_names, seen):
    faults = []
    code = _text(cell.get("unit_code"))
    name = _text(cell.get("unit_name"))
    if not code:
        faults.append("单位编码为空。")
    elif code not in unit_names:
        faults.append(f"单位编码“{code}”在系统中不存在。")
    elif name and name != unit_names[code]:
        faults.append(f"单位名称“{name}”与编码 {code} 的单位“{unit_names[code]}”不一致。")
    if code and code in seen:
        faults.append(f"单位编码“{code}”与第 {seen[code]} 行重复。")
    elif code:
        seen[code] = number
    full_mark = 100.0
    if _text(cell.get("full_mark")):
        full_mark = _number(cell.get("full_mark"))
        if full_mark is None or not (0 < full_mark <= MAX_FULL_MARK):
            faults.append(f"满分应为 0 到 {MAX_FULL_MARK:g} 之间的数（不含 0）。")
            full_mark = None
    score = _number(cell.get("score"))
    if not _text(cell.get("score")):
        faults.append("业务考核得分为空。")
    elif score is None:
        faults.append(f"业务考核得分“{_text(cell.get('score'))}”不是数字。")
    elif full_mark is not None and not (0 <= score <= full_mark):
        faults.append(f"业务考核得分 {score:g} 超出 0 到 {full_mark:g} 的范围。")
    rank = None
    if _text(cell.get("rank")):
        rank_number = _number(cell.get("rank"))
        if rank_number is None or not rank_number.is_integer() or not (1 <= rank_number <= 100000):
            faults.append("名次应为正整数。")
        else:
            rank = int(rank_number)
    grade = _text(cell.get("grade"))
    if len(grade) > GRADE_MAX:
        faults.append(f"等次不能超过 {GRADE_MAX} 个字。")
    if faults:
        return None, faults
    return Row(number, code, name, score, full_mark, rank, grade), []
