"""The rater questionnaires as data (instruments/members.yaml, instruments/public.yaml), the
second standard instrument beside the main one: `parse_data` checks a questionnaire's
structure (pure), `write_rater_questionnaire` / `write_rater_file` write it (idempotent: the
same questionnaire twice changes nothing, in any format; a used version is frozen), and a
version goes out and comes back as YAML, JSON or XLSX.

The three formats carry one structure: YAML and JSON are the same dict (`rater_data`), and
the XLSX lays it out as the main questionnaire's workbook does (sheets 问卷信息 and 题目, a
header row, one row per item, 是/否 flags, Chinese words for kinds and causes). Uploads are
read by the main questionnaire's rules (`surveys.questionnaires.uploads`)."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import yaml
from django.db import transaction

from surveys.core import downloads
from surveys.questionnaires import uploads
from surveys.questionnaires.instrument import InstrumentError as MainInstrumentError
from surveys.questionnaires.instrument import load_text
from surveys.questionnaires.models import CauseTag
from surveys.ratings.models import Audience, RaterItem, RaterQuestionnaire

INSTRUMENTS = Path(__file__).resolve().parent / "instruments"
STANDARD_FILES = {Audience.MEMBERS: "members.yaml", Audience.PUBLIC: "public.yaml"}
DIMENSIONS = {"xueyong": "学用结合", "zuzhi": "组织生活实效", "huoli": "内生活力"}
DIMENSION_CODES = {
    **{name: code for code, name in DIMENSIONS.items()},
    **{c: c for c in DIMENSIONS},
}
CAUSES = {
    **{tag.label: tag.value for tag in CauseTag},
    **{tag.value: tag.value for tag in CauseTag},
}
KINDS = {kind.value for kind in RaterItem.Kind}
KIND_CODES = {**{k.label: k.value for k in RaterItem.Kind}, **{k: k for k in KINDS}}
AUDIENCE_CODES = {**{a.label: a.value for a in Audience}, **{a: a for a in Audience.values}}
MAX_FILE_CHARS = 200_000
MAX_FILE_BYTES = 200_000  # an upload in any format; the standard XLSX is about 7 KB
MAX_ITEMS = 100


class InstrumentError(ValueError):
    """A rater questionnaire file that can't be loaded; the message is for the office, one
    problem a line."""


@dataclass(frozen=True)
class ParsedItem:
    code: str
    text: str
    kind: str
    dimension_code: str
    cause: str
    reverse: bool


def parse_instrument(text):
    """A YAML file's header and items, or InstrumentError in Chinese."""
    try:
        data = load_text(text, "YAML")
    except MainInstrumentError as error:
        raise InstrumentError(f"评议问卷文件{error}") from None
    return parse_data(data)


YAML_NAMES = {k: f"字段 {k}" for k in ("code", "version", "audience", "title", "items")}


def parse_data(data, *, where=None, names=YAML_NAMES):
    """The questionnaire's header and items, from the dict every format reads into; every
    fault found, one a line, in InstrumentError. `where[i]` says where item i came from (a
    spreadsheet row), `names` what the header fields are called in the file."""
    if not isinstance(data, dict):
        raise InstrumentError("评议问卷文件应以 code、version、audience 等字段开头。")
    missing = [names[key] for key in YAML_NAMES if data.get(key) in (None, "")]
    if missing:
        raise InstrumentError(f"评议问卷缺少：{'、'.join(missing)}。")
    problems = []
    if data["audience"] not in Audience.values:
        problems.append(f"{names['audience']} 只能是 members（党员评议）或 public（群众评议）。")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 10_000:
        problems.append(f"{names['version']} 应为 1 至 10000 的整数。")
    for key, limit in (("code", 32), ("title", 200)):
        if not isinstance(data[key], str) or not data[key].strip() or len(data[key]) > limit:
            problems.append(f"{names[key]} 应为不超过 {limit} 字的文字。")
    if not isinstance(data["items"], list) or len(data["items"]) > MAX_ITEMS:
        raise InstrumentError("\n".join([*problems, f"items 应为题目列表，最多 {MAX_ITEMS} 题。"]))
    items, seen = [], {}
    for number, raw in enumerate(data["items"], start=1):
        at = where[number - 1] if where else f"第 {number} 题"
        item = _item(raw, at, seen)
        if isinstance(item, str):
            problems.append(f"{at}：{item}")
        else:
            items.append(item)
    kinds = [item.kind for item in items]
    if not problems and (kinds.count("satisfaction") != 1 or "scale" not in kinds):
        problems.append("评议问卷须有计分题和一道总体满意度题。")
    if problems:
        raise InstrumentError("\n".join(problems))
    data = {**data, "title": data["title"].strip()}
    return data, items


