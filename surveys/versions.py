"""Questionnaire versions: list, clone, edit while unfrozen, AHP weights, export and import.

A version is frozen as soon as a round uses it: answers point at its questions, and scores
already shown must not change under them. Every write here therefore locks the row, refuses a
frozen version, and — after changing it — runs the whole questionnaire through
`parse_instrument`, the same validator the YAML file and the uploads go through, so that
no path can leave a version the loader would reject.

The exchange format is the YAML instrument's structure (`questionnaire_data`); JSON is that
dict as JSON, and XLSX is the same dict laid out as one row per question.
"""

import hashlib
import io
import json
import math
import re

import openpyxl
import yaml
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch

from reports.ahp import ahp_weights, complete_reciprocal, ensure_acceptable, scale_label
from surveys.instrument import (
    QUESTION_FIELDS,
    InstrumentError,
    parse_instrument,
)
from surveys.models import (
    AspectTag,
    AuditEvent,
    CauseTag,
    Dimension,
    GradeBand,
    Question,
    Questionnaire,
    Round,
)

FROZEN_MESSAGE = "该问卷版本已被测评批次使用，不能修改；请先复制为新版本。"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class VersionError(Exception):
    """A refused change or an unusable file, with a message fit to show the office."""


def _require_office(user):
    if not user.is_office:
        raise PermissionDenied("只有机关工委工作人员可以管理问卷版本。")


def _audit(user, action, questionnaire, note, **detail):
    AuditEvent.objects.create(
        actor=user,
        action=action,
        detail={"name": questionnaire.code, "version": questionnaire.version, "note": note}
        | detail,
    )


# ---------------------------------------------------------------- reads --------


def questionnaires_for_list():
    """Every version with what the list shows, in three queries."""
    return (
        Questionnaire.objects.select_related("cloned_from")
        .annotate(
            dimension_count=Count("dimensions", distinct=True),
            question_count=Count("questions", distinct=True),
        )
        .prefetch_related(Prefetch("rounds", queryset=Round.objects.order_by("opens_at")))
        .order_by("code", "-version")
    )


def questionnaire_for_page():
    return Questionnaire.objects.select_related("cloned_from").prefetch_related(
        "rounds",
        "grade_bands",
        Prefetch("dimensions", queryset=Dimension.objects.prefetch_related("questions")),
    )


# ---------------------------------------------------------------- plain helpers --


