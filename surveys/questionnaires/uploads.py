"""Reading an uploaded instrument file safely, for every instrument the office exchanges as a
file (the main questionnaire's `files.py` and the rater questionnaires of `surveys.ratings`):
the format by the file's extension, a workbook opened within caps, a sheet's header and rows,
its cells, and a UTF-8 JSON or YAML text. Every fault is an `UploadError` fit for the office.
"""

import io
import zipfile

import openpyxl

from surveys.core import downloads
from surveys.questionnaires.instrument import InstrumentError, load_text, shown
from surveys.questionnaires.services import VersionError, _number, plain_number

# A workbook is a zip: 2 MB of it can inflate a thousandfold. Past this, nothing is parsed.
# The standard questionnaire unpacks to 63 KB, 2,000 rows to a few MB. openpyxl reads a sheet
# that lacks the <dimension> element Excel writes from end to end as it opens it, so this
# also bounds that cost.
MAX_UNPACKED_BYTES = 10 * 1024 * 1024
# Rows read from one sheet, the header included (the standard questionnaire has 37), and the
# columns read from each row: reading stops there, whatever the sheet claims to hold.
MAX_ROWS = 2000
MAX_COLUMNS = 30

NOT_XLSX = "文件不是有效的 Excel 工作簿（.xlsx）。请使用本系统导出的文件作为模板。"


class UploadError(VersionError):
    """An uploaded file that cannot be read; a VersionError, so the main import's callers
    catch it as they always have."""


def upload_kind(filename):
    """The format by the file's extension: "XLSX", "JSON" or "YAML"; None for any other."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return "XLSX"
    if name.endswith(".json"):
        return "JSON"
    if name.endswith((".yaml", ".yml")):
        return "YAML"
    return None


def text_data(content, kind):
    """The data in an uploaded JSON or YAML file (`kind`), read as UTF-8 (a BOM allowed)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError("文件须为 UTF-8 编码。") from None
    try:
        return load_text(text, kind)
    except InstrumentError as exc:
        raise UploadError(str(exc)) from None


# ---------------------------------------------------------------- cells -------


def blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # A text our export neutralised ("'=..."), read back as it was written.
    return "" if value is None else downloads.restore(str(value)).strip()


def cell_number(value, *, where, what, integer=False):
    """A number cell (or a number typed as text), finite; its range is the validator's."""
    if isinstance(value, bool):
        raise UploadError(f"{where}：{what}应为数字，现为“{shown(value)}”。")
    if isinstance(value, str):
        try:
            value = _number(value)
        except ValueError:  # not a number, inf/nan, or an integer of thousands of digits
            raise UploadError(f"{where}：{what}应为数字，现为“{shown(value)}”。") from None
    if not isinstance(value, int | float):
        raise UploadError(f"{where}：{what}应为数字，现为“{shown(value)}”。")
    value = plain_number(value)
    if integer and not isinstance(value, int):
        raise UploadError(f"{where}：{what}应为整数，现为“{shown(value)}”。")
    return value


TRUE_WORDS, FALSE_WORDS = {"是", "true", "1", "y", "yes"}, {"否", "false", "0", "n", "no"}


def cell_bool(value, *, where, what):
    word = cell_text(value).lower() if not isinstance(value, bool) else str(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise UploadError(f"{where}：{what}应填“是”或“否”，现为“{shown(value)}”。")


# ---------------------------------------------------------------- sheets ------


def sheet_rows(book, name, *, required=True):
    """The sheet's header (trailing blanks dropped) and its non-blank rows as
    (row number, {column: value}); (None, []) for a missing optional sheet."""
    if name not in book.sheetnames:
        if required:
            raise UploadError(f"Excel 文件缺少工作表“{name}”。请使用本系统导出的文件作为模板。")
        return None, []
    # Read-only worksheets stream rows from the file; stopping at MAX_ROWS + 1 means a sheet
    # of a million rows costs no more than one of MAX_ROWS.
    rows = list(book[name].iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True))
    if len(rows) > MAX_ROWS:
        raise UploadError(
            f"工作表“{name}”超过 {MAX_ROWS} 行，无法导入。请检查是否选错了文件，"
            "或删去表格下方多余的行。"
        )
    if not rows:
        raise UploadError(f"工作表“{name}”是空的。")
    header = [cell_text(v) for v in rows[0]]
    while header and not header[-1]:
        header.pop()
    body = [
        (number, dict(zip(header, row, strict=False)))
        for number, row in enumerate(rows[1:], start=2)
        if any(not blank(v) for v in row)
    ]
    return header, body


def check_header(header, sheet, expected, optional=()):
    missing = [c for c in expected if c not in header and c not in optional]
    unknown = [c for c in header if c not in expected]
    if missing or unknown or len(set(header)) != len(header):
        parts = []
        if missing:
            parts.append(f"缺少列 {'、'.join(missing)}")
        if unknown:
            parts.append(f"无法识别的列 {'、'.join(shown(c) or '（空白）' for c in unknown)}")
        if len(set(header)) != len(header):
            parts.append("有重复的列")
        raise UploadError(
            f"工作表“{sheet}”第1行（表头）有误：{'；'.join(parts)}。应为：{'、'.join(expected)}。"
        )


def open_workbook(content):
    """The upload opened read-only, once its unpacked size is known to be reasonable."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError(NOT_XLSX) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UploadError(
            f"Excel 文件解压后超过 {MAX_UNPACKED_BYTES // 1024 // 1024} MB，无法导入。"
            "请只保留问卷内容后重新保存。"
        )
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise UploadError(NOT_XLSX) from None


def read_workbook(content, reader):
    """`reader(book)` on the uploaded workbook, which is closed afterwards; a cell openpyxl
    cannot decode, met while streaming the rows, is NOT_XLSX rather than a server error."""
    book = open_workbook(content)
    try:
        return reader(book)
    except VersionError:
        raise
    except Exception:
        raise UploadError(NOT_XLSX) from None
    finally:
        book.close()