def _item(raw, at, seen):
    """One item as a ParsedItem, or what is wrong with it."""
    if not isinstance(raw, dict) or not raw.get("code") or not raw.get("text"):
        return "缺少 code（题目编码）或 text（题目内容）。"
    code, kind, text = str(raw["code"]).strip(), raw.get("kind", "scale"), str(raw["text"]).strip()
    if len(code) > 32 or len(text) > 500:
        return f"题目 {code} 的编码（32 字以内）或内容（500 字以内）过长。"
    if code in seen:
        return f"题目编码 {code} 重复（与{seen[code]}相同）。"
    seen[code] = at
    if not isinstance(kind, str) or kind not in KINDS:
        return (
            f"题目 {code} 的题型“{kind}”不认识，应为 scale（五级量表）、"
            "satisfaction（总体满意度）或 text（文字）。"
        )
    reverse = raw.get("reverse", False)
    if not isinstance(reverse, bool):
        return f"题目 {code} 的 reverse（反向计分）应为 true 或 false。"
    if kind != "scale":
        return ParsedItem(code, text, kind, "", "", False)
    dimension, cause = str(raw.get("dimension") or ""), str(raw.get("cause") or "")
    if dimension not in DIMENSIONS or cause not in CAUSES:
        wrong = []
        if dimension and dimension not in DIMENSIONS:
            wrong.append(f"维度“{dimension}”不认识")
        if cause and cause not in CAUSES:
            wrong.append(f"成因“{cause}”不认识")
        return (
            f"计分题 {code} 须标注维度（xueyong 学用结合 / zuzhi 组织生活实效 / huoli 内生活力）"
            f"和成因（虚化 / 弱化 / 分化）{'：' + '，'.join(wrong) if wrong else ''}。"
        )
    name = raw.get("dimension_name")
    if name and name != DIMENSIONS[dimension]:
        return (
            f"题目 {code} 的维度名称“{name}”与维度编码 {dimension}（{DIMENSIONS[dimension]}）"
            "不一致；评议问卷的维度与标准问卷相同，不能改名。"
        )
    return ParsedItem(code, text, kind, dimension, CAUSES[cause], reverse)


# ---------------------------------------------------------------- writing -------


def load_rater_questionnaire(path=None, *, audience=Audience.MEMBERS):
    """The questionnaire in `path` (default: the standard file for `audience`), and whether
    it was written. A version already used by a group is never rewritten."""
    path = Path(path) if path else INSTRUMENTS / STANDARD_FILES[audience]
    return write_rater_questionnaire(path.read_text(encoding="utf-8"))


def write_rater_questionnaire(text):
    """The questionnaire a YAML file's text describes, and whether it was written."""
    if len(text) > MAX_FILE_CHARS:
        raise InstrumentError("评议问卷文件过大。")
    data, items = parse_instrument(text)
    return _write(data, items, hashlib.sha256(text.encode()).hexdigest())


