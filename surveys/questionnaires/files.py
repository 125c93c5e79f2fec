"""Questionnaire versions as files: XLSX and JSON export, and import from XLSX, JSON or YAML.

Both directions go through the exchange format, the YAML instrument's structure
(`services.questionnaire_data`): JSON is that dict as JSON, and XLSX is the same dict laid
out as one row per question. An upload is read back into that dict and run through
`parse_instrument`, and only a valid file becomes a new version.
"""

import hashlib
import json
import re

import openpyxl
from django.db import transaction

from surveys.audit import events
from surveys.core import downloads
from surveys.core.permissions import require_office
from surveys.questionnaires.instrument import (
    MAX_INTEGER,
    QUESTION_FIELDS,
    InstrumentError,
    parse_instrument,
    shown,
)
from surveys.questionnaires.models import Dimension, GradeBand, Question, Questionnaire
from surveys.questionnaires.services import (
    OFFICE_ONLY,
    VersionError,
    _create,
    _next_version,
    format_band_lines,
    format_choice_lines,
    parse_band_lines,
    parse_choice_lines,
    questionnaire_data,
)
from surveys.questionnaires.uploads import (  # noqa: F401 - the caps, still files.MAX_ROWS …
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    blank,
    cell_bool,
    cell_number,
    cell_text,
    check_header,
    read_workbook,
    sheet_rows,
    text_data,
    upload_kind,
)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


# ---------------------------------------------------------------- export -------


def export_json(questionnaire) -> bytes:
    return json.dumps(questionnaire_data(questionnaire), ensure_ascii=False, indent=2).encode()


INFO_SHEET, QUESTION_SHEET, GRADE_SHEET, DIMENSION_SHEET = (
    "问卷信息",
    "题目",
    "等次划分",
    "维度说明",
)
INFO_ROWS = {
    "问卷编码": "code",
    "版本号": "version",
    "问卷名称": "title",
    "说明": "description",
    "维度最低作答比例": "min_answered_ratio",
}
QUESTION_COLUMNS = [
    "维度编码",
    "维度名称",
    "维度权重",
    "题目编码",
    "题目",
    "题型",
    "反向计分",
    "权重",
    "成因",
    "融合方面",
    "必答",
    "允许不适用",
    "分档",
    "选项",
    "单位",
    "最大值",
    "填写说明",
    "佐证材料",
]
# 佐证材料 came after the first files were exported: a workbook without it still imports.
OPTIONAL_COLUMNS = {"填写说明", "佐证材料"}
EVIDENCE_WORDS = dict(Question.Evidence.choices)  # allowed → 可上传
KIND_WORDS = dict(Question.Kind.choices)  # likert → 五级量表
KIND_CODES = {label: value for value, label in Question.Kind.choices} | {
    value: value for value in Question.Kind.values
}


def _yes(flag):
    return "是" if flag else "否"


def export_xlsx(questionnaire) -> bytes:
    data = questionnaire_data(questionnaire)
    book = openpyxl.Workbook()
    info = book.active
    info.title = INFO_SHEET
    downloads.write_rows(
        info, [["项目", "内容"], *([label, data[key]] for label, key in INFO_ROWS.items())]
    )
    sheet = book.create_sheet(QUESTION_SHEET)
    downloads.write_rows(
        sheet,
        [
            QUESTION_COLUMNS,
            *(_exported_question(dim, q) for dim in data["dimensions"] for q in dim["questions"]),
        ],
    )
    grades = book.create_sheet(GRADE_SHEET)
    downloads.write_rows(
        grades, [["等次", "最低分"], *([b["label"], b["min"]] for b in data["grade_bands"])]
    )
    dims = book.create_sheet(DIMENSION_SHEET)
    downloads.write_rows(
        dims,
        [
            ["维度编码", "对应问题", "维度说明"],
            *([d["code"], d["problem"], d["description"]] for d in data["dimensions"]),
        ],
    )
    for ws in book.worksheets:
        ws.freeze_panes = "A2"
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = 14
    sheet.column_dimensions["E"].width = 60
    return downloads.workbook_bytes(book)


