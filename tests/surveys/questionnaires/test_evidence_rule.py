"""A question's evidence rule (佐证材料: 不需要 / 可上传 / 必须上传): in the YAML instrument,
in the question form, and through the JSON and XLSX export and import."""

import copy
import io
import json

import openpyxl
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.questionnaires import services
from surveys.questionnaires.instrument import STANDARD_PATH, InstrumentError, parse_instrument
from surveys.questionnaires.models import Question, Questionnaire

pytestmark = pytest.mark.django_db

COUNTED_ACTIVITIES = {"XYF1", "ZZF1", "HLF1"}


def standard_data():
    return yaml.safe_load(STANDARD_PATH.read_text(encoding="utf-8"))


def spec_rules(data):
    return {q.code: q.evidence for q in parse_instrument(data).questions}


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def upload(client, name, data):
    return client.post(
        reverse("questionnaire_import"), {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def test_standard_instrument_lets_counted_activities_carry_evidence(questionnaire):
    rules = dict(questionnaire.questions.values_list("code", "evidence"))
    assert {rules[code] for code in COUNTED_ACTIVITIES} == {"allowed"}
    assert rules["ZZ01"] == "allowed"  # 三会一课: a photo or the minutes
    assert rules["XY02"] == "none"
    # Nothing in the standard version blocks a branch without files from submitting.
    assert "required" not in rules.values()


@pytest.mark.parametrize(
    "written, stored",
    [("required", "required"), ("必须上传", "required"), ("可上传", "allowed"), ("无", "none")],
)
def test_yaml_says_the_rule_as_a_code_or_in_chinese(written, stored):
    data = standard_data()
    data["dimensions"][0]["questions"][0]["evidence"] = written
    assert spec_rules(data)["XY01"] == stored


def test_unknown_rule_is_refused_naming_the_question():
    data = copy.deepcopy(standard_data())
    data["dimensions"][0]["questions"][0]["evidence"] = "photo"
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(data)
    assert "XY01" in str(caught.value) and "佐证材料" in str(caught.value)


def test_json_and_xlsx_round_trips_keep_the_rule(office_client, office, questionnaire):
    draft = services.questionnaire_clone(user=office, questionnaire=questionnaire)
    assert draft.questions.get(code="XYF1").evidence == "allowed"  # the clone copies it
    Question.objects.filter(questionnaire=draft, code="ZZF1").update(evidence="required")

    data = json.loads(office_client.get(reverse("questionnaire_json", args=[draft.pk])).content)
    zzf1 = [q for d in data["dimensions"] for q in d["questions"] if q["code"] == "ZZF1"][0]
    assert zzf1["evidence"] == "required"
    upload(office_client, "问卷.json", json.dumps(data).encode())
    from_json = Questionnaire.objects.get(version=3)
    assert from_json.questions.get(code="ZZF1").evidence == "required"

    workbook = office_client.get(reverse("questionnaire_xlsx", args=[draft.pk])).content
    sheet = openpyxl.load_workbook(io.BytesIO(workbook))["题目"]
    header = [c.value for c in sheet[1]]
    column = header.index("佐证材料")
    words = {row[3].value: row[column].value for row in sheet.iter_rows(min_row=2)}
    assert (words["ZZF1"], words["XYF1"], words["XY02"]) == ("必须上传", "可上传", "不需要")
    upload(office_client, "问卷.xlsx", workbook)
    from_xlsx = Questionnaire.objects.get(version=4)
    assert dict(from_xlsx.questions.values_list("code", "evidence")) == dict(
        draft.questions.values_list("code", "evidence")
    )


def test_a_workbook_from_before_evidence_still_imports(office_client, questionnaire):
    workbook = office_client.get(reverse("questionnaire_xlsx", args=[questionnaire.pk])).content
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    sheet = book["题目"]
    header = [c.value for c in sheet[1]]
    sheet.delete_cols(header.index("佐证材料") + 1)
    out = io.BytesIO()
    book.save(out)
    upload(office_client, "旧问卷.xlsx", out.getvalue())
    imported = Questionnaire.objects.exclude(pk=questionnaire.pk).get()
    assert set(imported.questions.values_list("evidence", flat=True)) == {"none"}


def test_question_form_sets_the_rule_and_a_form_without_it_keeps_it(
    office_client, office, questionnaire
):
    draft = services.questionnaire_clone(user=office, questionnaire=questionnaire)
    question = draft.questions.get(code="XY01")
    url = reverse("question_edit", args=[draft.pk, question.pk])
    base = {
        "dimension": question.dimension_id,
        "code": "XY01",
        "text": question.text,
        "kind": "likert",
        "weight": "1",
        "cause": question.cause,
        "aspect": question.aspect,
        "required": "on",
        "order": "1",
    }
    assert office_client.post(url, base | {"evidence": "required"}).status_code == 302
    question.refresh_from_db()
    assert question.evidence == "required"
    # A page that does not offer the choice (or an old tab) leaves the rule alone.
    assert office_client.post(url, base | {"text": "改过的题目"}).status_code == 302
    question.refresh_from_db()
    assert (question.text, question.evidence) == ("改过的题目", "required")


def test_the_question_form_offers_the_rule_and_the_version_page_shows_it(
    office_client, office, questionnaire
):
    draft = services.questionnaire_clone(user=office, questionnaire=questionnaire)
    question = draft.questions.get(code="XY01")
    form_page = office_client.get(reverse("question_edit", args=[draft.pk, question.pk]))
    html = form_page.content.decode()
    assert 'name="evidence"' in html and "必须上传" in html
    detail = office_client.get(reverse("questionnaire_detail", args=[draft.pk])).content.decode()
    assert "<th>佐证</th>" in detail
    assert "可上传" in detail  # the standard instrument allows evidence on its counted items
