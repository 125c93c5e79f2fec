"""The office's spreadsheets say what the pages say: the not-submitted workbook has the
round page's 状态 and 最近催报; the round workbook has header filters, raw answers by unit
and branch, the full question texts and a 说明 sheet (round, questionnaire version, export
time in Beijing time). Every cell still goes through surveys/core/downloads.py."""

import datetime as dt
import io
import zoneinfo

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from surveys.questionnaires.models import Question
from surveys.rounds.models import Reminder
from tests.helpers import submit

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def workbook(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_not_submitted_workbook_has_the_pages_status_and_last_reminder(
    client, office, secretary_a, secretary_b, open_round, questionnaire
):
    submit(client, secretary_b, open_round, questionnaire, action="save")  # a draft
    client.force_login(office)
    client.post(
        reverse("reminders_start", args=[open_round.pk]), {"branch": [secretary_a.branch_id]}
    )
    reminded = Reminder.objects.get(branch=secretary_a.branch).sent_at.astimezone(SHANGHAI)

    sheet = workbook(client.get(reverse("not_submitted_xlsx", args=[open_round.pk]))).active
    rows = list(sheet.values)
    assert rows[0] == ("单位", "党支部", "支部书记", "联系电话", "状态", "最近催报", "截止时间")
    by_branch = {row[1]: row for row in rows[1:]}
    assert by_branch["县水利局机关党支部"][4:6] == (
        "未填写",
        f"{reminded.year}年{reminded.month}月{reminded.day}日 {reminded:%H:%M}",
    )
    assert by_branch["县财政局机关党支部"][4:6] == ("草稿", "—")
    assert sheet.auto_filter.ref == "A1:G3"


def test_not_submitted_workbook_of_an_unknown_round_is_404(client, office):
    client.force_login(office)
    assert client.get(reverse("not_submitted_xlsx", args=[999999])).status_code == 404


@pytest.fixture
def round_workbook(client, office, secretary_a, secretary_b, open_round, questionnaire):
    # Unit B's branch submits first: the raw answers must still list unit A (order 1) first.
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    client.force_login(office)
    exported_at = dt.datetime(2026, 5, 31, 23, 45, 10, tzinfo=dt.UTC)  # 06-01 07:45 in Beijing
    with time_machine.travel(exported_at, tick=False):
        return workbook(client.get(reverse("export_round_xlsx", args=[open_round.pk])))


def test_round_workbook_sheets_have_filters_on_their_header_rows(round_workbook):
    for name in ("单位得分", "支部得分", "题目均分", "原始答卷"):
        sheet = round_workbook[name]
        ref = sheet.auto_filter.ref
        assert ref and ref.startswith("A1:"), name
        last_column = openpyxl.utils.get_column_letter(sheet.max_column)
        assert ref == f"A1:{last_column}{sheet.max_row}", name


def test_raw_answers_are_sorted_by_unit_and_branch_with_each_rows_own_answers(
    round_workbook, questionnaire
):
    rows = list(round_workbook["原始答卷"].values)
    assert [row[:2] for row in rows[1:]] == [
        ("县水利局", "县水利局机关党支部"),
        ("县财政局", "县财政局机关党支部"),
    ]
    likert = next(
        i for i, header in enumerate(rows[0]) if header.startswith(first_likert(questionnaire))
    )
    assert (rows[1][likert], rows[2][likert]) == (4, 2)  # answers stayed with their branch


def first_likert(questionnaire):
    return (
        Question.objects.filter(questionnaire=questionnaire, kind=Question.Kind.LIKERT)
        .order_by("dimension__order", "order")[0]
        .code
        + " "
    )


def test_round_workbook_has_every_full_question_text(round_workbook, questionnaire):
    texts = {row[1]: row[2] for row in list(round_workbook["题目均分"].values)[1:]}
    for question in Question.objects.filter(questionnaire=questionnaire):
        assert texts[question.code] == question.text


def test_round_workbook_says_round_version_and_export_time(round_workbook, open_round):
    about = dict(list(round_workbook["说明"].values)[1:])
    assert round_workbook.sheetnames[-1] == "说明"
    assert about["测评批次"] == open_round.name
    version = open_round.questionnaire
    assert about["问卷版本"] == f"第{version.version}版 · {version.title}"
    assert about["导出时间"] == "2026-06-01 07:45:10（北京时间）"
    assert "完整题目见“题目均分”表" in about["原始答卷"]


def test_round_name_in_the_about_sheet_is_not_a_formula(
    client, office, secretary_a, open_round, questionnaire
):
    open_round.name = '=HYPERLINK("http://x")'
    open_round.save(update_fields=["name"])
    submit(client, secretary_a, open_round, questionnaire)
    client.force_login(office)
    book = workbook(client.get(reverse("export_round_xlsx", args=[open_round.pk])))
    about = dict(list(book["说明"].values)[1:])
    assert about["测评批次"] == '\'=HYPERLINK("http://x")'
