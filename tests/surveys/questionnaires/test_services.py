"""Questionnaire versions: list, clone, edit only while unfrozen, export and import.

The standard questionnaire is frozen here whenever `open_round` is in the test's fixtures."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.audit.models import AuditEvent
from surveys.organisation.models import User
from surveys.questionnaires import files, services
from surveys.questionnaires.forms import QuestionForm
from surveys.questionnaires.models import Dimension, GradeBand, Question, Questionnaire

pytestmark = pytest.mark.django_db


def content(questionnaire):
    """Everything the office can edit, without the version number."""
    data = services.questionnaire_data(Questionnaire.objects.get(pk=questionnaire.pk))
    data.pop("version")
    return data


def snapshot(questionnaire):
    """The stored rows themselves, for "nothing changed"."""
    return (
        list(Questionnaire.objects.filter(pk=questionnaire.pk).values()),
        list(Dimension.objects.filter(questionnaire=questionnaire).values()),
        list(Question.objects.filter(questionnaire=questionnaire).values()),
        list(GradeBand.objects.filter(questionnaire=questionnaire).values()),
    )


def html(response):
    return response.content.decode()


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


@pytest.fixture
def draft(office, questionnaire):
    return services.questionnaire_clone(user=office, questionnaire=questionnaire)


def upload(client, name, data):
    return client.post(
        reverse("questionnaire_import"), {"file": SimpleUploadedFile(name, data)}, follow=True
    )


# ---------------------------------------------------------------- list and clone ---


def test_list_shows_versions_with_counts_and_rounds(
    office_client, office, questionnaire, open_round, django_assert_max_num_queries
):
    for _ in range(3):
        services.questionnaire_clone(user=office, questionnaire=questionnaire)
    # Session, user, versions with counts, their rounds: not one more per version.
    with django_assert_max_num_queries(5):
        response = office_client.get(reverse("questionnaires"))
    page = html(response)
    assert response.status_code == 200
    assert "第1版" in page and "第4版" in page
    assert "3 / 36" in page
    assert "已冻结" in page and open_round.name in page and "可编辑" in page


def test_clone_copies_everything_and_is_editable(office_client, office, questionnaire, open_round):
    response = office_client.post(reverse("questionnaire_clone", args=[questionnaire.pk]))
    clone = Questionnaire.objects.exclude(pk=questionnaire.pk).get()
    assert response.status_code == 302
    assert response.url == reverse("questionnaire_detail", args=[clone.pk])
    assert (clone.code, clone.version, clone.cloned_from) == ("standard", 2, questionnaire)
    assert content(clone) == content(questionnaire)
    assert clone.questions.count() == questionnaire.questions.count() == 36
    # Questions of the clone sit in the clone's own dimensions.
    assert not clone.questions.exclude(dimension__questionnaire=clone).exists()
    assert questionnaire.is_frozen and not clone.is_frozen
    event = AuditEvent.objects.get(action=AuditEvent.Action.QUESTIONNAIRE_CHANGED)
    assert event.actor == office and event.detail["version"] == 2

    page = html(office_client.get(reverse("questionnaire_detail", args=[clone.pk])))
    assert 'id="edit-version"' in page and 'id="clone-version"' in page


def test_frozen_version_page_offers_only_the_clone(office_client, questionnaire, open_round):
    page = html(office_client.get(reverse("questionnaire_detail", args=[questionnaire.pk])))
    assert 'id="clone-version"' in page
    assert 'id="edit-version"' not in page and 'id="add-question"' not in page
    assert (
        reverse("question_edit", args=[questionnaire.pk, questionnaire.questions.first().pk])
        not in page
    )


# ---------------------------------------------------------------- frozen ---------


def test_services_refuse_a_frozen_version(office, questionnaire, open_round):
    before = snapshot(questionnaire)
    question = questionnaire.questions.first()
    attempts = [
        lambda: services.questionnaire_update(
            user=office,
            questionnaire=questionnaire,
            title="改了名字",
            description="",
            min_answered_ratio=0.5,
            dimensions=[],
            grade_bands=[],
        ),
        lambda: services.question_save(
            user=office,
            questionnaire=questionnaire,
            question=question,
            data={"text": "改过的题目", "code": question.code, "dimension": question.dimension},
        ),
        lambda: services.question_delete(user=office, question=question),
        lambda: services.questionnaire_delete(user=office, questionnaire=questionnaire),
        lambda: services.dimension_weights_apply(
            user=office, questionnaire=questionnaire, judgements={(0, 1): 1, (0, 2): 1, (1, 2): 1}
        ),
    ]
    for attempt in attempts:
        with pytest.raises(services.VersionError, match="已被测评批次使用，不能修改"):
            attempt()
    assert snapshot(questionnaire) == before


def test_posts_to_a_frozen_version_change_nothing(office_client, questionnaire, open_round):
    before = snapshot(questionnaire)
    question = questionnaire.questions.first()
    posts = [
        (reverse("questionnaire_edit", args=[questionnaire.pk]), {"info-title": "改了名字"}),
        (
            reverse("question_edit", args=[questionnaire.pk, question.pk]),
            {"text": "改过的题目", "code": question.code},
        ),
        (reverse("question_new", args=[questionnaire.pk]), {"text": "新题目", "code": "NEW1"}),
        (reverse("question_delete", args=[questionnaire.pk, question.pk]), {}),
        (reverse("questionnaire_ahp", args=[questionnaire.pk]), {"action": "apply"}),
        (reverse("questionnaire_delete", args=[questionnaire.pk]), {}),
    ]
    for url, data in posts:
        response = office_client.post(url, data, follow=True)
        assert response.redirect_chain[-1][0] == reverse(
            "questionnaire_detail", args=[questionnaire.pk]
        ), url
        assert services.FROZEN_MESSAGE in html(response), url
    assert snapshot(questionnaire) == before


def test_an_unused_version_can_be_deleted_after_confirming(office_client, office, draft):
    page = html(office_client.get(reverse("questionnaire_detail", args=[draft.pk])))
    assert 'id="delete-version"' in page and "删除后不能恢复" in page  # the confirm text
    response = office_client.post(reverse("questionnaire_delete", args=[draft.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("questionnaires")
    assert f"第{draft.version}版" in html(response) and "已删除" in html(response)
    assert not Questionnaire.objects.filter(pk=draft.pk).exists()
    assert not Question.objects.filter(questionnaire_id=draft.pk).exists()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.QUESTIONNAIRE_CHANGED).first()
    assert event.actor == office and event.detail["note"] == "删除未使用的版本"
    assert event.detail["version"] == draft.version


def test_the_only_version_is_not_deleted(office, questionnaire):
    with pytest.raises(services.VersionError, match="唯一的问卷版本"):
        services.questionnaire_delete(user=office, questionnaire=questionnaire)
    assert Questionnaire.objects.filter(pk=questionnaire.pk).exists()


# ---------------------------------------------------------------- editing --------


def edit_post(questionnaire, **changes):
    data = {
        "info-title": questionnaire.title,
        "info-description": questionnaire.description,
        "info-min_answered_ratio": str(questionnaire.min_answered_ratio),
    }
    dimensions = list(questionnaire.dimensions.order_by("order", "id"))
    data |= {"dim-TOTAL_FORMS": str(len(dimensions)), "dim-INITIAL_FORMS": str(len(dimensions))}
    for k, d in enumerate(dimensions):
        data |= {
            f"dim-{k}-id": str(d.pk),
            f"dim-{k}-name": d.name,
            f"dim-{k}-problem": d.problem,
            f"dim-{k}-weight": str(d.weight),
            f"dim-{k}-order": str(d.order),
        }
    bands = list(questionnaire.grade_bands.all())
    data |= {"band-TOTAL_FORMS": str(len(bands) + 1), "band-INITIAL_FORMS": str(len(bands))}
    for k, b in enumerate(bands):
        data |= {f"band-{k}-label": b.label, f"band-{k}-min_score": str(b.min_score)}
    data |= {f"band-{len(bands)}-label": "", f"band-{len(bands)}-min_score": ""}
    data.update(changes)
    return data


def test_edit_header_dimensions_and_grade_bands(office_client, office, draft):
    response = office_client.post(
        reverse("questionnaire_edit", args=[draft.pk]),
        edit_post(
            draft,
            **{
                "info-title": "融合度测评问卷（修订）",
                "dim-0-weight": "2",
                "dim-2-name": "内生动力",
                "band-3-DELETE": "on",  # 差 ≥ 0 goes …
                "band-2-min_score": "0",  # … and 一般 becomes the floor
                "band-4-label": "优秀",
                "band-4-min_score": "95",
            },
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "融合度测评问卷（修订）"
    weights = dict(draft.dimensions.values_list("code", "weight"))
    assert weights == {"xueyong": 2.0, "zuzhi": 1.0, "huoli": 1.0}
    assert draft.dimensions.get(code="huoli").name == "内生动力"
    assert list(draft.grade_bands.values_list("label", "min_score")) == [
        ("优秀", 95),
        ("好", 85),
        ("较好", 70),
        ("一般", 0),
    ]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.QUESTIONNAIRE_CHANGED).first()
    assert event.actor == office and "问卷名称" in event.detail["changes"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"dim-1-weight": "0"}, "权重必须大于 0"),
        ({"info-min_answered_ratio": "1.5"}, "维度最低作答比例须大于 0 且不大于 1"),
        ({"band-3-min_score": "10"}, "最低分必须为 0"),
        ({"band-1-min_score": "85"}, "最低分不能相同"),
        ({"band-1-min_score": "85"}, "与其他等次的最低分相同"),  # on the rows concerned
        ({"band-0-min_score": "50", "band-3-min_score": "0"}, "等次的高低与名称不一致"),
        ({"band-0-label": "较好", "band-1-label": "好"}, "从高到低排列"),
        ({"band-1-label": "好"}, "等次名称不能重复"),
        ({"band-0-min_score": "120"}, "最低分须在 0–100 之间"),
    ],
)
def test_edit_errors_are_chinese_and_change_nothing(office_client, draft, changes, message):
    before = snapshot(draft)
    response = office_client.post(
        reverse("questionnaire_edit", args=[draft.pk]), edit_post(draft, **changes)
    )
    assert response.status_code == 200
    assert message in html(response)
    assert snapshot(draft) == before


def question_post(question, **changes):
    """The question's own form, as the browser would send it back, with some changes."""
    initial = QuestionForm.initial_for(question)
    data = {key: value for key, value in initial.items() if value not in (None, False)}
    data.update(changes)
    return data


