"""The shipped instrument, its validation, and loading it idempotently."""

import copy
import datetime as dt
import hashlib
import io

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from surveys.audit.models import AuditEvent
from surveys.questionnaires.instrument import (
    STANDARD_PATH,
    InstrumentError,
    load_questionnaire,
    parse_instrument,
)
from surveys.questionnaires.models import (
    AspectTag,
    CauseTag,
    Dimension,
    GradeBand,
    Question,
    Questionnaire,
)
from surveys.rounds.models import Round

FACT_KINDS = {Question.Kind.YES_NO, Question.Kind.NUMBER}


def standard_data():
    return yaml.safe_load(STANDARD_PATH.read_text(encoding="utf-8"))


def find_question(data, code):
    for dimension in data["dimensions"]:
        for question in dimension["questions"]:
            if question["code"] == code:
                return question
    raise AssertionError(f"the standard instrument has no question {code}")


def write_copy(tmp_path, data, name="changed.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Questionnaire, Dimension, Question, GradeBand, AuditEvent)
    }


@pytest.mark.django_db
def test_standard_instrument_has_three_tagged_dimensions():
    questionnaire, created = load_questionnaire()

    assert created is True
    assert (questionnaire.code, questionnaire.version) == ("standard", 1)
    assert questionnaire.min_answered_ratio == 0.5
    expected_sha = hashlib.sha256(STANDARD_PATH.read_bytes()).hexdigest()
    assert questionnaire.source_sha256 == expected_sha
    dimensions = list(questionnaire.dimensions.all())
    assert [(d.code, d.name, d.problem) for d in dimensions] == [
        ("xueyong", "学用结合", "学用脱节"),
        ("zuzhi", "组织生活实效", "重过程轻效果"),
        ("huoli", "内生活力", "内在活力不强"),
    ]
    for dimension in dimensions:
        questions = list(dimension.questions.all())
        likert = [q for q in questions if q.kind == Question.Kind.LIKERT]
        facts = [q for q in questions if q.kind in FACT_KINDS]
        texts = [q for q in questions if q.kind == Question.Kind.TEXT]
        scored = [q for q in questions if q.is_scored]
        assert 6 <= len(likert) <= 8, f"{dimension.code}: {len(likert)} likert items"
        assert 1 <= len(facts) <= 2, f"{dimension.code}: {len(facts)} fact items"
        assert len(texts) == 3 and not any(q.required for q in texts), dimension.code
        assert 2 <= sum(q.reverse_keyed for q in likert) <= 3, f"{dimension.code}: reverse items"
        assert all(q.cause and q.aspect for q in scored), f"{dimension.code}: untagged item"
        assert {q.cause for q in scored} == set(CauseTag.values), dimension.code
        assert {q.aspect for q in scored} == set(AspectTag.values), dimension.code
        for q in facts:
            if q.kind == Question.Kind.NUMBER:
                assert q.bands and q.bands[0]["min"] == 0 and q.unit_label, q.code
    assert [(b.label, b.min_score) for b in questionnaire.grade_bands.all()] == [
        ("好", 85),
        ("较好", 70),
        ("一般", 60),
        ("差", 0),
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.QUESTIONNAIRE_LOADED).count() == 1


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    first, created_first = load_questionnaire()
    before = row_counts()

    second, created_second = load_questionnaire()

    assert created_first is True and created_second is False
    assert second.pk == first.pk
    assert row_counts() == before, "a second load of the same file must not write anything"


@pytest.mark.django_db
def test_changed_file_updates_a_version_no_round_uses(tmp_path):
    questionnaire, _ = load_questionnaire()
    kept_id = questionnaire.questions.get(code="XY01").pk
    data = standard_data()
    find_question(data, "XY01")["text"] = "理论学习紧扣中心工作。"
    xueyong = data["dimensions"][0]["questions"]
    xueyong[:] = [q for q in xueyong if q["code"] != "XY07"]
    xueyong.append(
        {"code": "XY09", "text": "新增题目。", "kind": "likert", "cause": "分化", "aspect": "目标"}
    )
    data["grade_bands"][0]["min"] = 90

    updated, created = load_questionnaire(write_copy(tmp_path, data))

    assert created is False and updated.pk == questionnaire.pk
    codes = set(updated.questions.values_list("code", flat=True))
    assert "XY07" not in codes and "XY09" in codes
    xy01 = updated.questions.get(code="XY01")
    assert (xy01.pk, xy01.text) == (kept_id, "理论学习紧扣中心工作。"), "XY01 updated in place"
    assert updated.grade_bands.get(label="好").min_score == 90
    events = AuditEvent.objects.filter(action=AuditEvent.Action.QUESTIONNAIRE_LOADED)
    assert events.count() == 2
    assert events.first().detail["sha256"] == updated.source_sha256


