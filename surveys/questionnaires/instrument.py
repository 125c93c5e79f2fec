"""The instrument as data: a YAML file the office can read, validated and loaded into the
Questionnaire / Dimension / Question / GradeBand rows.

`parse_instrument` is pure (a dict in, an InstrumentSpec out) so that validation is tested
without a database; `load_questionnaire` is the one write path, and it is idempotent because
`make setup` runs it on every start.
"""

import hashlib
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
    "help",
    "bands",
    "unit_label",
    "max_value",
    "choices",
}


def _number(value, *, where, what):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InstrumentError(f"{where}：{what}应为数字，现为“{value}”。")
    return float(value)


def _bool(value, *, where, what):
    if not isinstance(value, bool):
        raise InstrumentError(f"{where}：{what}应为 true 或 false，现为“{value}”。")
    return value


def _text(value, *, where, what, required=True):
    if value is None:
        value = ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InstrumentError(f"{where}：{what}应为文字。")
    value = str(value).strip()
    if required and not value:
        raise InstrumentError(f"{where}：缺少{what}。")
    return value


def _weight(value, *, where):
    weight = _number(value, where=where, what="权重")
    if weight <= 0:
        raise InstrumentError(f"{where}：权重必须大于 0，现为 {value}。")
    return weight


def _bands(raw, *, where):
    if not isinstance(raw, list) or not raw:
        raise InstrumentError(f"{where}：数值题必须设置分档（bands）。")
    bands, previous = [], None
    for band in raw:
        if not isinstance(band, dict) or set(band) != {"min", "score"}:
            raise InstrumentError(f"{where}：每个分档须写成 {{min: 下限, score: 得分}}。")
        low = _number(band["min"], where=where, what="分档下限")
        score = _number(band["score"], where=where, what="分档得分")
        if previous is None and low != 0:
            raise InstrumentError(f"{where}：第一档的下限必须为 0，现为 {band['min']}。")
        if previous is not None and low <= previous:
            raise InstrumentError(
                f"{where}：分档下限必须逐档增大，{band['min']} 不大于上一档的 {previous:g}。"
            )
        if not 0 <= score <= 100:
            raise InstrumentError(f"{where}：分档得分须在 0–100 之间，现为 {band['score']}。")
        bands.append({"min": band["min"], "score": band["score"]})
        previous = low
    return bands


def _choices(raw, *, where):
    if not isinstance(raw, list) or len(raw) < 2:
        raise InstrumentError(f"{where}：单选题至少需要两个选项（choices）。")
    choices, seen = [], set()
    for choice in raw:
        if not isinstance(choice, dict) or set(choice) != {"value", "label", "score"}:
            raise InstrumentError(
                f"{where}：每个选项须写成 {{value: 编码, label: 文字, score: 得分}}。"
            )
        value = _text(choice["value"], where=where, what="选项编码")
        if value in seen or len(value) > 32:
            raise InstrumentError(f"{where}：选项编码“{value}”重复或过长（最多 32 个字符）。")
        seen.add(value)
        score = _number(choice["score"], where=where, what="选项得分")
        if not 0 <= score <= 100:
            raise InstrumentError(f"{where}：选项得分须在 0–100 之间，现为 {choice['score']}。")
        label = _text(choice["label"], where=where, what="选项文字")
        choices.append({"value": value, "label": label, "score": choice["score"]})
    return choices