def test_edit_a_question(office_client, draft):
    question = draft.questions.get(code="XYF1")
    page = html(office_client.get(reverse("question_edit", args=[draft.pk, question.pk])))
    assert '<option value="number" selected>' in page and "4:80" in page
    response = office_client.post(
        reverse("question_edit", args=[draft.pk, question.pk]),
        question_post(
            question,
            text="集中理论学习次数",
            weight="2",
            bands="0:0\n3:60\n6:100",
            cause="fenhua",
            allow_na="on",
        ),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "集中理论学习次数"
    assert question.weight == 2 and question.cause == "fenhua" and question.allow_na
    assert question.bands == [
        {"min": 0, "score": 0},
        {"min": 3, "score": 60},
        {"min": 6, "score": 100},
    ]


def test_add_a_choice_question_and_remove_it(office_client, draft):
    dimension = draft.dimensions.get(code="zuzhi")
    response = office_client.post(
        reverse("question_new", args=[draft.pk]),
        {
            "dimension": dimension.pk,
            "code": "ZZC1",
            "text": "本支部“三会一课”记录的完整程度。",
            "kind": "choice",
            "weight": "1",
            "cause": "ruohua",
            "aspect": "mechanism",
            "required": "on",
            "order": "20",
            "choices": "a:完整:100\nb：基本完整：60\nc:不完整:0",
            "bands": "0:0",  # belongs to number items: dropped, not refused
        },
    )
    assert response.status_code == 302
    question = draft.questions.get(code="ZZC1")
    assert question.dimension == dimension and question.bands == []
    assert [c["value"] for c in question.choices] == ["a", "b", "c"]
    assert question.choices[1] == {"value": "b", "label": "基本完整", "score": 60}

    office_client.post(reverse("question_delete", args=[draft.pk, question.pk]))
    assert not draft.questions.filter(code="ZZC1").exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"bands": "0:0\n4:50\n2:80"}, "分档下限必须逐档增大"),
        ({"bands": "1:0\n4:50"}, "第一档的下限必须为 0"),
        ({"bands": "0:0\n4:150"}, "分档得分须在 0–100 之间"),
        ({"bands": "0-0"}, "应写成“下限:得分”"),
        ({"code": "XY01"}, "已被本问卷的其他题目使用"),
        ({"weight": "0"}, "权重必须大于 0"),
        ({"cause": ""}, "计分题必须选择成因"),
        ({"reverse_keyed": "on"}, "只有五级量表题和是/否题可以反向计分"),
    ],
)
def test_question_errors_are_chinese_and_change_nothing(office_client, draft, changes, message):
    question = draft.questions.get(code="XYF1")
    before = snapshot(draft)
    response = office_client.post(
        reverse("question_edit", args=[draft.pk, question.pk]), question_post(question, **changes)
    )
    assert response.status_code == 200
    assert message in html(response)
    assert snapshot(draft) == before


