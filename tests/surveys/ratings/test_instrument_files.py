"""The rater questionnaires as files in every format the main questionnaire uses: a version
exported as Excel, JSON or YAML comes back as the same questionnaire; the same file twice
changes nothing; a used version refuses a changed file; a bad file is refused row by row in
Chinese with nothing written; only the office reaches the files."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.ratings.instrument import (
    ITEM_COLUMNS,
    MAX_FILE_BYTES,
    load_rater_questionnaire,
    rater_data,
)
from surveys.ratings.models import Audience, RaterItem, RaterQuestionnaire
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

EXPORTS = {"xlsx": "ratings_questionnaire_xlsx", "json": "ratings_questionnaire_json"}
EXPORTS["yaml"] = "ratings_questionnaire_yaml"


def upload(client, content, name):
    return client.post(
        reverse("ratings_questionnaires"), {"file": SimpleUploadedFile(name, content)}
    ).content.decode()


def exported(client, questionnaire, fmt):
    response = client.get(reverse(EXPORTS[fmt], args=[questionnaire.pk]))
    assert response.status_code == 200
    return response.content


def with_version(content, fmt, version):
    """The exported file with its version number changed, edited as a person would."""
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        for row in book["问卷信息"].iter_rows(min_row=2):
            if row[0].value == "版本号":
                row[1].value = version
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    old = b'"version": 1,' if fmt == "json" else b"version: 1\n"
    assert old in content
    return content.replace(old, old.replace(b"1", str(version).encode()))


def without_version(questionnaire):
    return {k: v for k, v in rater_data(questionnaire).items() if k != "version"}


@pytest.mark.parametrize("fmt", ["xlsx", "json", "yaml"])
@pytest.mark.parametrize("audience", [Audience.MEMBERS, Audience.PUBLIC])
def test_every_format_round_trips_to_the_same_questionnaire(client, office, fmt, audience):
    original, _ = load_rater_questionnaire(audience=audience)
    client.force_login(office)
    content = exported(client, original, fmt)

    # The file as it was exported: the same version, the same content, nothing changes.
    page = upload(client, content, f"rater.{fmt}")
    assert "内容相同，未作修改" in page
    assert RaterQuestionnaire.objects.count() == 1

    bumped = with_version(content, fmt, 2)
    page = upload(client, bumped, f"rater.{fmt}")
    new = RaterQuestionnaire.objects.get(code=original.code, version=2)
    assert without_version(new) == without_version(original)
    assert list(new.items.values_list("dimension_name", "required")) == list(
        original.items.values_list("dimension_name", "required")
    )
    # Idempotent: the same file again writes nothing.
    upload(client, bumped, f"rater.{fmt}")
    assert RaterQuestionnaire.objects.count() == 2
    assert RaterItem.objects.filter(questionnaire=new).count() == original.items.count()


def test_the_workbook_has_the_main_layout(client, office):
    questionnaire, _ = load_rater_questionnaire(audience=Audience.MEMBERS)
    client.force_login(office)
    response = client.get(reverse("ratings_questionnaire_xlsx", args=[questionnaire.pk]))
    assert "filename*=UTF-8''%E8%AF%84%E8%AE%AE" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["问卷信息", "题目"]
    info = dict(list(book["问卷信息"].values)[1:])
    assert info["评议类型"] == "党员评议" and info["版本号"] == 1
    header, first, *rest = list(book["题目"].values)
    assert list(header) == ITEM_COLUMNS
    assert first == ("xueyong", "学用结合", "M01", first[3], "五级量表", "否", "分化")
    assert rest[-2][4:] == ("总体满意度", None, None)


def test_a_used_version_refuses_a_changed_file_but_not_its_own_export(client, office, group_a):
    client.force_login(office)
    questionnaire = group_a.questionnaire
    for fmt in ("xlsx", "json"):
        # Its own export in another format than it was loaded from is the same questionnaire.
        page = upload(client, exported(client, questionnaire, fmt), f"members.{fmt}")
        assert "内容相同，未作修改" in page
    book = openpyxl.load_workbook(io.BytesIO(exported(client, questionnaire, "xlsx")))
    book["题目"]["D2"] = "支部学习学以致用。"
    buffer = io.BytesIO()
    book.save(buffer)
    page = upload(client, buffer.getvalue(), "members.xlsx")
    assert "党员评议问卷（第1版）已被使用，不能修改" in page
    assert not RaterItem.objects.filter(text__contains="学以致用").exists()


def edited(client, questionnaire, change):
    """The version's workbook after change(book)."""
    book = openpyxl.load_workbook(io.BytesIO(exported(client, questionnaire, "xlsx")))
    change(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cell(sheet, ref, value):
    def change(book):
        book[sheet][ref] = value

    return change


def rename_sheet(book):
    book["题目"].title = "Sheet1"


def drop_cause_column(book):
    book["题目"].delete_cols(ITEM_COLUMNS.index("成因") + 1)


def two_bad_rows(book):
    book["题目"]["A3"] = "renshi"  # 维度编码 of M02
    book["题目"]["G5"] = "老化"  # 成因 of M04


BAD_WORKBOOKS = [
    ("wrong sheet", rename_sheet, ["Excel 文件缺少工作表“题目”"]),
    ("missing column", drop_cause_column, ["工作表“题目”第1行（表头）有误：缺少列 成因"]),
    (
        "unknown dimension",
        cell("题目", "A4", "other"),
        ["“题目”第4行：计分题 M03", "维度“other”不认识"],
    ),
    ("unknown cause", cell("题目", "G2", "老化"), ["“题目”第2行：计分题 M01", "成因“老化”不认识"]),
    ("bad kind", cell("题目", "E6", "问答题"), ["“题目”第6行：题目 M05 的题型“问答题”不认识"]),
    ("bad flag", cell("题目", "F2", "也许"), ["“题目”第2行：反向计分应填“是”或“否”"]),
    ("bad version", cell("问卷信息", "B3", "二"), ["“问卷信息”第3行：版本号应为数字"]),
    ("bad audience", cell("问卷信息", "B4", "干部评议"), ["“问卷信息”的评议类型 只能是"]),
    ("renamed dimension", cell("题目", "B2", "学习"), ["“题目”第2行", "不能改名"]),
    (
        "duplicate code",
        cell("题目", "C3", "M01"),
        ["“题目”第3行：题目编码 M01 重复（与“题目”第2行相同）"],
    ),
    ("two rows", two_bad_rows, ["“题目”第3行", "“题目”第5行"]),
]


@pytest.mark.parametrize(
    ("change", "messages"), [c[1:] for c in BAD_WORKBOOKS], ids=[c[0] for c in BAD_WORKBOOKS]
)
def test_a_bad_workbook_is_refused_by_row_with_nothing_written(client, office, change, messages):
    questionnaire, _ = load_rater_questionnaire(audience=Audience.MEMBERS)
    client.force_login(office)

    def new_version_with_fault(book):
        book["问卷信息"]["B3"] = 2
        change(book)

    content = edited(client, questionnaire, new_version_with_fault)
    page = upload(client, content, "党员评议.xlsx")
    assert "“党员评议.xlsx”未载入" in page and "请修改以下问题后重新选择文件导入" in page
    for message in messages:
        assert message in page
    # None of it is written; the import box is open so the file can be picked again.
    assert list(RaterQuestionnaire.objects.values_list("version", flat=True)) == [1]
    assert 'class="collapse mb-3 show" id="import-box"' in page


def test_several_bad_rows_are_listed_in_row_order(client, office):
    questionnaire, _ = load_rater_questionnaire(audience=Audience.MEMBERS)
    client.force_login(office)
    page = upload(client, edited(client, questionnaire, two_bad_rows), "m.xlsx")
    assert page.index("“题目”第3行") < page.index("“题目”第5行")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("m.xlsx", b"code: members\n", "文件不是有效的 Excel 工作簿（.xlsx）"),
        ("m.json", b'{"code": "members", ', "JSON 格式有误：第 1 行"),
        ("m.json", b"[1, 2]", "应以 code、version、audience 等字段开头"),
        ("m.csv", b"a,b\n", "只能载入 .xlsx、.json 或 .yaml 格式的评议问卷文件"),
        ("m.xlsx", b"PK" + b"\0" * MAX_FILE_BYTES, f"文件过大（最大 {MAX_FILE_BYTES // 1000} KB）"),
    ],
)
def test_other_bad_files_are_refused_in_chinese(client, office, name, content, message):
    client.force_login(office)
    page = upload(client, content, name)
    assert message in page
    assert not RaterQuestionnaire.objects.exists()