def _exported_question(dim, q):
    return [
        dim["code"],
        dim["name"],
        dim["weight"],
        q["code"],
        q["text"],
        KIND_WORDS[q["kind"]],
        _yes(q["reverse"]),
        q["weight"],
        q.get("cause", ""),
        q.get("aspect", ""),
        _yes(q["required"]),
        _yes(q["allow_na"]),
        format_band_lines(q.get("bands"), sep="; "),
        format_choice_lines(q.get("choices")),
        q["unit_label"],
        q.get("max_value"),
        q["help"],
        EVIDENCE_WORDS.get(q.get("evidence", "none"), ""),
    ]


# ---------------------------------------------------------------- import -------


def _question_row(number, row):
    where = f"“{QUESTION_SHEET}”第{number}行"
    code = cell_text(row.get("题目编码"))
    if not code:
        raise VersionError(f"{where}：缺少题目编码。")
    kind = cell_text(row.get("题型"))
    item = {"code": code, "text": cell_text(row.get("题目")), "kind": KIND_CODES.get(kind, kind)}
    for column, key in (("反向计分", "reverse"), ("必答", "required"), ("允许不适用", "allow_na")):
        if not blank(row.get(column)):
            item[key] = cell_bool(row[column], where=where, what=column)
    for column, key in (("成因", "cause"), ("融合方面", "aspect"), ("单位", "unit_label")):
        if not blank(row.get(column)):
            item[key] = cell_text(row[column])
    if not blank(row.get("填写说明")):
        item["help"] = cell_text(row["填写说明"])
    if not blank(row.get("佐证材料")):
        item["evidence"] = cell_text(row["佐证材料"])
    if not blank(row.get("权重")):
        item["weight"] = cell_number(row["权重"], where=where, what="权重")
    if not blank(row.get("最大值")):
        item["max_value"] = cell_number(row["最大值"], where=where, what="最大值", integer=True)
    try:
        if not blank(row.get("分档")):
            item["bands"] = parse_band_lines(cell_text(row["分档"]))
        if not blank(row.get("选项")):
            item["choices"] = parse_choice_lines(cell_text(row["选项"]))
    except VersionError as exc:
        raise VersionError(f"{where}：{exc}") from None
    return item


def _xlsx_data(content):
    """The workbook as the instrument dict, and the row of each question and dimension code."""
    return read_workbook(content, _book_data)


def _book_data(book):
    data = {}
    header, info = sheet_rows(book, INFO_SHEET)
    check_header(header, INFO_SHEET, ["项目", "内容"])
    for number, row in info:
        label, value = cell_text(row.get("项目")), row.get("内容")
        if label not in INFO_ROWS:
            raise VersionError(f"“{INFO_SHEET}”第{number}行：无法识别的项目“{shown(label)}”。")
        key = INFO_ROWS[label]
        if key == "version" and not blank(value):
            value = cell_number(value, where=f"“{INFO_SHEET}”第{number}行", what="版本号")
        elif key == "min_answered_ratio" and not blank(value):
            value = cell_number(value, where=f"“{INFO_SHEET}”第{number}行", what="作答比例")
        elif key != "version":
            value = cell_text(value)
        data[key] = value

    header, grade_rows = sheet_rows(book, GRADE_SHEET)
    check_header(header, GRADE_SHEET, ["等次", "最低分"])
    data["grade_bands"] = [
        {
            "label": cell_text(row["等次"]),
            "min": cell_number(row["最低分"], where=f"“{GRADE_SHEET}”第{n}行", what="最低分"),
        }
        for n, row in grade_rows
    ]

    header, question_rows = sheet_rows(book, QUESTION_SHEET)
    check_header(header, QUESTION_SHEET, QUESTION_COLUMNS, OPTIONAL_COLUMNS)
    if not question_rows:
        raise VersionError(f"工作表“{QUESTION_SHEET}”没有题目。")
    dimensions, where_is = {}, {}
    for number, row in question_rows:
        where = f"“{QUESTION_SHEET}”第{number}行"
        code = cell_text(row.get("维度编码"))
        if not code:
            raise VersionError(f"{where}：缺少维度编码。")
        name, weight = cell_text(row.get("维度名称")), row.get("维度权重")
        weight = None if blank(weight) else cell_number(weight, where=where, what="维度权重")
        if code not in dimensions:
            # Later rows of the same dimension may leave its name and weight blank.
            dimensions[code] = {"code": code, "name": name, "questions": []}
            if weight is not None:
                dimensions[code]["weight"] = weight
            where_is[f"维度 {code}"] = number
        elif (name and name != dimensions[code]["name"]) or (
            weight is not None and weight != dimensions[code].get("weight", 1)
        ):
            raise VersionError(
                f"{where}：维度 {code} 的名称或权重与第{where_is[f'维度 {code}']}行不一致。"
            )
        question = _question_row(number, row)
        key = f"题目 {question['code']}"
        if key in where_is:
            raise VersionError(
                f"{where}：题目编码“{question['code']}”与第{where_is[key]}行重复，"
                "整份问卷内每道题的编码必须不同。"
            )
        where_is[key] = number
        dimensions[code]["questions"].append(question)

    header, notes = sheet_rows(book, DIMENSION_SHEET, required=False)
    if header is not None:
        check_header(header, DIMENSION_SHEET, ["维度编码", "对应问题", "维度说明"])
        for number, row in notes:
            code = cell_text(row.get("维度编码"))
            if code not in dimensions:
                raise VersionError(
                    f"“{DIMENSION_SHEET}”第{number}行：题目表中没有维度“{shown(code)}”。"
                )
            dimensions[code]["problem"] = cell_text(row.get("对应问题"))
            dimensions[code]["description"] = cell_text(row.get("维度说明"))
    data["dimensions"] = list(dimensions.values())
    return data, where_is


