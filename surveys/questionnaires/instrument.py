"""The instrument as data: a YAML file the office can read, validated and loaded into the
Questionnaire / Dimension / Question / GradeBand rows.

`parse_instrument` is pure (a dict in, an InstrumentSpec out) so that validation is tested
without a database; `load_questionnaire` is the one write path, and it is idempotent because
`make setup` runs it on every start.
"""

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml
from django.db import transaction

from surveys.audit import events
from surveys.questionnaires.models import (
    AspectTag,
    CauseTag,
    Dimension,
    GradeBand,
    Question,
    Questionnaire,
)

STANDARD_PATH = Path(__file__).resolve().parent / "instruments" / "standard.yaml"


class InstrumentError(Exception):
    """An instrument that cannot be loaded, with a message fit to show the office.

    `problems` lists every fault found (one line each); the message joins them."""

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.problems = list(problems) if problems else [message]


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    text: str
    kind: str
    reverse_keyed: bool = False
    weight: float = 1.0
    cause: str = ""
    aspect: str = ""
    required: bool = True
    allow_na: bool = False
    evidence: str = "none"
    help_text: str = ""
    bands: list = field(default_factory=list)
    unit_label: str = ""
    max_value: int | None = None
    choices: list = field(default_factory=list)


@dataclass(frozen=True)
class DimensionSpec:
    code: str
    name: str
    problem: str = ""
    description: str = ""
    weight: float = 1.0
    questions: list[QuestionSpec] = field(default_factory=list)


@dataclass(frozen=True)
class GradeBandSpec:
    label: str
    min_score: float


@dataclass(frozen=True)
class InstrumentSpec:
    code: str
    version: int
    title: str
    description: str
    min_answered_ratio: float
    grade_bands: list[GradeBandSpec]
    dimensions: list[DimensionSpec]

    @property
    def questions(self):
        return [q for d in self.dimensions for q in d.questions]


# QuestionSpec's fields carry the Question model's field names, so syncing is a copy.
QUESTION_FIELDS = [f.name for f in fields(QuestionSpec) if f.name != "code"]

# The file may say a tag either as the code or as the Chinese word the office uses.
CAUSES = {tag.value: tag.value for tag in CauseTag}
CAUSES.update({tag.label: tag.value for tag in CauseTag})  # 虚化 …
ASPECTS = {tag.value: tag.value for tag in AspectTag}
ASPECTS.update({"目标": "goal", "机制": "mechanism", "载体": "carrier"})
ASPECTS.update({tag.label: tag.value for tag in AspectTag})  # 目标融合 …

KINDS = {kind.value for kind in Question.Kind}
SCORED_KINDS = {str(kind) for kind in Question.SCORED_KINDS}
QUESTION_KEYS = {
    "code",
    "text",
    "kind",
    "reverse",
    "weight",
    "cause",
    "aspect",
    "required",
    "allow_na",
    "evidence",
    "help",
    "bands",
    "unit_label",
    "max_value",
    "choices",
}


# Limits. Everything is checked here, in Python, before anything is written, so SQLite and
# PostgreSQL answer a file the same way. Text lengths are the model fields' own max_length.
MAX_DIMENSIONS = 20
MAX_QUESTIONS = 500
MAX_CHOICES = 50
MAX_BANDS = 20  # a number item's bands, and the grade bands
MAX_WEIGHT = 1000
# PositiveIntegerField (version, max_value) is PostgreSQL's integer; SQLite's is wider, so the
# smaller of the two is the limit on both.
MAX_INTEGER = 2**31 - 1
MAX_LONG_TEXT = 5000  # TextFields (description, question text, help) have no limit of their own
MAX_CHOICE_LABEL = 200  # inside Question.choices (JSON), which has no max_length either
MAX_CHOICE_VALUE = 32
# Codes name form fields and appear in files and URLs: letters, digits and _ - . only.
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
MAX_DEPTH = 10  # the instrument nests 7 deep (…questions → a question → choices → a choice)
MAX_NODES = 100_000  # lists, dicts and values in all; YAML aliases count each time they are used


