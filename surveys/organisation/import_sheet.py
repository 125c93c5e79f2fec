"""Bulk onboarding from one XLSX sheet: units, branches and their secretaries.

This module is the sheet itself: its columns, reading an uploaded file into rows (pure: bytes
in, rows and row-numbered messages out) and writing the template. Comparing the rows with the
database is `import_plan`; applying them is `import_commit`. Records are matched by
their codes (unit by unit code, branch by branch code, secretary by login name), so importing
the same file twice changes nothing.
"""

import io
import zipfile
from dataclasses import dataclass

from surveys.core import downloads
from surveys.organisation import services
from surveys.organisation.models import Branch
from surveys.organisation.selectors import secretaries_by_branch

COLUMNS = [
    ("unit_code", "单位编码", 32),
    ("unit_name", "单位名称", 100),
    ("branch_code", "支部编码", 32),
    ("branch_name", "支部名称", 100),
    ("member_count", "党员人数", None),
    ("secretary_name", "书记姓名", 150),
    ("phone", "手机号", 32),
    ("username", "登录账号", services.USERNAME_MAX),
    ("email", "邮箱", 254),
]
# Columns a sheet may leave out or leave blank: a template from before 邮箱 still imports, and
# a blank 邮箱 keeps the address already on record (it is cleared on the people page).
OPTIONAL = {"email"}
LABELS = {key: label for key, label, _ in COLUMNS}
SHEET = "组织与账号"
GUIDE_SHEET = "填写说明"
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# Rows are streamed from the file and reading stops at these, whatever the sheet holds: blank
# rows (formatted, or a stray space) count too, with room for some between the names.
MAX_BLANK_ROWS = 1000
MAX_COLUMNS = 30  # the template has fewer than 10
# A 2 MB zip can inflate a thousandfold; refuse before parsing anything that large. 5,000 rows
# of the template unpack to under 4 MB. openpyxl reads a sheet that lacks the <dimension>
# element Excel writes from end to end as it opens it, so this also bounds that cost.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
NOT_XLSX = (
    "文件不是 Excel（.xlsx）格式，无法读取。请下载模板，在 Excel 或 WPS 中填写后"
    "保存为 .xlsx 再上传（CSV、.xls 等格式不能直接导入）。"
)


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing was changed."""


@dataclass(frozen=True)
class Row:
    number: int
    unit_code: str
    unit_name: str
    branch_code: str
    branch_name: str
    member_count: int
    secretary_name: str
    phone: str
    username: str
    email: str = ""


# Reading -----------------------------------------------------------------------------------


def read_rows(content: bytes) -> tuple[list[Row], list[str]]:
    """The rows of an uploaded file and a row-numbered message for each bad one.

    Raises ImportFileError when the file is not a readable sheet in the template's shape."""
    if len(content) > MAX_BYTES:
        size = len(content) / 1024 / 1024
        raise ImportFileError(f"文件过大（{size:.1f} MB），上限为 {MAX_BYTES // 1024 // 1024} MB。")
    if not content.startswith(b"PK\x03\x04"):
        raise ImportFileError(NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError(NOT_XLSX) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError("文件内容过大，无法导入。请只保留名单数据后重新保存。")

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # untrusted bytes: any failure to parse means "not a usable xlsx"
        raise ImportFileError(NOT_XLSX) from None
    try:
        sheet = _data_sheet(workbook)
        return _read_sheet(sheet)
    except ImportFileError:
        raise
    except Exception:  # a cell openpyxl cannot decode, met while streaming the rows
        raise ImportFileError(NOT_XLSX) from None
    finally:
        workbook.close()


def _data_sheet(workbook):
    if SHEET in workbook.sheetnames:
        return workbook[SHEET]
    sheets = [workbook[n] for n in workbook.sheetnames if n != GUIDE_SHEET]
    if not sheets:
        raise ImportFileError(f"文件中没有名为“{SHEET}”的工作表。")
    return sheets[0]


def _read_sheet(sheet):
    rows_iter = sheet.iter_rows(
        max_row=1 + MAX_ROWS + MAX_BLANK_ROWS + 1, max_col=MAX_COLUMNS, values_only=True
    )
    header = next(rows_iter, None)
    positions = _header_positions(header or ())
    rows, errors, seen = [], [], 0
    for number, values in enumerate(rows_iter, start=2):
        if number > 1 + MAX_ROWS + MAX_BLANK_ROWS:
            raise ImportFileError(
                f"表格超过 {MAX_ROWS + MAX_BLANK_ROWS} 行（含空行），无法导入。"
                f"名单最多 {MAX_ROWS} 行；请删去名单下方多余的行，或分成几个文件分别导入。"
            )
        if all(_blank(v) for v in values):
            continue
        seen += 1
        if seen > MAX_ROWS:
            raise ImportFileError(f"名单超过 {MAX_ROWS} 行，无法一次导入。请分成几个文件分别导入。")
        cells = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        row, problems = parse_row(number, cells)
        if problems:
            errors.extend(problems)
        else:
            rows.append(row)
    if seen == 0:
        raise ImportFileError("文件中没有数据行。请在模板第一行列名下方逐行填写。")
    return rows, errors


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _header_positions(header):
    names = [str(v).strip().strip("*＊").strip() if v is not None else "" for v in header]
    expected = {label: key for key, label, _ in COLUMNS}
    positions, unknown = {}, []
    for i, name in enumerate(names):
        if not name:
            continue
        if name in expected:
            if expected[name] in positions:
                raise ImportFileError(f"列名“{name}”出现了两次。请使用下载的模板。")
            positions[expected[name]] = i
        else:
            unknown.append(name)
    missing = [label for key, label, _ in COLUMNS if key not in positions and key not in OPTIONAL]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("缺少列：" + "、".join(missing))
        if unknown:
            parts.append("无法识别的列：" + "、".join(unknown))
        raise ImportFileError(
            "；".join(parts)
            + "。第一行应为列名："
            + "、".join(LABELS.values())
            + "。请使用下载的模板。"
        )
    return positions


class _WrongType(Exception):
    pass


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        raise _WrongType
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Codes and phone numbers typed as numbers come back as floats.
        if value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, str):
        # The template and the people list neutralise "=…" as "'=…"; read back what was meant.
        return downloads.restore(value.replace("\u3000", " ").strip())
    raise _WrongType  # dates, times and the like