def test_a_dimension_keeps_at_least_one_scored_question(office, draft):
    dimension = draft.dimensions.get(code="xueyong")
    scored = list(dimension.questions.exclude(kind="text"))
    for question in scored[:-1]:
        services.question_delete(user=office, question=question)
    before = snapshot(draft)
    with pytest.raises(services.VersionError, match="至少需要一道计分题"):
        services.question_delete(user=office, question=scored[-1])
    assert snapshot(draft) == before


# ---------------------------------------------------------------- export/import ---


def test_xlsx_round_trip(office_client, questionnaire, open_round):
    response = office_client.get(reverse("questionnaire_xlsx", args=[questionnaire.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["问卷信息", "题目", "等次划分", "维度说明"]
    header = [c.value for c in book["题目"][1]]
    assert header[:16] == [
        "维度编码", "维度名称", "维度权重", "题目编码", "题目", "题型", "反向计分", "权重",
        "成因", "融合方面", "必答", "允许不适用", "分档", "选项", "单位", "最大值",
    ]  # fmt: skip
    assert book["题目"].max_row == 1 + 36

    response = upload(office_client, "问卷.xlsx", response.content)
    imported = Questionnaire.objects.exclude(pk=questionnaire.pk).get()
    assert imported.version == 2 and not imported.is_frozen
    assert content(imported) == content(questionnaire)
    assert "已导入" in html(response)
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.QUESTIONNAIRE_LOADED, actor__isnull=False
    )
    assert event.detail["version"] == 2


def test_xlsx_round_trip_keeps_formula_like_text_as_typed(office_client, questionnaire):
    """The export neutralises text that a spreadsheet would run as a formula; importing that
    file again gives back the text as the office wrote it."""
    question = questionnaire.questions.order_by("pk").first()
    Question.objects.filter(pk=question.pk).update(text="=SUM(1)+党建", help_text="-2+3 次")
    response = office_client.get(reverse("questionnaire_xlsx", args=[questionnaire.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["题目"]
    texts = [row[4].value for row in sheet.iter_rows(min_row=2)]
    assert "'=SUM(1)+党建" in texts
    upload(office_client, "问卷.xlsx", response.content)
    imported = Questionnaire.objects.exclude(pk=questionnaire.pk).get()
    again = imported.questions.get(code=question.code)
    assert again.text == "=SUM(1)+党建"
    assert again.help_text == "-2+3 次"


def test_json_round_trip_has_the_yaml_structure(office_client, office, questionnaire):
    draft = services.questionnaire_clone(user=office, questionnaire=questionnaire)
    question = draft.questions.get(code="ZZ01")
    services.question_save(
        user=office,
        questionnaire=draft,
        question=question,
        data={
            "kind": "choice",
            "choices": [
                {"value": "a", "label": "完全做到", "score": 100},
                {"value": "b", "label": "部分做到", "score": 50.5},
            ],
            "code": "ZZ01",
            "dimension": question.dimension,
        },
    )
    response = office_client.get(reverse("questionnaire_json", args=[draft.pk]))
    data = json.loads(response.content)
    assert set(data) == {
        "code", "version", "title", "description", "min_answered_ratio", "grade_bands",
        "dimensions",
    }  # fmt: skip
    assert data["grade_bands"][0] == {"label": "好", "min": 85}
    first = data["dimensions"][0]["questions"][0]
    assert (first["code"], first["cause"], first["aspect"]) == ("XY01", "分化", "目标")

    upload(office_client, "问卷.json", response.content)
    imported = Questionnaire.objects.get(version=3)
    assert content(imported) == content(draft)
    assert imported.questions.get(code="ZZ01").choices[1]["score"] == 50.5


def test_exports_write_weights_as_the_office_would(office_client, draft):
    """AHP weights and sums of weights are floats a hair off; files show 0.6, not
    0.5999999999999999."""
    Dimension.objects.filter(questionnaire=draft, code="xueyong").update(weight=0.1 + 0.2 + 0.3)
    Question.objects.filter(questionnaire=draft, code="XY01").update(weight=1.1 * 3)
    data = json.loads(office_client.get(reverse("questionnaire_json", args=[draft.pk])).content)
    first = data["dimensions"][0]
    assert (first["weight"], first["questions"][0]["weight"]) == (0.6, 3.3)
    book = openpyxl.load_workbook(
        io.BytesIO(office_client.get(reverse("questionnaire_xlsx", args=[draft.pk])).content)
    )
    numbers = {c.value for row in book.worksheets[1].iter_rows() for c in row}
    assert {0.6, 3.3} <= numbers and 0.5999999999999999 not in numbers


def test_import_keeps_a_new_codes_version_and_never_overwrites(office_client, questionnaire):
    data = services.questionnaire_data(questionnaire)
    upload(office_client, "a.json", json.dumps(data | {"code": "pilot", "version": 4}).encode())
    assert Questionnaire.objects.get(code="pilot").version == 4
    upload(office_client, "b.json", json.dumps(data | {"code": "pilot", "version": 1}).encode())
    assert sorted(Questionnaire.objects.filter(code="pilot").values_list("version", flat=True)) == [
        4,
        5,
    ]
    upload(office_client, "c.json", json.dumps(data).encode())  # standard v1 exists
    assert questionnaire.title == Questionnaire.objects.get(code="standard", version=1).title
    assert Questionnaire.objects.filter(code="standard", version=2).exists()


def mutated(questionnaire, change):
    data = services.questionnaire_data(questionnaire)
    change(data)
    return json.dumps(data, ensure_ascii=False).encode()


def _question(data, code):
    return next(q for d in data["dimensions"] for q in d["questions"] if q["code"] == code)


JSON_ERRORS = {
    "duplicate code": (
        lambda d: _question(d, "XY02").update(code="XY01"),
        "题目 XY01：题目编码重复",
    ),
    "zero weight": (lambda d: _question(d, "ZZ03").update(weight=0), "权重必须大于 0"),
    "zero dimension weight": (lambda d: d["dimensions"][1].update(weight=0), "权重必须大于 0"),
    "non-monotone bands": (
        lambda d: _question(d, "XYF1").update(
            bands=[{"min": 0, "score": 0}, {"min": 0, "score": 9}]
        ),
        "分档下限必须逐档增大",
    ),
    "non-monotone grades": (
        lambda d: d["grade_bands"].reverse(),
        "等次须从高到低排列",
    ),
    "unknown cause": (lambda d: _question(d, "HL01").update(cause="淡化"), "成因“淡化”无法识别"),
    "unknown aspect": (
        lambda d: _question(d, "HL01").update(aspect="思想"),
        "融合方面“思想”无法识别",
    ),
}


@pytest.mark.parametrize("case", JSON_ERRORS)
def test_json_import_errors_change_nothing(office_client, questionnaire, case):
    change, message = JSON_ERRORS[case]
    response = upload(office_client, "bad.json", mutated(questionnaire, change))
    assert message in html(response)
    assert "导入失败，未做任何修改" in html(response)
    assert Questionnaire.objects.count() == 1


def exported_book(questionnaire):
    return openpyxl.load_workbook(io.BytesIO(files.export_xlsx(questionnaire)))


def book_bytes(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _set(sheet, code, column, value):
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[3].value == code:
            row[header.index(column)].value = value
            return row[0].row
    raise AssertionError(code)


def xlsx_duplicate_code(book):
    _set(book["题目"], "XY03", "题目编码", "XY01")


def xlsx_zero_weight(book):
    _set(book["题目"], "ZZ02", "权重", 0)


def xlsx_bad_bands(book):
    _set(book["题目"], "HLF1", "分档", "0:0; 3:85; 1:60")


def xlsx_unknown_tag(book):
    _set(book["题目"], "HL03", "成因", "异化")


def xlsx_unknown_kind(book):
    _set(book["题目"], "HL04", "题型", "多选")


def xlsx_bad_boolean(book):
    _set(book["题目"], "HL05", "必答", "也许")


def xlsx_wrong_columns(book):
    book["题目"].cell(row=1, column=9).value = "原因"


def xlsx_missing_sheet(book):
    del book["等次划分"]


def xlsx_inconsistent_dimension(book):
    _set(book["题目"], "XY05", "维度权重", 3)


XLSX_ERRORS = [
    (xlsx_duplicate_code, "第4行：题目编码“XY01”与第2行重复"),
    (xlsx_zero_weight, "第15行：题目 ZZ02：权重必须大于 0"),
    (xlsx_bad_bands, "第33行：分档下限必须逐档增大"),
    (xlsx_unknown_tag, "第28行：题目 HL03：成因“异化”无法识别"),
    (xlsx_unknown_kind, "第29行：题目 HL04：题型“多选”无法识别"),
    (xlsx_bad_boolean, "第30行：必答应填“是”或“否”"),
    (xlsx_wrong_columns, "缺少列 成因；无法识别的列 原因"),
    (xlsx_missing_sheet, "缺少工作表“等次划分”"),
    (xlsx_inconsistent_dimension, "第6行：维度 xueyong 的名称或权重与第2行不一致"),
]


@pytest.mark.parametrize("break_it, message", XLSX_ERRORS, ids=lambda v: getattr(v, "__name__", ""))
def test_xlsx_import_errors_name_the_row_and_change_nothing(
    office_client, questionnaire, break_it, message
):
    book = exported_book(questionnaire)
    break_it(book)
    response = upload(office_client, "bad.xlsx", book_bytes(book))
    assert message in html(response)
    assert Questionnaire.objects.count() == 1 and Question.objects.count() == 36


def test_json_import_lists_every_fault_at_once(office_client, questionnaire):
    data = services.questionnaire_data(questionnaire)
    data["grade_bands"][0]["min"] = 60  # 好 60 below 较好 70
    first, second = data["dimensions"][0], data["dimensions"][1]
    first["questions"][2]["code"] = first["questions"][0]["code"]  # a repeated code
    first["questions"][3]["text"] = ""
    second["weight"] = -1
    page = html(upload(office_client, "坏问卷.json", json.dumps(data).encode()))
    for problem in ("题目编码重复", "缺少题目", "权重必须大于 0", "从高到低排列"):
        assert problem in page, problem
    assert Questionnaire.objects.count() == 1


def test_xlsx_import_names_every_bad_question_row_at_once(office_client, questionnaire):
    book = exported_book(questionnaire)
    for break_it in (xlsx_unknown_kind, xlsx_zero_weight, xlsx_unknown_tag):
        break_it(book)
    page = html(upload(office_client, "bad.xlsx", book_bytes(book)))
    rows = [page.index(f"“题目”第{n}行") for n in (15, 28, 29)]
    assert rows == sorted(rows), "listed in row order"
    for problem in ("权重必须大于 0", "成因“异化”无法识别", "题型“多选”无法识别"):
        assert problem in page
    assert page.count("<br>") >= 3  # one line each
    assert Questionnaire.objects.count() == 1


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("问卷.xlsx", "这不是 Excel 文件".encode(), "不是有效的 Excel 工作簿"),
        ("问卷.json", b'{"code": "standard",', "JSON 格式有误"),
        ("问卷.json", b"[]", "问卷文件内容为空或格式有误"),
        ("问卷.docx", b"PK\x03\x04", "只能导入 .xlsx 或 .json 文件"),
        ("问卷.json", "{}".encode("utf-16"), "UTF-8"),
    ],
)
def test_malformed_files_are_refused(office_client, questionnaire, name, data, message):
    response = upload(office_client, name, data)
    assert message in html(response)
    assert Questionnaire.objects.count() == 1


# ---------------------------------------------------------------- access --------


def every_url(questionnaire):
    question = questionnaire.questions.first()
    return [
        ("get", reverse("questionnaires")),
        ("post", reverse("questionnaire_import")),
        ("get", reverse("questionnaire_detail", args=[questionnaire.pk])),
        ("post", reverse("questionnaire_clone", args=[questionnaire.pk])),
        ("get", reverse("questionnaire_edit", args=[questionnaire.pk])),
        ("get", reverse("questionnaire_ahp", args=[questionnaire.pk])),
        ("get", reverse("questionnaire_xlsx", args=[questionnaire.pk])),
        ("get", reverse("questionnaire_json", args=[questionnaire.pk])),
        ("get", reverse("question_new", args=[questionnaire.pk])),
        ("get", reverse("question_edit", args=[questionnaire.pk, question.pk])),
        ("post", reverse("question_delete", args=[questionnaire.pk, question.pk])),
        ("post", reverse("questionnaire_delete", args=[questionnaire.pk])),
    ]


def test_secretaries_get_403_everywhere(client, secretary_a, questionnaire):
    client.force_login(secretary_a)
    for method, url in every_url(questionnaire):
        assert getattr(client, method)(url).status_code == 403, url
    assert Questionnaire.objects.count() == 1 and Question.objects.count() == 36


def test_anonymous_is_sent_to_login_everywhere(client, questionnaire):
    for method, url in every_url(questionnaire):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert Questionnaire.objects.count() == 1 and Question.objects.count() == 36


def test_office_reaches_every_page(office_client, questionnaire):
    for method, url in every_url(questionnaire):
        if method == "get":
            assert office_client.get(url).status_code == 200, url


def test_office_nav_links_the_versions(office_client):
    assert reverse("questionnaires") in html(office_client.get(reverse("office_home")))


# ---------------------------------------------------------------- admin ---------


def test_admin_shows_a_frozen_version_read_only(client, office, questionnaire, open_round):
    admin = User.objects.create_superuser("root", password="x")
    draft = services.questionnaire_clone(user=office, questionnaire=questionnaire)
    client.force_login(admin)
    frozen_url = reverse("admin:surveys_questionnaire_change", args=[questionnaire.pk])
    page = html(client.get(frozen_url))
    assert 'name="_save"' not in page and 'name="questions-0-text"' not in page
    assert client.post(frozen_url, {"title": "改了名字"}).status_code == 403
    question = questionnaire.questions.first()
    question_url = reverse("admin:surveys_question_change", args=[question.pk])
    assert 'name="_save"' not in html(client.get(question_url))
    assert client.post(question_url, {"text": "改了"}).status_code == 403

    page = html(client.get(reverse("admin:surveys_questionnaire_change", args=[draft.pk])))
    assert 'name="_save"' in page
    assert 'name="questions-0-text"' in page and 'name="dimensions-0-weight"' in page
    assert 'name="grade_bands-0-min_score"' in page
    assert questionnaire.title == Questionnaire.objects.get(pk=questionnaire.pk).title
