"""Questionnaire versions: list, clone, edit while unfrozen, AHP weights.

A version is frozen as soon as a round uses it: answers point at its questions, and scores
already shown must not change under them. Every write here therefore locks the row, refuses a
frozen version, and — after changing it — runs the whole questionnaire through
`parse_instrument`, the same validator the YAML file and the uploads go through, so that
no path can leave a version the loader would reject.

The exchange format is the YAML instrument's structure (`questionnaire_data`); the XLSX and
JSON files that carry it, and importing a version from one, are in `surveys.questionnaires.files`.
"""

import math
import re

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch

from reports.ahp import ahp_weights, complete_reciprocal, ensure_acceptable, scale_label
from surveys.audit import events
from surveys.core.numbers import plain_number
from surveys.core.permissions import require_office
from surveys.questionnaires.instrument import QUESTION_FIELDS, InstrumentError, parse_instrument
from surveys.questionnaires.models import (
    AspectTag,
    CauseTag,
    Dimension,
    GradeBand,
    Question,
    Questionnaire,
)
from surveys.rounds.models import Round

FROZEN_MESSAGE = "该问卷版本已被测评批次使用，不能修改；请先复制为新版本。"


class VersionError(Exception):
    """A refused change or an unusable file, with a message fit to show the office."""


OFFICE_ONLY = "只有机关工委工作人员可以管理问卷版本。"


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


# ---------------------------------------------------------------- exchange format

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
                "evidence": q.evidence,
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
    require_office(user, OFFICE_ONLY)
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
        events.questionnaire_changed(
            actor=user, questionnaire=clone, note=f"由第{source.version}版复制"
        )
    return clone


def questionnaire_update(
    *, user, questionnaire, title, description, min_answered_ratio, dimensions, grade_bands
):
    """Save the header, the dimensions ({id, name, problem, weight, order}) and the bands."""
    require_office(user, OFFICE_ONLY)
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
            events.questionnaire_changed(
                actor=user, questionnaire=q, note="修改问卷", changes=changes
            )
    return q


def _bands_text(bands):
    return "、".join(f"{label}≥{plain_number(low)}" for label, low in bands)


EDITABLE_QUESTION_FIELDS = {"dimension", "code", "order"} | set(QUESTION_FIELDS)


def question_save(*, user, questionnaire, data, question=None) -> Question:
    """Create (question=None) or change one question of an unfrozen version."""
    require_office(user, OFFICE_ONLY)
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
        events.questionnaire_changed(actor=user, questionnaire=q, note=note)
    return question


def questionnaire_delete(*, user, questionnaire):
    """Delete a version no round has used (a draft copy or an import tried out). Returns
    its label. A used version is frozen for good: its rounds' answers point at it."""
    require_office(user, OFFICE_ONLY)
    with transaction.atomic():
        q = _lock_editable(questionnaire)
        if not Questionnaire.objects.exclude(pk=q.pk).exists():
            raise VersionError("这是系统中唯一的问卷版本，不能删除。")
        label = f"{q.title} 第{q.version}版"
        events.questionnaire_changed(actor=user, questionnaire=q, note="删除未使用的版本")
        q.delete()
    return label


def question_delete(*, user, question):
    require_office(user, OFFICE_ONLY)
    with transaction.atomic():
        q = _lock_editable(question.questionnaire)
        question.delete()
        _validate(q)
        events.questionnaire_changed(actor=user, questionnaire=q, note=f"删除题目 {question.code}")


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
    require_office(user, OFFICE_ONLY)
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
        events.questionnaire_changed(
            actor=user,
            questionnaire=q,
            note=f"按层次分析法设置维度权重（CR = {result.cr:.3f}）",
            changes=changes,
        )
    return result