@pytest.mark.django_db
def test_a_version_used_by_a_round_is_frozen(tmp_path):
    questionnaire, _ = load_questionnaire()
    now = timezone.now()
    Round.objects.create(
        name="2026年第一季度融合度测评",
        questionnaire=questionnaire,
        opens_at=now,
        closes_at=now + dt.timedelta(days=7),
    )
    data = standard_data()
    find_question(data, "XY01")["text"] = "改过的题目。"
    before = row_counts()

    with pytest.raises(InstrumentError) as excinfo:
        load_questionnaire(write_copy(tmp_path, data))

    assert str(excinfo.value) == (
        "问卷第1版已被测评批次使用，已冻结；请在文件中提高版本号后再载入。"
    )
    assert row_counts() == before
    data["version"] = 2
    second, created = load_questionnaire(write_copy(tmp_path, data, "v2.yaml"))
    assert created is True and second.version == 2
    assert questionnaire.questions.get(code="XY01").text != "改过的题目。"


def broken(change):
    data = standard_data()
    change(data)
    return data


def duplicate_code(data):
    find_question(data, "XY03")["code"] = "XY02"


def unknown_cause(data):
    find_question(data, "ZZ04")["cause"] = "淡化"


def non_monotone_bands(data):
    find_question(data, "XYF1")["bands"][2]["min"] = 1


def zero_weight(data):
    find_question(data, "HL02")["weight"] = 0


def likert_with_bands(data):
    find_question(data, "HL01")["bands"] = [{"min": 0, "score": 0}]


def scored_item_without_aspect(data):
    del find_question(data, "ZZ01")["aspect"]


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (duplicate_code, "XY02", "编码重复"),
        (unknown_cause, "ZZ04", "成因“淡化”无法识别"),
        (non_monotone_bands, "XYF1", "分档下限必须逐档增大"),
        (zero_weight, "HL02", "权重必须大于 0"),
        (likert_with_bands, "HL01", "只有数值题"),
        (scored_item_without_aspect, "ZZ01", "缺少融合方面"),
    ],
    ids=[
        "duplicate-code",
        "unknown-cause",
        "non-monotone-bands",
        "zero-weight",
        "likert-bands",
        "missing-aspect",
    ],
)
def test_validation_names_the_offending_question(change, code, words):
    with pytest.raises(InstrumentError) as excinfo:
        parse_instrument(broken(change))

    message = str(excinfo.value)
    assert f"题目 {code}" in message, f"message does not name {code}: {message}"
    assert words in message, f"message does not say “{words}”: {message}"


def test_grade_bands_must_descend_within_0_to_100():
    ascending = broken(lambda d: d["grade_bands"].reverse())
    with pytest.raises(InstrumentError, match="从高到低"):
        parse_instrument(ascending)
    too_high = broken(lambda d: d["grade_bands"][0].update(min=120))
    with pytest.raises(InstrumentError, match="0–100"):
        parse_instrument(too_high)


def test_tags_may_be_written_as_codes_or_in_chinese():
    data = standard_data()
    find_question(data, "XY01").update(cause="xuhua", aspect="目标融合")
    find_question(data, "XY02").update(cause="弱化", aspect="carrier")

    spec = parse_instrument(data)

    tags = {q.code: (q.cause, q.aspect) for q in spec.questions}
    assert tags["XY01"] == ("xuhua", "goal")
    assert tags["XY02"] == ("ruohua", "carrier")


def test_parsing_does_not_change_the_input():
    data = standard_data()
    original = copy.deepcopy(data)
    parse_instrument(data)
    assert data == original


@pytest.mark.django_db
def test_command_reports_loaded_unchanged_updated_and_errors(tmp_path):
    def run(*args):
        out = io.StringIO()
        call_command("load_questionnaire", *args, stdout=out)
        return out.getvalue()

    assert run().startswith("已载入：机关党建与业务工作融合度测评问卷")
    assert run().startswith("未变化：")
    data = standard_data()
    find_question(data, "HL06")["text"] = "党员参加支部活动积极主动。"
    assert run(str(write_copy(tmp_path, data))).startswith("已更新：")

    find_question(data, "HL06")["weight"] = -1
    with pytest.raises(CommandError, match="题目 HL06：权重必须大于 0"):
        run(str(write_copy(tmp_path, data, "bad.yaml")))
    with pytest.raises(CommandError, match="找不到或无法读取问卷文件"):
        run(str(tmp_path / "missing.yaml"))