def _count(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def parse_row(number, cells) -> tuple[Row | None, list[str]]:
    """One row from its cells by column key, or the row-numbered messages saying what is wrong."""
    prefix = f"第{number}行："
    values, problems, empty = {}, [], []
    for key, label, max_length in COLUMNS:
        raw = cells.get(key)
        if _blank(raw):
            if key not in OPTIONAL:
                empty.append(label)
            continue
        if key == "member_count":
            count = _count(raw)
            if count is None:
                problems.append(f"{prefix}党员人数“{_shown(raw)}”应为不小于 0 的整数。")
            values[key] = count
            continue
        try:
            text = _text(raw)
        except _WrongType:
            problems.append(f"{prefix}{label}的内容“{_shown(raw)}”不是文字或数字，请改为文本格式。")
            continue
        if max_length and len(text) > max_length:
            problems.append(f"{prefix}{label}“{text[:20]}…”超过 {max_length} 个字符。")
        values[key] = text
    if empty:
        problems.insert(0, f"{prefix}{'、'.join(empty)}不能为空。")
    phone, username = values.get("phone"), values.get("username")
    if phone and services.phone_problem(phone):
        problems.append(prefix + services.phone_problem(phone) + "。")
    email = values.get("email")
    if email and services.email_problem(email):
        problems.append(prefix + services.email_problem(email) + "。")
    if username and services.username_problem(username):
        problems.append(prefix + services.username_problem(username) + "。")
    if problems:
        return None, problems
    return Row(number=number, **values), []


def _shown(value):
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


# The template --------------------------------------------------------------------------------

GUIDE = [
    (
        "单位编码",
        "单位的唯一编码，如 U01。系统按编码识别单位：编码相同即同一单位，名称不同则更新名称。",
        "U01",
    ),
    ("单位名称", "同一单位编码的各行，单位名称必须一致。", "县委办公室"),
    ("支部编码", "党支部的唯一编码，全表不能重复。系统按编码识别支部。", "U01B1"),
    ("支部名称", "党支部全称。", "县委办公室机关第一党支部"),
    ("党员人数", "不小于 0 的整数。", 23),
    ("书记姓名", "支部书记姓名。", "张建国"),
    ("手机号", "11 位数字。", "13812345678"),
    (
        "登录账号",
        "书记登录本系统的账号，只能由英文字母、数字和 _ . - @ + 组成，全表不能重复。",
        "zhangjianguo",
    ),
    (
        "邮箱",
        "选填。填写后催报会同时发送邮件；不填则只在系统内提醒，已有的邮箱保持不变。",
        "zhang@example.gov.cn",
    ),
]
GUIDE_NOTES = [
    "每行填写一个党支部及其书记；除“邮箱”外各列均为必填。第一行列名请勿修改。",
    "新的登录账号会自动创建，初始密码在导入完成后只显示一次，请当场下载或记录；书记首次登录须修改密码。",
    "再次导入同一文件不会产生重复数据；修改某行后重新导入，会按编码或账号更新对应记录。",
    "更换书记：把该支部的“登录账号”改为新书记的新账号，导入后原书记账号停用，支部的历史答卷保留在支部。",
    "已停用的支部不会被导入。文件不超过 2 MB、5000 行，格式为 .xlsx。",
]


def template_xlsx(rows=()) -> bytes:
    """The import template; with rows (tuples in column order) it is the current list."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    downloads.write_rows(sheet, [[label for _, label, _ in COLUMNS], *rows])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F2DCDB")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    sheet.freeze_panes = "A2"
    for i, (key, _, _) in enumerate(COLUMNS):
        letter = chr(ord("A") + i)
        sheet.column_dimensions[letter].width = 28 if key.endswith("name") else 16
        if key != "member_count":
            # Text, so Excel keeps leading zeros in codes and does not show phones as 1.38E+10.
            sheet.column_dimensions[letter].number_format = "@"
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                cell.number_format = "@"

    guide = workbook.create_sheet(GUIDE_SHEET)
    downloads.write_rows(
        guide,
        [
            ["列名", "是否必填", "填写要求", "示例"],
            *(
                [label, "选填" if label == LABELS["email"] else "必填", text, example]
                for label, text, example in GUIDE
            ),
            [],
            ["注意事项"],
            *(["", "", note] for note in GUIDE_NOTES),
        ],
    )
    for cell in guide[1]:
        cell.font, cell.fill = bold, fill
    guide.cell(row=len(GUIDE) + 3, column=1).font = bold
    for letter, width in zip("ABCD", (14, 10, 80, 26), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    return downloads.workbook_bytes(workbook)


def current_rows():
    """The organisation as template rows: every active branch with its active secretary."""
    rows = []
    branches = Branch.objects.filter(is_active=True).select_related("unit")
    secretaries = secretaries_by_branch()
    for branch in branches.order_by("unit__order", "unit__code", "code"):
        secretary = secretaries.get(branch.id)
        rows.append(
            (
                branch.unit.code,
                branch.unit.name,
                branch.code,
                branch.name,
                branch.member_count,
                secretary.display_name if secretary else "",
                secretary.phone if secretary else "",
                secretary.username if secretary else "",
                secretary.email if secretary else "",
            )
        )
    return rows
