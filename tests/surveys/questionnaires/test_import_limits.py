"""The questionnaire import's limits: every number finite and bounded, every text within its
model field's max_length, codes in the allowed pattern, nesting, counts, upload size and
workbook rows bounded. Each refusal is a Chinese message and writes nothing; the limits are
checked in Python before any write, so SQLite and PostgreSQL answer alike."""

import copy
import io
import json
import re
import zipfile

import openpyxl
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.questionnaires import files, instrument
from surveys.questionnaires.instrument import STANDARD_PATH
from surveys.questionnaires.models import Dimension, GradeBand, Question, Questionnaire

pytestmark = pytest.mark.django_db

STANDARD = yaml.safe_load(STANDARD_PATH.read_text(encoding="utf-8"))
MODELS = (Questionnaire, Dimension, Question, GradeBand)
# Text a Python, parser or database exception would bring onto the page.
ENGLISH_ERROR = re.compile(
    r"Error|Exception|Traceback|expected|parsing|line \d|column \d|invalid|could not|"
    r"not supported|out of range|NUL",
)


def max_length(model, name):
    return model._meta.get_field(name).max_length


def rows():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def upload(client, name, data):
    response = client.post(
        reverse("questionnaire_import"), {"file": SimpleUploadedFile(name, data)}, follow=True
    )
    assert response.status_code == 200
    return response, [str(m) for m in response.context["messages"]]


def refused(client, name, data):
    """The one message an import that must fail shows, after checking that nothing was
    written and that the message is Chinese only."""
    before = rows()
    response, messages = upload(client, name, data)
    assert rows() == before
    assert len(messages) == 1, messages
    message = messages[0]
    assert message.startswith("导入失败，未做任何修改"), message
    assert not ENGLISH_ERROR.search(message), message
    return message


def standard(change=None):
    data = copy.deepcopy(STANDARD)
    if change:
        change(data)
    return data


def as_json(data):
    return json.dumps(data, ensure_ascii=False).encode()  # NaN and Infinity as JS writes them


def question(data, kind=None):
    return next(
        q for d in data["dimensions"] for q in d["questions"] if kind is None or q["kind"] == kind
    )


def dimension(data):
    return data["dimensions"][0]


def make_choice(data, n, label="选项"):
    """The first question turned into a single-choice one with ``n`` options."""
    item = question(data)
    item.pop("reverse", None)
    item.update(
        kind="choice", choices=[{"value": f"c{i}", "label": label, "score": 50} for i in range(n)]
    )


# --- numbers -------------------------------------------------------------------------------

NUMBERS = {
    "NaN question weight": (
        lambda d: question(d).update(weight=float("nan")),
        "权重应为有限的数字",
    ),
    "Infinity dimension weight": (
        lambda d: dimension(d).update(weight=float("inf")),
        "权重应为有限的数字",
    ),
    "-Infinity weight": (lambda d: question(d).update(weight=float("-inf")), "权重应为有限的数字"),
    "huge integer weight": (lambda d: question(d).update(weight=10**400), "权重应为有限的数字"),
    "weight above 1000": (lambda d: question(d).update(weight=1000.5), "不大于 1000"),
    "NaN band minimum": (
        lambda d: question(d, "number")["bands"].append({"min": float("nan"), "score": 100}),
        "分档下限应为有限的数字",
    ),
    "Infinity band minimum": (
        lambda d: question(d, "number")["bands"].append({"min": float("inf"), "score": 100}),
        "分档下限应为有限的数字",
    ),
    "huge band minimum": (
        lambda d: question(d, "number")["bands"].append({"min": 2**31, "score": 100}),
        "分档下限须在 0–2147483647 之间",
    ),
    "NaN band score": (
        lambda d: question(d, "number")["bands"][0].update(score=float("nan")),
        "分档得分应为有限的数字",
    ),
    "Infinity grade minimum": (
        lambda d: d["grade_bands"][0].update(min=float("inf")),
        "最低分应为有限的数字",
    ),
    "NaN answered ratio": (
        lambda d: d.update(min_answered_ratio=float("nan")),
        "维度最低作答比例应为有限的数字",
    ),
    "huge version": (lambda d: d.update(version=2**31), "版本号（version）应为不大于 2147483647"),
    "huge max_value": (
        lambda d: question(d, "number").update(max_value=10**12),
        "应为不大于 2147483647 的正整数",
    ),
}


@pytest.mark.parametrize("case", NUMBERS)
def test_numbers_must_be_finite_and_bounded(office_client, questionnaire, case):
    change, expected = NUMBERS[case]
    assert expected in refused(office_client, "q.json", as_json(standard(change)))