def write_rater_file(filename, content):
    """The questionnaire in an uploaded .xlsx, .json or .yaml file (bytes), and whether it
    was written; nothing is written unless all of it is valid."""
    if len(content) > MAX_FILE_BYTES:
        raise InstrumentError(
            f"文件过大（超过 {MAX_FILE_BYTES // 1000} KB），请检查是否选错了文件。"
        )
    kind = uploads.upload_kind(filename)
    try:
        if kind == "XLSX":
            data, where = uploads.read_workbook(content, _book_data)
            parsed = parse_data(data, where=where, names=XLSX_NAMES)
        elif kind is not None:
            parsed = parse_data(uploads.text_data(content, kind))
        else:
            raise InstrumentError("只能载入 .xlsx、.json 或 .yaml 格式的评议问卷文件。")
    except uploads.UploadError as error:
        raise InstrumentError(str(error)) from None
    return _write(*parsed, hashlib.sha256(content).hexdigest())


def _content(audience, title, description, items):
    """What a version says, whatever file it came from: two files that say the same are the
    same questionnaire (an export re-imported in another format changes nothing)."""
    rows = [(i.code, i.text, i.kind, i.dimension_code, i.cause, i.reverse) for i in items]
    return (audience, title.strip(), description.strip(), rows)


def _write(data, items, digest):
    description = str(data.get("description") or "").strip()
    with transaction.atomic():
        questionnaire, created = RaterQuestionnaire.objects.get_or_create(
            code=data["code"],
            version=data["version"],
            defaults={"audience": data["audience"], "title": data["title"]},
        )
        if not created and (
            questionnaire.sha256 == digest
            or _content(
                questionnaire.audience,
                questionnaire.title,
                questionnaire.description,
                questionnaire.items.all(),
            )
            == _content(data["audience"], data["title"], description, items)
        ):
            return questionnaire, False
        if not created and questionnaire.groups.exists():
            raise InstrumentError(
                f"{questionnaire}已被使用，不能修改（已有评议组用它评议）；"
                "请把版本号（version）加 1 后再载入。"
            )
        questionnaire.audience = data["audience"]
        questionnaire.title = data["title"]
        questionnaire.description = description
        questionnaire.sha256 = digest
        questionnaire.save()
        questionnaire.items.all().delete()
        RaterItem.objects.bulk_create(
            RaterItem(
                questionnaire=questionnaire,
                order=order,
                code=item.code,
                text=item.text,
                kind=item.kind,
                dimension_code=item.dimension_code,
                dimension_name=DIMENSIONS.get(item.dimension_code, ""),
                cause=item.cause,
                reverse=item.reverse,
            )
            for order, item in enumerate(items, start=1)
        )
    return questionnaire, True


def standard_questionnaire(audience):
    """The newest loaded version for `audience`, loading the standard file if none is."""
    questionnaire = (
        RaterQuestionnaire.objects.filter(audience=audience).order_by("-version", "-id").first()
    )
    if questionnaire is None:
        questionnaire, _ = load_rater_questionnaire(audience=audience)
    return questionnaire


# ---------------------------------------------------------------- files out -----


def rater_data(questionnaire):
    """A version as the YAML file's dict (the same keys), for every format."""
    items = []
    for item in questionnaire.items.all():
        row = {"code": item.code, "kind": item.kind}
        if item.kind == RaterItem.Kind.SCALE:
            row["dimension"] = item.dimension_code
            row["cause"] = CauseTag(item.cause).label
            if item.reverse:
                row["reverse"] = True
        row["text"] = item.text
        items.append(row)
    return {
        "code": questionnaire.code,
        "version": questionnaire.version,
        "audience": questionnaire.audience,
        "title": questionnaire.title,
        "description": questionnaire.description,
        "items": items,
    }


def dump_rater_questionnaire(questionnaire):
    """A version as the YAML file it came from, for download and re-import."""
    data = rater_data(questionnaire)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def export_json(questionnaire) -> bytes:
    return json.dumps(rater_data(questionnaire), ensure_ascii=False, indent=2).encode()