def _question(raw, seen_codes):
    if not isinstance(raw, dict):
        raise InstrumentError(f"题目格式有误：{raw!r}")
    code = _text(raw.get("code"), where="题目", what="题目编码（code）")
    where = f"题目 {code}"
    if len(code) > 32:
        raise InstrumentError(f"{where}：题目编码最多 32 个字符。")
    if code in seen_codes:
        raise InstrumentError(f"{where}：题目编码重复，整份问卷内每道题的编码必须不同。")
    seen_codes.add(code)
    unknown = sorted(set(raw) - QUESTION_KEYS)
    if unknown:
        raise InstrumentError(f"{where}：无法识别的字段 {'、'.join(unknown)}。")
    kind = _text(raw.get("kind"), where=where, what="题型（kind）")
    if kind not in KINDS:
        raise InstrumentError(
            f"{where}：题型“{kind}”无法识别，应为 likert、yes_no、number、choice 或 text。"
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
                f"{where}：成因“{cause_raw}”无法识别，应为 虚化、弱化 或 分化"
                "（也可写 xuhua、ruohua、fenhua）。"
            )
        if aspect_raw not in ASPECTS:
            raise InstrumentError(
                f"{where}：融合方面“{aspect_raw}”无法识别，应为 目标、机制 或 载体"
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
    if max_value is not None and (
        kind != "number"
        or isinstance(max_value, bool)
        or not isinstance(max_value, int)
        or max_value <= 0
    ):
        raise InstrumentError(f"{where}：最大值（max_value）只用于数值题，且应为正整数。")
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
        help_text=_text(raw.get("help"), where=where, what="填写说明", required=False),
        bands=_bands(raw.get("bands"), where=where) if kind == "number" else [],
        unit_label=_text(raw.get("unit_label"), where=where, what="计量单位", required=False),
        max_value=max_value,
        choices=_choices(raw.get("choices"), where=where) if kind == "choice" else [],
    )


def _grade_bands(raw):
    if not isinstance(raw, list) or not raw:
        raise InstrumentError("问卷缺少等次划分（grade_bands）。")
    bands, labels, previous = [], set(), None
    for band in raw:
        if not isinstance(band, dict) or set(band) != {"label", "min"}:
            raise InstrumentError("每个等次须写成 {label: 等次, min: 最低分}。")
        label = _text(band["label"], where="等次划分", what="等次名称")
        low = _number(band["min"], where=f"等次“{label}”", what="最低分")
        if label in labels:
            raise InstrumentError(f"等次“{label}”重复。")
        if not 0 <= low <= 100:
            raise InstrumentError(f"等次“{label}”：最低分须在 0–100 之间，现为 {band['min']}。")
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
    dim_code = _text(raw.get("code"), where="维度", what="维度编码（code）")
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
        name=_text(raw.get("name"), where=where, what="维度名称（name）"),
        problem=_text(raw.get("problem"), where=where, what="对应问题", required=False),
        description=_text(raw.get("description"), where=where, what="说明", required=False),
        weight=_weight(raw.get("weight", 1), where=where),
        questions=questions,
    )


def parse_instrument(data: dict) -> InstrumentSpec:
    """Validate the instrument read from the file. A fault in the file's frame (code,
    version, the list of dimensions) stops at once; faults in dimensions, questions and
    grade bands are all collected, so an office fixing a file sees every one in one go."""
    if not isinstance(data, dict):
        raise InstrumentError("问卷文件内容为空或格式有误。")
    code = _text(data.get("code"), where="问卷", what="问卷编码（code）")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InstrumentError(f"问卷 {code}：版本号（version）应为正整数，现为“{version}”。")
    ratio = _number(
        data.get("min_answered_ratio", 0.5), where=f"问卷 {code}", what="维度最低作答比例"
    )
    if not 0 < ratio <= 1:
        raise InstrumentError(f"问卷 {code}：维度最低作答比例须大于 0 且不大于 1。")
    raw_dimensions = data.get("dimensions")
    if not isinstance(raw_dimensions, list) or not raw_dimensions:
        raise InstrumentError(f"问卷 {code}：缺少维度（dimensions）。")
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
        title=_text(data.get("title"), where=f"问卷 {code}", what="问卷名称（title）"),
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
        data = yaml.safe_load(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise InstrumentError(f"问卷文件须为 UTF-8 编码：{path}") from None
    except yaml.YAMLError as exc:
        raise InstrumentError(f"问卷文件格式有误（{path}）：{exc}") from None
    return parse_instrument(data), hashlib.sha256(content).hexdigest()


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