def plain_number(value):
    """A stored number as the office wrote it: 4, not 4.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _number(text):
    text = str(text).strip()
    try:
        value = int(text)
    except ValueError:
        value = float(text)  # ValueError for the caller
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(text)
    return value


def parse_band_lines(text):
    """ "0:0; 2:50; 4:80" (or one per line) → [{"min": 0, "score": 0}, …], checked."""
    bands = []
    for item in (s.strip() for s in re.split(r"[\n;；]+", text or "")):
        if not item:
            continue
        parts = item.replace("：", ":").split(":")
        if len(parts) != 2:
            raise VersionError(f"分档“{item}”应写成“下限:得分”，如 2:50。")
        try:
            low, score = _number(parts[0]), _number(parts[1])
        except ValueError:
            raise VersionError(f"分档“{item}”中的下限和得分都应为数字。") from None
        if not bands and low != 0:
            raise VersionError(f"第一档的下限必须为 0，现为 {parts[0].strip()}。")
        if bands and low <= bands[-1]["min"]:
            raise VersionError(f"分档下限必须逐档增大：{low} 不大于上一档的 {bands[-1]['min']}。")
        if not 0 <= score <= 100:
            raise VersionError(f"分档得分须在 0–100 之间，“{item}”的得分为 {score}。")
        bands.append({"min": low, "score": score})
    return bands


def parse_choice_lines(text):
    """One option a line, "编码:文字:得分" → [{"value", "label", "score"}], checked."""
    choices = []
    for item in (s.strip() for s in (text or "").splitlines()):
        if not item:
            continue
        item = item.replace("：", ":")
        value, _, rest = item.partition(":")
        label, _, score = rest.rpartition(":")
        value, label = value.strip(), label.strip()
        if not (value and label and score.strip()):
            raise VersionError(f"选项“{item}”应写成“编码:文字:得分”，如 a:已建立:100。")
        try:
            score = _number(score)
        except ValueError:
            raise VersionError(f"选项“{item}”的得分应为数字。") from None
        if not 0 <= score <= 100:
            raise VersionError(f"选项得分须在 0–100 之间，“{item}”的得分为 {score}。")
        if len(value) > 32 or value in {c["value"] for c in choices}:
            raise VersionError(f"选项编码“{value}”重复或过长（最多 32 个字符）。")
        choices.append({"value": value, "label": label, "score": score})
    if len(choices) == 1:
        raise VersionError("单选题至少需要两个选项。")
    return choices


def format_band_lines(bands, sep="\n"):
    return sep.join(f"{plain_number(b['min'])}:{plain_number(b['score'])}" for b in bands or [])


def format_choice_lines(choices):
    return "\n".join(f"{c['value']}:{c['label']}:{plain_number(c['score'])}" for c in choices or [])


# ---------------------------------------------------------------- export -------

CAUSE_WORDS = {tag.value: tag.label for tag in CauseTag}  # xuhua → 虚化
ASPECT_WORDS = {tag.value: tag.label[:2] for tag in AspectTag}  # goal → 目标


def questionnaire_data(questionnaire):
    """The version as the YAML instrument's dict; `parse_instrument` reads it back."""
    dimensions = []
    for dimension in questionnaire.dimensions.order_by("order", "id"):
        questions = []
        for q in dimension.questions.order_by("order", "id"):
            item = {
                "code": q.code,
                "text": q.text,
                "kind": q.kind,
                "reverse": q.reverse_keyed,
                "weight": plain_number(q.weight),
                "required": q.required,
                "allow_na": q.allow_na,
                "help": q.help_text,
                "unit_label": q.unit_label,
            }
            if q.is_scored:
                item["cause"] = CAUSE_WORDS.get(q.cause, q.cause)
                item["aspect"] = ASPECT_WORDS.get(q.aspect, q.aspect)
            if q.kind == Question.Kind.NUMBER:
                item["bands"] = q.bands
                if q.max_value is not None:
                    item["max_value"] = q.max_value
            if q.kind == Question.Kind.CHOICE:
                item["choices"] = q.choices
            questions.append(item)
        dimensions.append(
            {
                "code": dimension.code,
                "name": dimension.name,
                "problem": dimension.problem,
                "description": dimension.description,
                "weight": plain_number(dimension.weight),
                "questions": questions,
            }
        )
    return {
        "code": questionnaire.code,
        "version": questionnaire.version,
        "title": questionnaire.title,
        "description": questionnaire.description,
        "min_answered_ratio": plain_number(questionnaire.min_answered_ratio),
        "grade_bands": [
            {"label": b.label, "min": plain_number(b.min_score)}
            for b in questionnaire.grade_bands.order_by("-min_score")
        ],
        "dimensions": dimensions,
    }


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
]
OPTIONAL_COLUMNS = {"填写说明"}
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
    info.append(["项目", "内容"])
    for label, key in INFO_ROWS.items():
        info.append([label, data[key]])
    sheet = book.create_sheet(QUESTION_SHEET)
    sheet.append(QUESTION_COLUMNS)
    for dim in data["dimensions"]:
        for q in dim["questions"]:
            sheet.append(
                [
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
                ]
            )
    grades = book.create_sheet(GRADE_SHEET)
    grades.append(["等次", "最低分"])
    for band in data["grade_bands"]:
        grades.append([band["label"], band["min"]])
    dims = book.create_sheet(DIMENSION_SHEET)
    dims.append(["维度编码", "对应问题", "维度说明"])
    for dim in data["dimensions"]:
        dims.append([dim["code"], dim["problem"], dim["description"]])
    for ws in book.worksheets:
        ws.freeze_panes = "A2"
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = 14
    sheet.column_dimensions["E"].width = 60
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- import -------


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _cell_text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _cell_number(value, *, where, what, integer=False):
    if isinstance(value, bool):
        raise VersionError(f"{where}：{what}应为数字，现为“{value}”。")
    if isinstance(value, str):
        try:
            value = _number(value)
        except ValueError:
            raise VersionError(f"{where}：{what}应为数字，现为“{value}”。") from None
    if not isinstance(value, int | float):
        raise VersionError(f"{where}：{what}应为数字，现为“{value}”。")
    value = plain_number(value)
    if integer and not isinstance(value, int):
        raise VersionError(f"{where}：{what}应为整数，现为“{value}”。")
    return value


