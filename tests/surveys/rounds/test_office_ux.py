"""The office's pages read well: Chinese names and labels, shown values instead of stored
ones, tables that keep names on one line, long lists folded."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.audit.models import AuditEvent
from surveys.organisation.models import Branch
from surveys.questionnaires import services
from surveys.questionnaires.models import Question
from surveys.submissions.models import Submission, SubmissionSnapshot
from surveys.submissions.views import stored_answer_text
from tests.conftest import make_round
from tests.helpers import answer_post

pytestmark = pytest.mark.django_db


def test_audit_filter_names_people_surname_first_and_says_all(client, office, secretary_a):
    client.force_login(office)
    html = client.get(reverse("audit_log")).content.decode()
    assert f'<option value="{secretary_a.pk}">王建国</option>' in html
    assert "建国 王" not in html
    assert "---------" not in html
    assert html.count('<option value="" selected>全部</option>') == 4


def audit_rows(html):
    """The audit table's rows as text, one string per row."""
    body = html.split('id="audit-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_audit_details_speak_chinese_and_hide_internal_fields(
    client, office, secretary_a, open_round, questionnaire
):
    client.force_login(secretary_a)
    url = reverse("questionnaire", args=[open_round.pk])
    client.post(url, answer_post(questionnaire, version=0))
    client.post(url, answer_post(questionnaire, version=1, action="submit"))
    client.force_login(office)

    html = client.get(reverse("audit_log")).content.decode()
    submitted, draft, loaded = audit_rows(html)
    assert "提交答卷" in submitted and "第 1 次提交" in submitted
    assert f"已答题数：{questionnaire.questions.count()}" in draft
    # The submission's edit counter means nothing to the office; a file digest neither.
    assert "版本" not in submitted + draft
    assert "载入问卷" in loaded and "问卷：standard 第1版" in loaded and "首次载入" in loaded
    for raw in ("sha256", "code", "change", "created", questionnaire.source_sha256):
        assert raw not in submitted + draft + loaded
    # The data itself stays.
    assert AuditEvent.objects.get(action="submitted").detail["version"] == 2

    export = client.get(reverse("audit_log"), {"format": "xlsx"})
    details = [row[7] for row in openpyxl.load_workbook(io.BytesIO(export.content)).active.values]
    assert details[1] == "第 1 次提交" and "sha256" not in "".join(details[1:])


def test_round_changes_and_long_branch_lists_read_in_chinese(client, office, open_round):
    changes = {"closes_at": ["2026年6月1日 18:00", "2026年6月8日 18:00"], "roster": [2, 3]}
    AuditEvent.objects.create(
        actor=office,
        action=AuditEvent.Action.ROUND_CHANGED,
        round=open_round,
        detail={"changes": changes, "reason": "集中学习"},
    )
    names = [f"县第{i}局机关党支部" for i in range(1, 8)]
    AuditEvent.objects.create(
        actor=office,
        action=AuditEvent.Action.REMINDED,
        round=open_round,
        detail={"branches": names, "skipped_recent": []},
    )
    client.force_login(office)
    html = client.get(reverse("audit_log")).content.decode()
    reminded, changed, _loaded = audit_rows(html)
    assert "变更：截止时间 2026年6月1日 18:00 → 2026年6月8日 18:00；参评支部数 2 → 3" in changed
    assert "原因：集中学习" in changed
    # Seven names fold behind the first three and a count; all seven are one click away.
    first_three = "、".join(names[:3])
    assert f"<summary>催报支部：{first_three} 等 7 个</summary>" in html
    assert "、".join(names) in reminded