def max_length(model, name):
    return model._meta.get_field(name).max_length


def shown(value, limit=30):
    """A value quoted in a message: short, one line, never a whole nested structure."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "（过大的数字）"
    if isinstance(value, dict | list):
        return "（列表或字典）"
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_shape(data):
    """Refuse nesting deeper than MAX_DEPTH and more than MAX_NODES values in all, walking
    the parsed file without recursion, before anything reads it field by field."""
    stack, nodes = [(data, 1)], 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise InstrumentError(
                f"问卷文件内容过多（超过 {MAX_NODES} 项），请检查是否选错了文件。"
            )
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise InstrumentError(f"问卷文件嵌套层数过多（最多 {MAX_DEPTH} 层）。")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)


def _count(items, limit, *, where, what):
    if len(items) > limit:
        raise InstrumentError(f"{where}：{what}最多 {limit} 个，现有 {len(items)} 个。")


def _number(value, *, where, what, low=None, high=None):
    """A finite number, as a float; ``low``/``high`` bound it (inclusive) when given."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InstrumentError(f"{where}：{what}应为数字，现为“{shown(value)}”。")
    try:
        number = float(value)
    except OverflowError:  # an int past float's range
        number = math.inf
    if not math.isfinite(number):
        raise InstrumentError(f"{where}：{what}应为有限的数字，现为“{shown(value)}”。")
    if (low is not None and number < low) or (high is not None and number > high):
        raise InstrumentError(f"{where}：{what}须在 {low}–{high} 之间，现为 {shown(value)}。")
    return number