def test_the_largest_version_the_databases_hold_is_imported(office_client):
    data = standard(lambda d: d.update(code="pilot", version=instrument.MAX_INTEGER))
    upload(office_client, "q.json", as_json(data))
    assert Questionnaire.objects.get(code="pilot").version == 2**31 - 1
    # The next import of the same code has no version number left.
    message = refused(office_client, "q.json", as_json(data))
    assert "版本号已达上限 2147483647" in message


# --- texts and codes -----------------------------------------------------------------------

TEXTS = {
    "questionnaire code": (Questionnaire, "code", lambda d, v: d.update(code=v)),
    "title": (Questionnaire, "title", lambda d, v: d.update(title=v)),
    "dimension code": (Dimension, "code", lambda d, v: dimension(d).update(code=v)),
    "dimension name": (Dimension, "name", lambda d, v: dimension(d).update(name=v)),
    "dimension problem": (Dimension, "problem", lambda d, v: dimension(d).update(problem=v)),
    "grade label": (GradeBand, "label", lambda d, v: d["grade_bands"][0].update(label=v)),
    "question code": (Question, "code", lambda d, v: question(d).update(code=v)),
    "unit label": (
        Question,
        "unit_label",
        lambda d, v: question(d, "number").update(unit_label=v),
    ),
}


@pytest.mark.parametrize("case", TEXTS)
def test_texts_longer_than_their_database_field_are_refused(office_client, questionnaire, case):
    model, field, change = TEXTS[case]
    limit = max_length(model, field)
    message = refused(
        office_client, "q.json", as_json(standard(lambda d: change(d, "A" * (limit + 1))))
    )
    assert f"最多 {limit} 个字符，现有 {limit + 1} 个" in message


def test_texts_exactly_as_long_as_their_fields_are_imported(office_client):
    def longest(data):
        for model, field, change in TEXTS.values():
            change(data, "B" * max_length(model, field))
        data["code"] = "C" * max_length(Questionnaire, "code")
        make_choice(data, 2, label="选" * instrument.MAX_CHOICE_LABEL)

    upload(office_client, "q.json", as_json(standard(longest)))
    imported = Questionnaire.objects.get()
    assert len(imported.title) == max_length(Questionnaire, "title")
    assert imported.dimensions.filter(name="B" * max_length(Dimension, "name")).exists()


def test_long_question_texts_are_refused(office_client, questionnaire):
    change = lambda d: question(d).update(text="题" * (instrument.MAX_LONG_TEXT + 1))  # noqa: E731
    message = refused(office_client, "q.json", as_json(standard(change)))
    assert f"题目内容（text）最多 {instrument.MAX_LONG_TEXT} 个字符" in message


@pytest.mark.parametrize("code", ["标准问卷", "a b", "-x", "x/y", "<b>"])
def test_codes_outside_the_allowed_pattern_are_refused(office_client, code):
    message = refused(office_client, "q.json", as_json(standard(lambda d: d.update(code=code))))
    assert "只能由英文字母、数字和 _ - . 组成" in message


@pytest.mark.parametrize("text", ["县\x00局", "县\x1b局", "县\ud800局"])
def test_text_no_database_keeps_as_typed_is_refused(office_client, text):
    """NUL is refused by PostgreSQL but kept by SQLite; a lone surrogate by both, differently."""
    data = json.dumps(standard(lambda d: dimension(d).update(name=text)), ensure_ascii=True)
    assert "无法保存的控制字符" in refused(office_client, "q.json", data.encode())


def test_tabs_and_line_breaks_in_texts_are_kept(office_client):
    upload(
        office_client, "q.json", as_json(standard(lambda d: question(d).update(text="甲\n乙\t丙")))
    )
    assert Question.objects.filter(text="甲\n乙\t丙").exists()


# --- nesting and counts --------------------------------------------------------------------


def test_json_nested_past_the_parser_is_refused(office_client):
    assert "嵌套层数过多" in refused(office_client, "q.json", b"[" * 100_000 + b"]" * 100_000)


def test_yaml_nested_past_the_parser_is_refused(office_client):
    assert "嵌套层数过多" in refused(office_client, "q.yaml", b"a: " + b"[" * 5_000 + b"]" * 5_000)