INFO_SHEET, ITEM_SHEET = "问卷信息", "题目"
INFO_ROWS = {
    "问卷编码": "code",
    "版本号": "version",
    "评议类型": "audience",
    "问卷名称": "title",
    "说明": "description",
}
XLSX_NAMES = {key: f"“{INFO_SHEET}”的{label}" for label, key in INFO_ROWS.items()} | {
    "items": f"工作表“{ITEM_SHEET}”"
}
# The main workbook's columns that a rater item has, in the main workbook's order.
ITEM_COLUMNS = ["维度编码", "维度名称", "题目编码", "题目", "题型", "反向计分", "成因"]
OPTIONAL_COLUMNS = {"维度名称"}


def export_xlsx(questionnaire) -> bytes:
    data = rater_data(questionnaire)
    book = openpyxl.Workbook()
    info = book.active
    info.title = INFO_SHEET
    audience = Audience(data["audience"]).label
    values = {**data, "audience": audience}
    downloads.write_rows(
        info, [["项目", "内容"], *([label, values[key]] for label, key in INFO_ROWS.items())]
    )
    sheet = book.create_sheet(ITEM_SHEET)
    rows = [
        [
            item.get("dimension", ""),
            DIMENSIONS.get(item.get("dimension", ""), ""),
            item["code"],
            item["text"],
            RaterItem.Kind(item["kind"]).label,
            ("是" if item.get("reverse") else "否") if item["kind"] == "scale" else "",
            item.get("cause", ""),
        ]
        for item in data["items"]
    ]
    downloads.write_rows(sheet, [ITEM_COLUMNS, *rows])
    for ws in book.worksheets:
        ws.freeze_panes = "A2"
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = 14
    info.column_dimensions["B"].width = 60
    sheet.column_dimensions["D"].width = 60
    return downloads.workbook_bytes(book)


# ---------------------------------------------------------------- files in ------


def _book_data(book):
    """The workbook as the YAML file's dict, and where each item came from ("“题目”第n行")."""
    data = {}
    header, info = uploads.sheet_rows(book, INFO_SHEET)
    uploads.check_header(header, INFO_SHEET, ["项目", "内容"])
    for number, row in info:
        label, value = uploads.cell_text(row.get("项目")), row.get("内容")
        if label not in INFO_ROWS:
            raise uploads.UploadError(
                f"“{INFO_SHEET}”第{number}行：无法识别的项目“{label}”，"
                f"应为 {'、'.join(INFO_ROWS)} 之一。"
            )
        key = INFO_ROWS[label]
        if key == "version" and not uploads.blank(value):
            where = f"“{INFO_SHEET}”第{number}行"
            value = uploads.cell_number(value, where=where, what="版本号", integer=True)
        elif key != "version":
            value = uploads.cell_text(value)
        data[key] = AUDIENCE_CODES.get(value, value) if key == "audience" else value

    header, item_rows = uploads.sheet_rows(book, ITEM_SHEET)
    uploads.check_header(header, ITEM_SHEET, ITEM_COLUMNS, OPTIONAL_COLUMNS)
    if len(item_rows) > MAX_ITEMS:
        raise uploads.UploadError(f"工作表“{ITEM_SHEET}”超过 {MAX_ITEMS} 题，无法导入。")
    items, where = [], []
    for number, row in item_rows:
        at = f"“{ITEM_SHEET}”第{number}行"
        kind = uploads.cell_text(row.get("题型"))
        item = {
            "code": uploads.cell_text(row.get("题目编码")),
            "text": uploads.cell_text(row.get("题目")),
            "kind": KIND_CODES.get(kind, kind or "scale"),
        }
        dimension = uploads.cell_text(row.get("维度编码"))
        item["dimension"] = DIMENSION_CODES.get(dimension, dimension)
        item["dimension_name"] = uploads.cell_text(row.get("维度名称"))
        item["cause"] = uploads.cell_text(row.get("成因"))
        if not uploads.blank(row.get("反向计分")):
            item["reverse"] = uploads.cell_bool(row["反向计分"], where=at, what="反向计分")
        items.append(item)
        where.append(at)
    data["items"] = items
    return data, where