def _integer(value):
    """A whole number 1…MAX_INTEGER, or None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INTEGER:
        return None
    return value


def _bool(value, *, where, what):
    if not isinstance(value, bool):
        raise InstrumentError(f"{where}：{what}应为 true 或 false，现为“{shown(value)}”。")
    return value


def _storable(text):
    """Text a database keeps as it is: no NUL (PostgreSQL refuses it), no lone surrogate, no
    control character but tab and line breaks."""
    return not any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in text)


def _text(value, *, where, what, required=True, limit=MAX_LONG_TEXT):
    if value is None:
        value = ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InstrumentError(f"{where}：{what}应为文字。")
    if isinstance(value, int) and value.bit_length() > 64:
        raise InstrumentError(f"{where}：{what}过长。")
    value = str(value).strip()
    if required and not value:
        raise InstrumentError(f"{where}：缺少{what}。")
    if len(value) > limit:
        raise InstrumentError(f"{where}：{what}最多 {limit} 个字符，现有 {len(value)} 个。")
    if not _storable(value):
        raise InstrumentError(f"{where}：{what}含有无法保存的控制字符，请删去后重新导入。")
    return value


def _code(value, *, where, what, model):
    code = _text(value, where=where, what=what, limit=max_length(model, "code"))
    if not CODE_PATTERN.fullmatch(code):
        raise InstrumentError(
            f"{where}：{what}“{shown(code)}”只能由英文字母、数字和 _ - . 组成，且以字母或数字开头。"
        )
    return code


def _weight(value, *, where):
    weight = _number(value, where=where, what="权重")
    if not 0 < weight <= MAX_WEIGHT:
        raise InstrumentError(
            f"{where}：权重必须大于 0 且不大于 {MAX_WEIGHT}，现为 {shown(value)}。"
        )
    return weight


def _bands(raw, *, where):
    if not isinstance(raw, list) or not raw:
        raise InstrumentError(f"{where}：数值题必须设置分档（bands）。")
    _count(raw, MAX_BANDS, where=where, what="分档")
    bands, previous = [], None
    for band in raw:
        if not isinstance(band, dict) or set(band) != {"min", "score"}:
            raise InstrumentError(f"{where}：每个分档须写成 {{min: 下限, score: 得分}}。")
        low = _number(band["min"], where=where, what="分档下限", low=0, high=MAX_INTEGER)
        _number(band["score"], where=where, what="分档得分", low=0, high=100)
        if previous is None and low != 0:
            raise InstrumentError(f"{where}：第一档的下限必须为 0，现为 {shown(band['min'])}。")
        if previous is not None and low <= previous:
            raise InstrumentError(
                f"{where}：分档下限必须逐档增大，{shown(band['min'])} 不大于上一档的 {previous:g}。"
            )
        bands.append({"min": band["min"], "score": band["score"]})
        previous = low
    return bands


def _choices(raw, *, where):
    if not isinstance(raw, list) or len(raw) < 2:
        raise InstrumentError(f"{where}：单选题至少需要两个选项（choices）。")
    _count(raw, MAX_CHOICES, where=where, what="选项")
    choices, seen = [], set()
    for choice in raw:
        if not isinstance(choice, dict) or set(choice) != {"value", "label", "score"}:
            raise InstrumentError(
                f"{where}：每个选项须写成 {{value: 编码, label: 文字, score: 得分}}。"
            )
        value = _text(choice["value"], where=where, what="选项编码", limit=MAX_CHOICE_VALUE)
        if value in seen:
            raise InstrumentError(f"{where}：选项编码“{value}”重复。")
        seen.add(value)
        _number(choice["score"], where=where, what="选项得分", low=0, high=100)
        label = _text(choice["label"], where=where, what="选项文字", limit=MAX_CHOICE_LABEL)
        choices.append({"value": value, "label": label, "score": choice["score"]})
    return choices


def _question(raw, seen_codes):
    if not isinstance(raw, dict):
        raise InstrumentError(f"题目格式有误：“{shown(raw)}”。")
    code = _code(raw.get("code"), where="题目", what="题目编码（code）", model=Question)
    where = f"题目 {code}"
    if code in seen_codes:
        raise InstrumentError(f"{where}：题目编码重复，整份问卷内每道题的编码必须不同。")
    seen_codes.add(code)
    unknown = sorted(shown(key) for key in set(raw) - QUESTION_KEYS)
    if unknown:
        raise InstrumentError(f"{where}：无法识别的字段 {'、'.join(unknown)}。")
    kind = _text(raw.get("kind"), where=where, what="题型（kind）")
    if kind not in KINDS:
        raise InstrumentError(
            f"{where}：题型“{shown(kind)}”无法识别，应为 likert、yes_no、number、choice 或 text。"
        )
    scored = kind in SCORED_KINDS
    reverse = _bool(raw.get("reverse", False), where=where, what="反向计分（reverse）")
    if reverse and kind not in ("likert", "yes_no"):
        raise InstrumentError(f"{where}：只有五级量表题和是/否题可以反向计分。")
    cause = aspect = ""
    if scored:
        cause_raw = _text(raw.get("cause"), where=where, what="成因（cause）")
        aspect_raw = _text(raw.get("aspect"), where=where, what="融合方面（aspect）")
        if cause_raw not in CAUSES:
            raise InstrumentError(
                f"{where}：成因“{shown(cause_raw)}”无法识别，应为 虚化、弱化 或 分化"
                "（也可写 xuhua、ruohua、fenhua）。"
            )
        if aspect_raw not in ASPECTS:
            raise InstrumentError(
                f"{where}：融合方面“{shown(aspect_raw)}”无法识别，应为 目标、机制 或 载体"
                "（也可写 goal、mechanism、carrier）。"
            )
        cause, aspect = CAUSES[cause_raw], ASPECTS[aspect_raw]
    elif raw.get("cause") or raw.get("aspect"):
        raise InstrumentError(f"{where}：文字题不计分，不应标注成因或融合方面。")
    if kind != "number" and "bands" in raw:
        raise InstrumentError(f"{where}：只有数值题（number）可以设置分档（bands）。")
    if kind != "choice" and "choices" in raw:
        raise InstrumentError(f"{where}：只有单选题（choice）可以设置选项（choices）。")
    max_value = raw.get("max_value")
    if max_value is not None and (kind != "number" or _integer(max_value) is None):
        raise InstrumentError(
            f"{where}：最大值（max_value）只用于数值题，且应为不大于 {MAX_INTEGER} 的正整数。"
        )
    return QuestionSpec(
        code=code,
        text=_text(raw.get("text"), where=where, what="题目内容（text）"),
        kind=kind,
        reverse_keyed=reverse,
        weight=_weight(raw.get("weight", 1), where=where),
        cause=cause,
        aspect=aspect,
        required=_bool(raw.get("required", kind != "text"), where=where, what="必答（required）"),
        allow_na=_bool(raw.get("allow_na", False), where=where, what="不适用（allow_na）"),
        evidence=_evidence(raw.get("evidence", "none"), where=where),
        help_text=_text(raw.get("help"), where=where, what="填写说明", required=False),
        bands=_bands(raw.get("bands"), where=where) if kind == "number" else [],
        unit_label=_text(
            raw.get("unit_label"),
            where=where,
            what="计量单位",
            required=False,
            limit=max_length(Question, "unit_label"),
        ),
        max_value=max_value,
        choices=_choices(raw.get("choices"), where=where) if kind == "choice" else [],
    )


# The file may say the evidence rule as the code or as the Chinese words the page shows.
EVIDENCE = {rule.value: rule.value for rule in Question.Evidence}
EVIDENCE.update({rule.label: rule.value for rule in Question.Evidence})  # 可上传 …
EVIDENCE.update({"无": "none", "可选": "allowed", "必须": "required", "必传": "required"})


def _evidence(value, *, where):
    word = value.strip() if isinstance(value, str) else value
    if not isinstance(word, str) or word not in EVIDENCE:
        raise InstrumentError(
            f"{where}：佐证材料（evidence）“{shown(value)}”无法识别，应为 none（不需要）、"
            "allowed（可上传）或 required（必须上传）。"
        )
    return EVIDENCE[word]


def _grade_bands(raw):
    if not isinstance(raw, list) or not raw:
        raise InstrumentError("问卷缺少等次划分（grade_bands）。")
    _count(raw, MAX_BANDS, where="等次划分", what="等次")
    bands, labels, previous = [], set(), None
    for band in raw:
        if not isinstance(band, dict) or set(band) != {"label", "min"}:
            raise InstrumentError("每个等次须写成 {label: 等次, min: 最低分}。")
        label = _text(
            band["label"], where="等次划分", what="等次名称", limit=max_length(GradeBand, "label")
        )
        low = _number(band["min"], where=f"等次“{label}”", what="最低分", low=0, high=100)
        if label in labels:
            raise InstrumentError(f"等次“{label}”重复。")
        if previous is not None and low >= previous:
            raise InstrumentError(f"等次“{label}”：等次须从高到低排列，最低分应逐档减小。")
        labels.add(label)
        bands.append(GradeBandSpec(label=label, min_score=low))
        previous = low
    if bands[-1].min_score != 0:
        raise InstrumentError(f"等次“{bands[-1].label}”：最后一档的最低分必须为 0。")
    return bands


def _dimension(raw, code, dimension_codes, question_codes, problems):
    """One dimension. Faults in its questions are added to `problems` and the rest still
    read; a fault in the dimension itself raises."""
    if not isinstance(raw, dict):
        raise InstrumentError(f"问卷 {code}：维度格式有误。")
    dim_code = _code(raw.get("code"), where="维度", what="维度编码（code）", model=Dimension)
    where = f"维度 {dim_code}"
    if dim_code in dimension_codes:
        raise InstrumentError(f"{where}：维度编码重复。")
    dimension_codes.add(dim_code)
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise InstrumentError(f"{where}：没有题目（questions）。")
    questions = []
    for raw_question in raw_questions:
        try:
            questions.append(_question(raw_question, question_codes))
        except InstrumentError as exc:
            problems.extend(exc.problems)
    if len(questions) == len(raw_questions) and not any(q.kind in SCORED_KINDS for q in questions):
        problems.append(f"{where}：至少需要一道计分题。")
    return DimensionSpec(
        code=dim_code,
        name=_text(
            raw.get("name"),
            where=where,
            what="维度名称（name）",
            limit=max_length(Dimension, "name"),
        ),
        problem=_text(
            raw.get("problem"),
            where=where,
            what="对应问题",
            required=False,
            limit=max_length(Dimension, "problem"),
        ),
        description=_text(raw.get("description"), where=where, what="说明", required=False),
        weight=_weight(raw.get("weight", 1), where=where),
        questions=questions,
    )


def parse_instrument(data: dict) -> InstrumentSpec:
    """Validate the instrument read from the file. A fault in the file's frame (code,
    version, the list of dimensions) stops at once; faults in dimensions, questions and
    grade bands are all collected, so an office fixing a file sees every one in one go."""
    check_shape(data)
    if not isinstance(data, dict):
        raise InstrumentError("问卷文件内容为空或格式有误。")
    code = _code(data.get("code"), where="问卷", what="问卷编码（code）", model=Questionnaire)
    version = data.get("version")
    if _integer(version) is None:
        raise InstrumentError(
            f"问卷 {code}：版本号（version）应为不大于 {MAX_INTEGER} 的正整数，"
            f"现为“{shown(version)}”。"
        )
    ratio = _number(
        data.get("min_answered_ratio", 0.5), where=f"问卷 {code}", what="维度最低作答比例"
    )
    if not 0 < ratio <= 1:
        raise InstrumentError(f"问卷 {code}：维度最低作答比例须大于 0 且不大于 1。")
    raw_dimensions = data.get("dimensions")
    if not isinstance(raw_dimensions, list) or not raw_dimensions:
        raise InstrumentError(f"问卷 {code}：缺少维度（dimensions）。")
    _count(raw_dimensions, MAX_DIMENSIONS, where=f"问卷 {code}", what="维度")
    questions = [q for d in raw_dimensions if isinstance(d, dict) for q in d.get("questions") or ()]
    _count(questions, MAX_QUESTIONS, where=f"问卷 {code}", what="题目")
    dimensions, dimension_codes, question_codes = [], set(), set()
    problems = []
    for raw in raw_dimensions:
        try:
            dimensions.append(_dimension(raw, code, dimension_codes, question_codes, problems))
        except InstrumentError as exc:
            problems.extend(exc.problems)
    try:
        grade_bands = _grade_bands(data.get("grade_bands"))
    except InstrumentError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InstrumentError("\n".join(problems), problems)
    return InstrumentSpec(
        code=code,
        version=version,
        title=_text(
            data.get("title"),
            where=f"问卷 {code}",
            what="问卷名称（title）",
            limit=max_length(Questionnaire, "title"),
        ),
        description=_text(
            data.get("description"), where=f"问卷 {code}", what="说明", required=False
        ),
        min_answered_ratio=ratio,
        grade_bands=grade_bands,
        dimensions=dimensions,
    )


def read_instrument(path=None) -> tuple[InstrumentSpec, str]:
    """The parsed file and the sha256 of its bytes."""
    path = Path(path or STANDARD_PATH)
    try:
        content = path.read_bytes()
    except OSError:
        raise InstrumentError(f"找不到或无法读取问卷文件：{path}") from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise InstrumentError(f"问卷文件须为 UTF-8 编码：{path}") from None
    try:
        data = load_text(text, "YAML")
    except InstrumentError as exc:
        raise InstrumentError(f"{exc}（{path}）") from None
    return parse_instrument(data), hashlib.sha256(content).hexdigest()


def load_text(text, kind):
    """The data in a JSON or YAML text (``kind``), every failure a Chinese message.

    Nesting is bounded twice: a file nested past Python's recursion limit stops the parser
    (RecursionError), and parse_instrument's check_shape refuses anything nested deeper than
    an instrument is. yaml.safe_load is the pure-Python SafeLoader, not libyaml's: its
    recursion is Python's, so too deep a file is an exception rather than a crashed process."""
    try:
        return json.loads(text) if kind == "JSON" else yaml.safe_load(text)
    except RecursionError:
        raise InstrumentError(f"{kind} 文件嵌套层数过多，无法读取。") from None
    except json.JSONDecodeError as exc:
        raise InstrumentError(f"JSON 格式有误：第 {exc.lineno} 行第 {exc.colno} 列。") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"：第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise InstrumentError(f"YAML 格式有误{where}。") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        # e.g. a date like 2024-13-45, or an integer of thousands of digits
        raise InstrumentError(f"{kind} 文件中有无法识别的内容，请检查格式。") from None