def test_the_main_questionnaire_page_leads_to_the_rater_questionnaires(client, office):
    client.force_login(office)
    page = client.get(reverse("questionnaires")).content.decode()
    assert f'href="{reverse("ratings_questionnaires")}">评议问卷' in page
    rater_page = client.get(reverse("ratings_questionnaires")).content.decode()
    assert f'href="{reverse("questionnaires")}">自评问卷' in rater_page


@pytest.fixture
def people(secretary_a, office):
    admin = make_user("admin_user", is_staff=True, is_superuser=True)
    return {"anon": None, "secretary": secretary_a, "office": office, "admin": admin}


@pytest.mark.parametrize(
    ("who", "expected"), [("anon", 302), ("secretary", 403), ("office", 200), ("admin", 200)]
)
def test_only_the_office_and_admin_reach_the_files(client, people, who, expected):
    questionnaire, _ = load_rater_questionnaire(audience=Audience.PUBLIC)
    client.force_login(people["office"])
    workbook = exported(client, questionnaire, "xlsx")
    workbook = with_version(workbook, "xlsx", 3)
    client.logout()
    if people[who]:
        client.force_login(people[who])
    for name in EXPORTS.values():
        response = client.get(reverse(name, args=[questionnaire.pk]))
        assert response.status_code == expected
        if expected == 302:
            assert response["Location"].startswith(reverse("login"))
    response = client.post(
        reverse("ratings_questionnaires"),
        {"file": SimpleUploadedFile("public.xlsx", workbook)},
    )
    assert response.status_code == (302 if expected == 200 else expected)
    versions = set(RaterQuestionnaire.objects.values_list("version", flat=True))
    assert versions == ({1, 3} if expected == 200 else {1})
