"""The rater questionnaires as data (instruments/members.yaml, instruments/public.yaml):
`parse_instrument` checks a file's structure (pure), `load_rater_questionnaire` writes it
(idempotent: the same file twice changes nothing; a used version is frozen)."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from surveys.questionnaires.models import CauseTag
from surveys.ratings.models import Audience, RaterItem, RaterQuestionnaire

INSTRUMENTS = Path(__file__).resolve().parent / "instruments"
STANDARD_FILES = {Audience.MEMBERS: "members.yaml", Audience.PUBLIC: "public.yaml"}
DIMENSIONS = {"xueyong": "学用结合", "zuzhi": "组织生活实效", "huoli": "内生活力"}
CAUSES = {
    **{tag.label: tag.value for tag in CauseTag},
    **{tag.value: tag.value for tag in CauseTag},
}
KINDS = {kind.value for kind in RaterItem.Kind}
MAX_FILE_CHARS = 200_000
MAX_ITEMS = 100


class InstrumentError(ValueError):
    """A rater questionnaire file that can't be loaded; the message is for the office."""


@dataclass(frozen=True)
class ParsedItem:
    code: str
    text: str
    kind: str
    dimension_code: str
    cause: str
    reverse: bool


def parse_instrument(text):
    """The file's header and items, or InstrumentError in Chinese."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InstrumentError(f"评议问卷文件格式有误：{error}") from None
    if not isinstance(data, dict):
        raise InstrumentError("评议问卷文件应以 code、version、audience 等字段开头。")
    for key in ("code", "version", "audience", "title", "items"):
        if key not in data:
            raise InstrumentError(f"评议问卷缺少字段 {key}。")
    if data["audience"] not in Audience.values:
        raise InstrumentError("audience 只能是 members（党员评议）或 public（群众评议）。")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 10_000:
        raise InstrumentError("version 应为 1 至 10000 的整数。")
    if not isinstance(data["items"], list) or len(data["items"]) > MAX_ITEMS:
        raise InstrumentError(f"items 应为题目列表，最多 {MAX_ITEMS} 题。")
    for key, limit in (("code", 32), ("title", 200)):
        if not isinstance(data[key], str) or not data[key].strip() or len(data[key]) > limit:
            raise InstrumentError(f"{key} 应为不超过 {limit} 字的文字。")
    items, seen = [], set()
    for number, raw in enumerate(data["items"], start=1):
        if not isinstance(raw, dict) or not raw.get("code") or not raw.get("text"):
            raise InstrumentError(f"第 {number} 题缺少 code 或 text。")
        code, kind = str(raw["code"]), raw.get("kind", "scale")
        if len(code) > 32 or len(str(raw["text"])) > 500:
            raise InstrumentError(f"第 {number} 题的编码（32 字以内）或内容（500 字以内）过长。")
        if code in seen:
            raise InstrumentError(f"题目编码 {code} 重复。")
        seen.add(code)
        if kind not in KINDS:
            raise InstrumentError(f"题目 {code} 的题型 {kind} 不认识。")
        dimension = str(raw.get("dimension", "")) if kind == "scale" else ""
        cause = CAUSES.get(str(raw.get("cause", ""))) if kind == "scale" else ""
        if kind == "scale" and (dimension not in DIMENSIONS or not cause):
            raise InstrumentError(f"计分题 {code} 须标注维度（xueyong/zuzhi/huoli）和成因。")
        items.append(
            ParsedItem(code, str(raw["text"]), kind, dimension, cause, bool(raw.get("reverse")))
        )
    kinds = [item.kind for item in items]
    if kinds.count("satisfaction") != 1 or "scale" not in kinds:
        raise InstrumentError("评议问卷须有计分题和一道总体满意度题。")
    return data, items


def load_rater_questionnaire(path=None, *, audience=Audience.MEMBERS):
    """The questionnaire in `path` (default: the standard file for `audience`), and whether
    it was written. A version already used by a group is never rewritten."""
    path = Path(path) if path else INSTRUMENTS / STANDARD_FILES[audience]
    return write_rater_questionnaire(path.read_text(encoding="utf-8"))


def write_rater_questionnaire(text):
    """The questionnaire a file's text describes, and whether it was written (the one write
    path for files and uploads; the same text twice writes nothing)."""
    if len(text) > MAX_FILE_CHARS:
        raise InstrumentError("评议问卷文件过大。")
    digest = hashlib.sha256(text.encode()).hexdigest()
    data, items = parse_instrument(text)
    with transaction.atomic():
        questionnaire, created = RaterQuestionnaire.objects.get_or_create(
            code=data["code"],
            version=data["version"],
            defaults={"audience": data["audience"], "title": data["title"]},
        )
        if not created and questionnaire.sha256 == digest:
            return questionnaire, False
        if not created and questionnaire.groups.exists():
            raise InstrumentError("该版本的评议问卷已被使用，不能修改；请把 version 加 1。")
        questionnaire.audience = data["audience"]
        questionnaire.title = data["title"]
        questionnaire.description = str(data.get("description") or "").strip()
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


def dump_rater_questionnaire(questionnaire):
    """A version as the YAML file it came from (the same keys), for download and re-import."""
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
    data = {
        "code": questionnaire.code,
        "version": questionnaire.version,
        "audience": questionnaire.audience,
        "title": questionnaire.title,
        "description": questionnaire.description,
        "items": items,
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def standard_questionnaire(audience):
    """The newest loaded version for `audience`, loading the standard file if none is."""
    questionnaire = (
        RaterQuestionnaire.objects.filter(audience=audience).order_by("-version", "-id").first()
    )
    if questionnaire is None:
        questionnaire, _ = load_rater_questionnaire(audience=audience)
    return questionnaire