@dataclass(frozen=True)
class LoadResult:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"

    questionnaire: Questionnaire
    status: str


def load_instrument(path=None, *, actor=None) -> LoadResult:
    """Create, update (if no round uses it yet) or leave alone the questionnaire in the file."""
    spec, sha256 = read_instrument(path)
    with transaction.atomic():
        questionnaire = (
            Questionnaire.objects.select_for_update()
            .filter(code=spec.code, version=spec.version)
            .first()
        )
        if questionnaire is not None and questionnaire.source_sha256 == sha256:
            return LoadResult(questionnaire, LoadResult.UNCHANGED)
        if questionnaire is None:
            questionnaire = Questionnaire(code=spec.code, version=spec.version)
            status = LoadResult.CREATED
        elif questionnaire.is_frozen:
            raise InstrumentError(
                f"问卷第{spec.version}版已被测评批次使用，已冻结；请在文件中提高版本号后再载入。"
            )
        else:
            status = LoadResult.UPDATED
        questionnaire.title = spec.title
        questionnaire.description = spec.description
        questionnaire.min_answered_ratio = spec.min_answered_ratio
        questionnaire.source_sha256 = sha256
        questionnaire.save()
        _sync_children(questionnaire, spec)
        events.questionnaire_loaded(
            actor=actor, code=spec.code, version=spec.version, sha256=sha256, change=status
        )
    return LoadResult(questionnaire, status)