def test_audit_table_keeps_short_columns_on_one_line(client, office, open_round):
    AuditEvent.objects.create(
        actor=office,
        action=AuditEvent.Action.REMINDED,
        round=open_round,
        detail={"branches": ["县水利局机关党支部"] * 40},
    )
    client.force_login(office)
    html = client.get(reverse("audit_log")).content.decode()
    assert 'class="table table-sm align-middle bg-body office-table" id="audit-table"' in html
    assert '<td class="text-nowrap">机关工委</td>' in html
    assert '<td class="text-nowrap">催报</td>' in html
    assert '<td class="small cell-detail">' in html
    # The date filters are wide enough to show a whole date.
    assert html.count('<div class="col-6 col-md-3 col-xl-2">') == 2


# Answer history ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "stored", "shown"),
    [
        (Question(kind="yes_no"), False, "否"),
        (Question(kind="yes_no"), True, "是"),
        (Question(kind="yes_no", allow_na=True), "NA", "不适用"),
        (Question(kind="likert", allow_na=True), "NA", "不适用"),
        (Question(kind="likert"), 4, "4 · 比较符合"),
        (Question(kind="number", unit_label="次"), 3.0, "3 次"),
        (Question(kind="number", unit_label="个"), 2.5, "2.5 个"),
        (Question(kind="number"), 12.0, "12"),
        (
            Question(kind="choice", choices=[{"value": "XY01", "label": "每月一次"}]),
            "XY01",
            "每月一次",
        ),
        (Question(kind="text"), "NA", "NA"),  # typed by the secretary, not 不适用
        (Question(kind="text"), "结合业务开展学习", "结合业务开展学习"),
        (Question(kind="text"), None, None),
    ],
)
def test_stored_answers_read_as_on_the_submission_page(question, stored, shown):
    assert stored_answer_text(question, stored) == shown


def submitted_snapshots(branch, round_, user, *answer_sets):
    submission = Submission.objects.create(
        round=round_,
        branch=branch,
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=user,
    )
    for number, answers in enumerate(answer_sets, start=1):
        SubmissionSnapshot.objects.create(
            submission=submission,
            number=number,
            submitted_at=timezone.now(),
            submitted_by=user,
            answers=answers,
        )
    return submission


def test_history_shows_answers_as_the_submission_page_does(client, office, secretary_a, open_round):
    submission = submitted_snapshots(
        secretary_a.branch,
        open_round,
        secretary_a,
        {"XY01": 4, "XYF1": 6.0, "XYF2": False, "HLF2": "NA", "XYT1": "每月集中学习"},
    )
    client.force_login(secretary_a)  # secretaries read their own history too
    html = client.get(reverse("history", args=[submission.pk])).content.decode()
    table = html.split('id="history-table"', 1)[1]
    for shown in ("4 · 比较符合", "6 次", "否", "不适用", "每月集中学习", "未作答"):
        assert f">{shown}<" in table or f"{shown}</td>" in table, shown
    for raw in (">False<", ">NA<", "6.0", ">XY01 "):
        assert raw not in table
    # One version: nothing to compare, so no picker offering 第1次 against 第1次.
    assert 'id="compare-form"' not in html
    assert "只提交过一次" in html


def test_history_compares_two_versions_and_not_one_with_itself(
    client, office, secretary_a, open_round
):
    submission = submitted_snapshots(
        secretary_a.branch, open_round, secretary_a, {"XYF2": False}, {"XYF2": True}
    )
    client.force_login(office)
    url = reverse("history", args=[submission.pk])
    html = client.get(url).content.decode()
    assert 'id="compare-form"' in html
    changed = html.split('class="table-warning changed"', 1)[1].split("</tr>", 1)[0]
    assert ">否<" in changed and ">是<" in changed
    same = client.get(url, {"a": 2, "b": 2}).content.decode()
    assert 'class="table-warning changed"' not in same and "请选择两次不同的提交" in same