TRUE_WORDS, FALSE_WORDS = {"是", "true", "1", "y", "yes"}, {"否", "false", "0", "n", "no"}


def _cell_bool(value, *, where, what):
    word = _cell_text(value).lower() if not isinstance(value, bool) else str(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise VersionError(f"{where}：{what}应填“是”或“否”，现为“{value}”。")


def _rows(book, name, *, required=True):
    if name not in book.sheetnames:
        if required:
            raise VersionError(f"Excel 文件缺少工作表“{name}”。请使用本系统导出的文件作为模板。")
        return None, []
    rows = list(book[name].iter_rows(values_only=True))
    if not rows:
        raise VersionError(f"工作表“{name}”是空的。")
    header = [_cell_text(v) for v in rows[0]]
    while header and not header[-1]:
        header.pop()
    body = [
        (number, dict(zip(header, row, strict=False)))
        for number, row in enumerate(rows[1:], start=2)
        if any(not _blank(v) for v in row)
    ]
    return header, body


def _check_header(header, sheet, expected, optional=()):
    missing = [c for c in expected if c not in header and c not in optional]
    unknown = [c for c in header if c not in expected]
    if missing or unknown or len(set(header)) != len(header):
        parts = []
        if missing:
            parts.append(f"缺少列 {'、'.join(missing)}")
        if unknown:
            parts.append(f"无法识别的列 {'、'.join(c or '（空白）' for c in unknown)}")
        if len(set(header)) != len(header):
            parts.append("有重复的列")
        raise VersionError(
            f"工作表“{sheet}”第1行（表头）有误：{'；'.join(parts)}。应为：{'、'.join(expected)}。"
        )


def _question_row(number, row):
    where = f"“{QUESTION_SHEET}”第{number}行"
    code = _cell_text(row.get("题目编码"))
    if not code:
        raise VersionError(f"{where}：缺少题目编码。")
    kind = _cell_text(row.get("题型"))
    item = {"code": code, "text": _cell_text(row.get("题目")), "kind": KIND_CODES.get(kind, kind)}
    for column, key in (("反向计分", "reverse"), ("必答", "required"), ("允许不适用", "allow_na")):
        if not _blank(row.get(column)):
            item[key] = _cell_bool(row[column], where=where, what=column)
    for column, key in (("成因", "cause"), ("融合方面", "aspect"), ("单位", "unit_label")):
        if not _blank(row.get(column)):
            item[key] = _cell_text(row[column])
    if not _blank(row.get("填写说明")):
        item["help"] = _cell_text(row["填写说明"])
    if not _blank(row.get("权重")):
        item["weight"] = _cell_number(row["权重"], where=where, what="权重")
    if not _blank(row.get("最大值")):
        item["max_value"] = _cell_number(row["最大值"], where=where, what="最大值", integer=True)
    try:
        if not _blank(row.get("分档")):
            item["bands"] = parse_band_lines(_cell_text(row["分档"]))
        if not _blank(row.get("选项")):
            item["choices"] = parse_choice_lines(_cell_text(row["选项"]))
    except VersionError as exc:
        raise VersionError(f"{where}：{exc}") from None
    return item


def _xlsx_data(content):
    """The workbook as the instrument dict, and the row of each question and dimension code."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise VersionError(
            "文件不是有效的 Excel 工作簿（.xlsx）。请使用本系统导出的文件作为模板。"
        ) from None
    data = {}
    header, info = _rows(book, INFO_SHEET)
    _check_header(header, INFO_SHEET, ["项目", "内容"])
    for number, row in info:
        label, value = _cell_text(row.get("项目")), row.get("内容")
        if label not in INFO_ROWS:
            raise VersionError(f"“{INFO_SHEET}”第{number}行：无法识别的项目“{label}”。")
        key = INFO_ROWS[label]
        if key == "version" and not _blank(value):
            value = _cell_number(value, where=f"“{INFO_SHEET}”第{number}行", what="版本号")
        elif key == "min_answered_ratio" and not _blank(value):
            value = _cell_number(value, where=f"“{INFO_SHEET}”第{number}行", what="作答比例")
        elif key != "version":
            value = _cell_text(value)
        data[key] = value

    header, grade_rows = _rows(book, GRADE_SHEET)
    _check_header(header, GRADE_SHEET, ["等次", "最低分"])
    data["grade_bands"] = [
        {
            "label": _cell_text(row["等次"]),
            "min": _cell_number(row["最低分"], where=f"“{GRADE_SHEET}”第{n}行", what="最低分"),
        }
        for n, row in grade_rows
    ]

    header, question_rows = _rows(book, QUESTION_SHEET)
    _check_header(header, QUESTION_SHEET, QUESTION_COLUMNS, OPTIONAL_COLUMNS)
    if not question_rows:
        raise VersionError(f"工作表“{QUESTION_SHEET}”没有题目。")
    dimensions, where_is = {}, {}
    for number, row in question_rows:
        where = f"“{QUESTION_SHEET}”第{number}行"
        code = _cell_text(row.get("维度编码"))
        if not code:
            raise VersionError(f"{where}：缺少维度编码。")
        name, weight = _cell_text(row.get("维度名称")), row.get("维度权重")
        weight = None if _blank(weight) else _cell_number(weight, where=where, what="维度权重")
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

    header, notes = _rows(book, DIMENSION_SHEET, required=False)
    if header is not None:
        _check_header(header, DIMENSION_SHEET, ["维度编码", "对应问题", "维度说明"])
        for number, row in notes:
            code = _cell_text(row.get("维度编码"))
            if code not in dimensions:
                raise VersionError(f"“{DIMENSION_SHEET}”第{number}行：题目表中没有维度“{code}”。")
            dimensions[code]["problem"] = _cell_text(row.get("对应问题"))
            dimensions[code]["description"] = _cell_text(row.get("维度说明"))
    data["dimensions"] = list(dimensions.values())
    return data, where_is


def _located(message, where_is):
    """Prefix the validator's message with the row it is about, when it names one."""
    match = re.match(r"(题目|维度) (\S+?)：", message)
    if match and match.group(0)[:-1] in where_is:
        return f"“{QUESTION_SHEET}”第{where_is[match.group(0)[:-1]]}行：{message}"
    return message


def instrument_from_upload(filename, content):
    """The validated InstrumentSpec in an uploaded .xlsx, .json or .yaml file."""
    name = (filename or "").lower()
    if len(content) > MAX_UPLOAD_BYTES:
        raise VersionError("文件过大（超过 2 MB），请检查是否选错了文件。")
    where_is = {}
    if name.endswith(".xlsx"):
        data, where_is = _xlsx_data(content)
    elif name.endswith((".json", ".yaml", ".yml")):
        try:
            text = content.decode("utf-8-sig")
            data = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
        except UnicodeDecodeError:
            raise VersionError("文件须为 UTF-8 编码。") from None
        except json.JSONDecodeError as exc:
            raise VersionError(f"JSON 格式有误：第 {exc.lineno} 行第 {exc.colno} 列。") from None
        except yaml.YAMLError as exc:
            raise VersionError(f"YAML 格式有误：{exc}") from None
    else:
        raise VersionError("只能导入 .xlsx 或 .json 文件（也可导入 .yaml 问卷文件）。")
    try:
        return parse_instrument(data)
    except InstrumentError as exc:
        raise VersionError(_located(str(exc), where_is)) from None


# ---------------------------------------------------------------- writes -------


def _lock_editable(questionnaire):
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.is_frozen:
        raise VersionError(FROZEN_MESSAGE)
    return locked


def _validate(questionnaire):
    """Raise (and so roll back) if the edited version is no longer a valid instrument."""
    try:
        parse_instrument(questionnaire_data(questionnaire))
    except InstrumentError as exc:
        raise VersionError(f"修改未保存：{exc}") from None


def _next_version(code):
    return (Questionnaire.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1


def _create(**fields):
    try:
        with transaction.atomic():
            return Questionnaire.objects.create(**fields)
    except IntegrityError:
        # Two offices creating the same code's next version at once: one of them retries.
        raise VersionError("该问卷刚刚由他人生成了新版本，请刷新页面后重试。") from None


def questionnaire_clone(*, user, questionnaire) -> Questionnaire:
    """A new editable draft: same code, next version, every band, dimension and question."""
    _require_office(user)
    with transaction.atomic():
        source = Questionnaire.objects.get(pk=questionnaire.pk)
        clone = _create(
            code=source.code,
            version=_next_version(source.code),
            title=source.title,
            description=source.description,
            min_answered_ratio=source.min_answered_ratio,
            cloned_from=source,
            ahp_matrix=source.ahp_matrix,
            ahp_cr=source.ahp_cr,
        )
        GradeBand.objects.bulk_create(
            GradeBand(questionnaire=clone, label=b.label, min_score=b.min_score)
            for b in source.grade_bands.all()
        )
        for dimension in source.dimensions.prefetch_related("questions"):
            questions = list(dimension.questions.all())
            dimension.pk, dimension.questionnaire = None, clone
            dimension.save(force_insert=True)
            for question in questions:
                question.pk, question.questionnaire, question.dimension = None, clone, dimension
            Question.objects.bulk_create(questions)
        _audit(user, AuditEvent.Action.QUESTIONNAIRE_CHANGED, clone, f"由第{source.version}版复制")
    return clone


def questionnaire_update(
    *, user, questionnaire, title, description, min_answered_ratio, dimensions, grade_bands
):
    """Save the header, the dimensions ({id, name, problem, weight, order}) and the bands."""
    _require_office(user)
    with transaction.atomic():
        q = _lock_editable(questionnaire)
        changes = {}
        for field, label, value in (
            ("title", "问卷名称", title),
            ("description", "说明", description),
            ("min_answered_ratio", "维度最低作答比例", min_answered_ratio),
        ):
            if getattr(q, field) != value:
                changes[label] = [plain_number(getattr(q, field)), plain_number(value)]
                setattr(q, field, value)
        q.save(update_fields=["title", "description", "min_answered_ratio"])
        existing = {d.pk: d for d in q.dimensions.all()}
        if sorted(existing) != sorted(item["id"] for item in dimensions):
            raise VersionError("维度列表已变化，请刷新页面后重新填写。")
        for item in dimensions:
            dimension = existing[item["id"]]
            for field in ("name", "problem", "weight", "order"):
                if getattr(dimension, field) != item[field]:
                    changes[f"{dimension.name}·{Dimension._meta.get_field(field).verbose_name}"] = [
                        plain_number(getattr(dimension, field)),
                        plain_number(item[field]),
                    ]
                    setattr(dimension, field, item[field])
            dimension.save(update_fields=["name", "problem", "weight", "order"])
        old_bands = [(b.label, b.min_score) for b in q.grade_bands.all()]
        new_bands = sorted(((b["label"], b["min_score"]) for b in grade_bands), key=lambda b: -b[1])
        if old_bands != new_bands:
            changes["等次划分"] = [_bands_text(old_bands), _bands_text(new_bands)]
            q.grade_bands.all().delete()
            GradeBand.objects.bulk_create(
                GradeBand(questionnaire=q, label=label, min_score=low) for label, low in new_bands
            )
        _validate(q)
        if changes:
            _audit(user, AuditEvent.Action.QUESTIONNAIRE_CHANGED, q, "修改问卷", changes=changes)
    return q


def _bands_text(bands):
    return "、".join(f"{label}≥{plain_number(low)}" for label, low in bands)


EDITABLE_QUESTION_FIELDS = {"dimension", "code", "order"} | set(QUESTION_FIELDS)


def question_save(*, user, questionnaire, data, question=None) -> Question:
    """Create (question=None) or change one question of an unfrozen version."""
    _require_office(user)
    unknown = set(data) - EDITABLE_QUESTION_FIELDS
    if unknown:
        raise ValueError(f"not question fields: {sorted(unknown)}")
    with transaction.atomic():
        q = _lock_editable(questionnaire)
        if question is None:
            question = Question(questionnaire=q)
        elif question.questionnaire_id != q.pk:
            raise VersionError("该题目不属于此问卷版本。")
        else:
            question = Question.objects.get(pk=question.pk)  # leave the caller's copy alone
        if data["dimension"].questionnaire_id != q.pk:
            raise VersionError("所选维度不属于此问卷版本。")
        if q.questions.filter(code=data["code"]).exclude(pk=question.pk).exists():
            raise VersionError(f"题目编码“{data['code']}”已被本问卷的其他题目使用。")
        created = question.pk is None
        for field, value in data.items():
            setattr(question, field, value)
        try:
            question.save()
        except IntegrityError:
            raise VersionError(
                "题目数据不符合要求：计分题须标注成因和融合方面，权重须大于 0。"
            ) from None
        _validate(q)
        note = f"{'新增' if created else '修改'}题目 {question.code}"
        _audit(user, AuditEvent.Action.QUESTIONNAIRE_CHANGED, q, note)
    return question


def question_delete(*, user, question):
    _require_office(user)
    with transaction.atomic():
        q = _lock_editable(question.questionnaire)
        question.delete()
        _validate(q)
        _audit(user, AuditEvent.Action.QUESTIONNAIRE_CHANGED, q, f"删除题目 {question.code}")


def questionnaire_import(*, user, filename, content) -> Questionnaire:
    """A NEW version from an uploaded file; nothing is written unless all of it is valid.

    It keeps the file's version number when that number is new and above every stored one,
    and otherwise takes the next free number: an import never overwrites a version."""
    _require_office(user)
    spec = instrument_from_upload(filename, content)
    with transaction.atomic():
        latest = _next_version(spec.code) - 1
        version = spec.version if spec.version > latest else latest + 1
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
        _audit(user, AuditEvent.Action.QUESTIONNAIRE_LOADED, q, f"从文件 {filename} 导入")
    return q


# ---------------------------------------------------------------- AHP ----------


def ahp_compute(questionnaire, judgements):
    """(matrix, AhpResult) for the judgements {(i, j): "3"} over the version's dimensions."""
    labels = [d.name for d in questionnaire.dimensions.order_by("order", "id")]
    matrix = complete_reciprocal(judgements, len(labels), labels=labels)
    return matrix, ahp_weights(matrix)


def inconsistency_notes(result, labels, limit=3):
    """The judgements that disagree most with the rest, as sentences for the office."""
    notes = []
    for pair in result.inconsistent_pairs[:limit]:
        if pair.factor < 1.5:
            break
        notes.append(
            f"“{labels[pair.i]}”相对“{labels[pair.j]}”：填写 {scale_label(pair.given)}，"
            f"而按全部判断算得的权重，应约为 {pair.implied:.2f}（相差约 {pair.factor:.1f} 倍）。"
        )
    return notes


def ahp_matrix_entries(questionnaire):
    """The stored judgements {(i, j): "1/3"} if they still fit the version's dimensions."""
    stored = questionnaire.ahp_matrix or {}
    codes = list(questionnaire.dimensions.order_by("order", "id").values_list("code", flat=True))
    if stored.get("dimensions") != codes:
        return {}
    matrix = stored["matrix"]
    return {
        (i, j): scale_label(matrix[i][j])
        for i in range(len(codes))
        for j in range(i + 1, len(codes))
    }


def dimension_weights_apply(*, user, questionnaire, judgements):
    """Set the dimension weights from an acceptable (CR < 0.10) judgement matrix."""
    _require_office(user)
    with transaction.atomic():
        q = _lock_editable(questionnaire)
        dimensions = list(q.dimensions.order_by("order", "id"))
        labels = [d.name for d in dimensions]
        matrix, result = ahp_compute(q, judgements)
        ensure_acceptable(result, labels=labels)  # AhpError rolls back
        changes = {}
        for dimension, weight in zip(dimensions, result.weights, strict=True):
            changes[f"{dimension.name}·权重"] = [round(dimension.weight, 4), round(weight, 4)]
            dimension.weight = weight
            dimension.save(update_fields=["weight"])
        q.ahp_matrix = {"dimensions": [d.code for d in dimensions], "matrix": matrix.tolist()}
        q.ahp_cr = result.cr
        q.save(update_fields=["ahp_matrix", "ahp_cr"])
        _audit(
            user,
            AuditEvent.Action.QUESTIONNAIRE_CHANGED,
            q,
            f"按层次分析法设置维度权重（CR = {result.cr:.3f}）",
            changes=changes,
        )
    return result