def test_nesting_deeper_than_an_instrument_is_refused(office_client):
    deep = "深"
    for _ in range(instrument.MAX_DEPTH):
        deep = [deep]
    message = refused(
        office_client, "q.json", as_json(standard(lambda d: question(d).update(help=deep)))
    )
    assert f"嵌套层数过多（最多 {instrument.MAX_DEPTH} 层）" in message


def test_yaml_aliases_that_multiply_are_refused(office_client):
    """The "billion laughs" file: a few lines whose aliases stand for a billion values."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    message = refused(office_client, "q.yaml", "\n".join(lines).encode())
    assert f"问卷文件内容过多（超过 {instrument.MAX_NODES} 项）" in message


COUNTS = {
    "dimensions": (
        lambda d: d.update(dimensions=[dimension(d) | {"code": f"D{i}"} for i in range(21)]),
        "维度最多 20 个，现有 21 个",
    ),
    "questions": (
        lambda d: dimension(d).update(
            questions=[question(d) | {"code": f"Q{i}"} for i in range(501)]
        ),
        "题目最多 500 个，现有",
    ),
    "choices": (
        lambda d: make_choice(d, 51),
        "选项最多 50 个，现有 51 个",
    ),
    "bands": (
        lambda d: question(d, "number").update(bands=[{"min": i, "score": 50} for i in range(21)]),
        "分档最多 20 个，现有 21 个",
    ),
    "grade bands": (
        lambda d: d.update(grade_bands=[{"label": f"G{i}", "min": 20 - i} for i in range(21)]),
        "等次最多 20 个，现有 21 个",
    ),
}


@pytest.mark.parametrize("case", COUNTS)
def test_counts_are_bounded(office_client, case):
    change, expected = COUNTS[case]
    assert expected in refused(office_client, "q.json", as_json(standard(change)))


# --- files ---------------------------------------------------------------------------------


def test_an_upload_over_the_size_limit_is_refused(office_client):
    data = as_json(standard()) + b" " * files.MAX_UPLOAD_BYTES
    assert "文件过大（超过 2 MB）" in refused(office_client, "q.json", data)


def test_yaml_syntax_errors_are_told_in_chinese(office_client):
    assert "YAML 格式有误：第 2 行第 1 列" in refused(office_client, "q.yaml", b"a: [b\n")


def test_yaml_values_python_cannot_build_are_told_in_chinese(office_client):
    message = refused(office_client, "q.yaml", b"code: standard\nversion: 2024-13-45\n")
    assert "YAML 文件中有无法识别的内容" in message


def standard_workbook(questionnaire):
    return openpyxl.load_workbook(io.BytesIO(files.export_xlsx(questionnaire)))


def workbook_bytes(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_over_the_row_limit_is_refused(office_client, questionnaire):
    book = standard_workbook(questionnaire)
    sheet = book["题目"]
    for _ in range(files.MAX_ROWS):
        sheet.append([None, None, None, "x"])
    message = refused(office_client, "q.xlsx", workbook_bytes(book))
    assert f"工作表“题目”超过 {files.MAX_ROWS} 行" in message


def test_blank_rows_below_the_questions_count_toward_the_limit(office_client, questionnaire):
    """Formatted but empty rows are still rows to read: a sheet of them is not read whole."""
    book = standard_workbook(questionnaire)
    sheet = book["题目"]
    sheet.cell(row=files.MAX_ROWS + 5, column=1).value = " "
    message = refused(office_client, "q.xlsx", workbook_bytes(book))
    assert f"超过 {files.MAX_ROWS} 行" in message


def test_a_workbook_that_unpacks_too_large_is_refused(office_client, questionnaire):
    content = io.BytesIO(files.export_xlsx(questionnaire))
    with zipfile.ZipFile(content, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (files.MAX_UNPACKED_BYTES + 1))
    assert len(content.getvalue()) < files.MAX_UPLOAD_BYTES
    message = refused(office_client, "q.xlsx", content.getvalue())
    assert f"Excel 文件解压后超过 {files.MAX_UNPACKED_BYTES // 2**20} MB" in message


def test_a_workbook_cell_with_nan_text_is_refused(office_client, questionnaire):
    book = standard_workbook(questionnaire)
    sheet = book["题目"]
    sheet.cell(row=2, column=8).value = "NaN"
    sheet.cell(row=3, column=8).value = "1e999"
    message = refused(office_client, "q.xlsx", workbook_bytes(book))
    assert "权重应为数字，现为“NaN”" in message


def test_the_standard_workbook_still_imports(office_client, questionnaire):
    upload(office_client, "q.xlsx", files.export_xlsx(questionnaire))
    assert Questionnaire.objects.filter(version=2).exists()