# 退回 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_return_without_a_reason_is_refused_with_a_clear_message(
    client, office, secretary_a, open_round, reason
):
    submission = submitted_snapshots(secretary_a.branch, open_round, secretary_a, {"XY01": 4})
    client.force_login(office)
    url = reverse("submission_return", args=[submission.pk])
    response = client.post(url, {"reason": reason})
    assert response.status_code == 200
    assert "请填写退回原因，支部书记会看到它。" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_return_form_checks_the_reason_before_asking_to_confirm(
    client, office, secretary_a, open_round
):
    submission = submitted_snapshots(secretary_a.branch, open_round, secretary_a, {"XY01": 4})
    client.force_login(office)
    html = client.get(reverse("submission_return", args=[submission.pk])).content.decode()
    form = html.split('id="return-form"', 1)[0].rsplit("<form", 1)[1]
    # reports.js would confirm on submit before anything checks the reason.
    assert "data-confirm" not in form and "js/reports.js" not in html
    # The page's script is a static file (the CSP allows no inline script).
    src = re.search(r'<script src="([^"]*/js/office_forms\.js)"', html).group(1)
    script = b"".join(client.get(src).streaming_content).decode()
    assert script.index("reason.value.trim()") < script.index("window.rongheConfirm(")


# Long office tables ------------------------------------------------------------------------


@pytest.fixture
def many_branches(unit_a):
    return [
        Branch.objects.create(
            unit=unit_a, code=f"U-A-{i:02d}", name=f"县水利局机关第{i}党支部", member_count=10
        )
        for i in range(2, 14)
    ]


def test_not_submitted_list_shows_ten_and_folds_the_rest(
    client, office, questionnaire, branch_a, many_branches
):
    now = timezone.now()
    round_ = make_round(
        questionnaire,
        [branch_a, *many_branches],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=7),
    )
    client.force_login(office)
    html = client.get(reverse("office_round", args=[round_.pk])).content.decode()
    table = html.split('id="pending-table"', 1)[1].split("</table>", 1)[0]
    shown, folded = table.split('<tbody class="collapse" id="pending-more">')
    assert shown.count('name="branch"') == 10 and folded.count('name="branch"') == 3
    assert "显示其余 3 个未提交支部" in html
    assert "未提交的支部（13）" in html
    # Names and dates keep to one line; a narrow screen scrolls the table sideways.
    assert '<td class="text-nowrap">县水利局机关第2党支部<div' in shown
    # On a phone the unit and phone columns give way to lines under branch and secretary.
    assert '<th class="d-none d-md-table-cell">联系电话</th>' in table
    assert 'class="small text-body-secondary text-wrap d-md-none">县水利局 · ' in shown
    assert (
        'class="table-responsive"><table class="table table-sm align-middle mb-0 office-table"'
        in html
    )


def test_a_short_not_submitted_list_has_nothing_to_fold(client, office, open_round):
    client.force_login(office)
    html = client.get(reverse("office_round", args=[open_round.pk])).content.decode()
    assert 'id="pending-more"' not in html and "显示其余" not in html
    assert html.count('type="checkbox" name="branch"') == 2


def test_people_table_keeps_names_on_one_line(client, office, secretary_a):
    secretary_a.phone = "13800001234"
    secretary_a.save(update_fields=["phone"])
    client.force_login(office)
    html = client.get(reverse("people")).content.decode()
    assert 'class="table table-sm align-middle mb-0 office-table"' in html
    assert '<td class="text-nowrap">县水利局机关党支部</td>' in html
    assert '<td class="text-nowrap">王建国' in html
    assert '<td class="small text-nowrap">13800001234</td>' in html


def test_questionnaire_list_keeps_short_columns_on_one_line(client, office, questionnaire):
    services.questionnaire_clone(user=office, questionnaire=questionnaire)
    client.force_login(office)
    html = client.get(reverse("questionnaires")).content.decode()
    assert 'class="table align-middle bg-body office-table" id="questionnaire-table"' in html
    assert '<td class="text-nowrap">第1版</td>' in html
    assert '<td class="text-end text-nowrap">3 / 36</td>' in html
    copied_from = reverse("questionnaire_detail", args=[questionnaire.pk])
    assert f'<td class="small text-nowrap"><a href="{copied_from}">第1版</a></td>' in html