def load_questionnaire(path=None, *, actor=None) -> tuple[Questionnaire, bool]:
    """The questionnaire in the file (default: the standard one), and whether it was created."""
    result = load_instrument(path, actor=actor)
    return result.questionnaire, result.status == LoadResult.CREATED


def _sync_children(questionnaire, spec):
    """Make the bands, dimensions and questions match the spec, keeping rows by code.

    Only reached for a questionnaire no round uses, so no answer points at a question that
    is deleted here."""
    questionnaire.grade_bands.all().delete()
    GradeBand.objects.bulk_create(
        GradeBand(questionnaire=questionnaire, label=b.label, min_score=b.min_score)
        for b in spec.grade_bands
    )
    wanted = {q.code for q in spec.questions}
    questionnaire.questions.exclude(code__in=wanted).delete()

    dimensions = {d.code: d for d in questionnaire.dimensions.all()}
    questions = {q.code: q for q in questionnaire.questions.all()}
    for order, dim_spec in enumerate(spec.dimensions, start=1):
        dimension = dimensions.get(dim_spec.code) or Dimension(
            questionnaire=questionnaire, code=dim_spec.code
        )
        for name in ("name", "problem", "description", "weight"):
            setattr(dimension, name, getattr(dim_spec, name))
        dimension.order = order
        dimension.save()
        for q_order, q_spec in enumerate(dim_spec.questions, start=1):
            question = questions.get(q_spec.code) or Question(
                questionnaire=questionnaire, code=q_spec.code
            )
            question.dimension = dimension
            for name in QUESTION_FIELDS:
                setattr(question, name, getattr(q_spec, name))
            question.order = q_order
            question.save()
    questionnaire.dimensions.exclude(code__in=[d.code for d in spec.dimensions]).delete()