def _located(message, where_is):
    """Prefix the validator's message with the row it is about, when it names one."""
    match = re.match(r"(题目|维度) (\S+?)：", message)
    if match and match.group(0)[:-1] in where_is:
        return f"“{QUESTION_SHEET}”第{where_is[match.group(0)[:-1]]}行：{message}"
    return message


def _row_of(message):
    match = re.match(rf"“{QUESTION_SHEET}”第(\d+)行", message)
    return int(match.group(1)) if match else 0


def instrument_from_upload(filename, content):
    """The validated InstrumentSpec in an uploaded .xlsx, .json or .yaml file."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise VersionError("文件过大（超过 2 MB），请检查是否选错了文件。")
    where_is, kind = {}, upload_kind(filename)
    if kind == "XLSX":
        data, where_is = _xlsx_data(content)
    elif kind is not None:
        data = text_data(content, kind)
    else:
        raise VersionError("只能导入 .xlsx 或 .json 文件（也可导入 .yaml 问卷文件）。")
    try:
        return parse_instrument(data)
    except InstrumentError as exc:
        located = [_located(problem, where_is) for problem in exc.problems]
        if where_is:  # spreadsheet rows: in row order
            located.sort(key=_row_of)
        raise VersionError("\n".join(located)) from None


def questionnaire_import(*, user, filename, content) -> Questionnaire:
    """A NEW version from an uploaded file; nothing is written unless all of it is valid.

    It keeps the file's version number when that number is new and above every stored one,
    and otherwise takes the next free number: an import never overwrites a version."""
    require_office(user, OFFICE_ONLY)
    spec = instrument_from_upload(filename, content)
    with transaction.atomic():
        latest = _next_version(spec.code) - 1
        version = spec.version if spec.version > latest else latest + 1
        if version > MAX_INTEGER:
            raise VersionError(
                f"问卷“{spec.code}”的版本号已达上限 {MAX_INTEGER}，无法再导入新版本。"
            )
        q = _create(
            code=spec.code,
            version=version,
            title=spec.title,
            description=spec.description,
            min_answered_ratio=spec.min_answered_ratio,
            source_sha256=hashlib.sha256(content).hexdigest(),
        )
        GradeBand.objects.bulk_create(
            GradeBand(questionnaire=q, label=b.label, min_score=b.min_score)
            for b in spec.grade_bands
        )
        for order, dim_spec in enumerate(spec.dimensions, start=1):
            dimension = Dimension.objects.create(
                questionnaire=q,
                order=order,
                **{f: getattr(dim_spec, f) for f in ("code", "name", "problem", "description")},
                weight=dim_spec.weight,
            )
            Question.objects.bulk_create(
                Question(
                    questionnaire=q,
                    dimension=dimension,
                    code=q_spec.code,
                    order=q_order,
                    **{f: getattr(q_spec, f) for f in QUESTION_FIELDS},
                )
                for q_order, q_spec in enumerate(dim_spec.questions, start=1)
            )
        events.questionnaire_imported(actor=user, questionnaire=q, filename=filename)
    return q
