"""The audit recorders: one row each, with its action, links and detail keys."""

import datetime as dt
import inspect

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.audit import events
from surveys.audit.models import AuditEvent
from surveys.rounds.services import round_create
from surveys.submissions.models import Submission
from tests.helpers import answer_post

A = AuditEvent.Action

# recorder, its action, the detail keys it writes, and its arguments (given the objects).
CASES = [
    (
        events.password_reset,
        A.PASSWORD_RESET,
        ["note"],
        lambda o: {"actor": o["office"], "branch": o["branch"], "note": "重置"},
    ),
    (
        events.password_changed,
        A.PASSWORD_CHANGED,
        ["note"],
        lambda o: {"actor": o["office"], "branch": None, "note": "修改密码"},
    ),
    (
        events.branch_changed,
        A.BRANCH_CHANGED,
        ["changes", "note"],
        lambda o: {
            "actor": o["office"],
            "branch": o["branch"],
            "changes": {"启用": ["是", "否"]},
            "note": "停用支部",
        },
    ),
    (
        events.secretary_changed,
        A.SECRETARY_CHANGED,
        ["changes", "note"],
        lambda o: {
            "actor": o["office"],
            "branch": o["branch"],
            "changes": {"书记": ["（无）", "张三（zs）"]},
            "note": "",
        },
    ),
    (
        events.login_locked,
        A.LOGIN_LOCKED,
        ["username", "ip", "failures", "locked_until"],
        lambda o: {
            "branch": o["branch"],
            "username": "sec_a",
            "ip": "203.0.113.7",
            "failures": 5,
            "locked_until": "2026-06-15 18:15",
        },
    ),
    (
        events.account_unlocked,
        A.ACCOUNT_UNLOCKED,
        ["username", "cleared"],
        lambda o: {"actor": o["office"], "branch": o["branch"], "username": "sec_a", "cleared": 1},
    ),
    (
        events.email_changed,
        A.EMAIL_CHANGED,
        ["username", "changes"],
        lambda o: {
            "actor": o["office"],
            "branch": o["branch"],
            "username": "sec_a",
            "old": "",
            "new": "a@example.gov.cn",
        },
    ),
    (
        events.people_imported,
        A.IMPORTED,
        ["note", "file", "units", "branches"],
        lambda o: {
            "actor": o["office"],
            "note": "新增 1 个单位",
            "file": "名单.xlsx",
            "counts": {"units": 1, "branches": 0},
        },
    ),
    (
        events.questionnaire_loaded,
        A.QUESTIONNAIRE_LOADED,
        ["code", "version", "sha256", "change"],
        lambda o: {
            "actor": None,
            "code": "standard",
            "version": 1,
            "sha256": "ab",
            "change": "created",
        },
    ),
    (
        events.questionnaire_imported,
        A.QUESTIONNAIRE_LOADED,
        ["name", "version", "note"],
        lambda o: {"actor": o["office"], "questionnaire": o["questionnaire"], "filename": "q.xlsx"},
    ),
    (
        events.questionnaire_changed,
        A.QUESTIONNAIRE_CHANGED,
        ["name", "version", "note"],
        lambda o: {
            "actor": o["office"],
            "questionnaire": o["questionnaire"],
            "note": "删除题目 Q1",
        },
    ),
    (
        events.questionnaire_changed,
        A.QUESTIONNAIRE_CHANGED,
        ["name", "version", "note", "changes"],
        lambda o: {
            "actor": o["office"],
            "questionnaire": o["questionnaire"],
            "note": "修改问卷",
            "changes": {"问卷名称": ["甲", "乙"]},
        },
    ),
    (
        events.round_created,
        A.ROUND_CREATED,
        ["name", "questionnaire", "opens_at", "closes_at", "roster"],
        lambda o: {
            "actor": o["office"],
            "round_": o["round"],
            "questionnaire": str(o["questionnaire"]),
            "opens_at": "2026-06-01 09:00",
            "closes_at": "2026-06-20 18:00",
            "roster": 2,
        },
    ),
    (
        events.round_changed,
        A.ROUND_CHANGED,
        ["changes"],
        lambda o: {"actor": o["office"], "round_": o["round"], "changes": {"name": ["甲", "乙"]}},
    ),
    (
        events.round_changed,
        A.ROUND_CHANGED,
        ["changes", "note", "cancelled_extensions"],
        lambda o: {
            "actor": o["office"],
            "round_": o["round"],
            "changes": {"closes_at": ["a", "b"]},
            "note": "提前结束",
            "cancelled_extensions": [],
        },
    ),
    (
        events.branches_reminded,
        A.REMINDED,
        ["branches", "skipped_recent"],
        lambda o: {
            "actor": o["office"],
            "round_": o["round"],
            "branches": ["甲"],
            "skipped_recent": [],
        },
    ),
    (
        events.draft_saved,
        A.DRAFT_SAVED,
        ["version", "answered"],
        lambda o: {"actor": o["secretary"], "submission": o["submission"], "answered": 3},
    ),
    (
        events.submission_submitted,
        A.SUBMITTED,
        ["version", "snapshot"],
        lambda o: {
            "actor": o["secretary"],
            "submission": o["submission"],
            "version": 2,
            "snapshot": 1,
        },
    ),
    (
        events.submission_returned,
        A.RETURNED,
        ["reason", "closes_at"],
        lambda o: {
            "actor": o["office"],
            "submission": o["submission"],
            "reason": "补充材料",
            "closes_at": None,
        },
    ),
    (
        events.score_excluded,
        A.SCORE_EXCLUDED,
        [],
        lambda o: {"actor": o["office"], "submission": o["submission"]},
    ),
    (
        events.score_restored,
        A.SCORE_RESTORED,
        ["reason"],
        lambda o: {"actor": o["office"], "submission": o["submission"], "reason": "核实无误"},
    ),
    (
        events.evidence_added,
        A.EVIDENCE_ADDED,
        ["item", "file"],
        lambda o: {
            "actor": o["secretary"],
            "submission": o["submission"],
            "item": "XYF1",
            "file": "照片.jpg",
        },
    ),
    (
        events.evidence_removed,
        A.EVIDENCE_REMOVED,
        ["item", "file"],
        lambda o: {
            "actor": o["secretary"],
            "submission": o["submission"],
            "item": "XYF1",
            "file": "照片.jpg",
        },
    ),
    (
        events.submission_verified,
        A.VERIFIED,
        ["changes", "reason"],
        lambda o: {
            "actor": o["office"],
            "submission": o["submission"],
            "changes": {"XY01": 2},
            "reasons": ["XY01：无记录"],
        },
    ),
    (
        events.round_published,
        A.ROUND_PUBLISHED,
        ["note"],
        lambda o: {"actor": o["office"], "round_": o["round"], "appeal_days": 5, "margin": 10.0},
    ),
    (
        events.appeal_lodged,
        A.APPEAL_LODGED,
        ["reason", "files"],
        lambda o: {
            "actor": o["secretary"],
            "submission": o["submission"],
            "text": "不同意",
            "files": ["会议记录.pdf"],
        },
    ),
    (
        events.appeal_decided,
        A.APPEAL_DECIDED,
        ["decision", "reason", "item"],
        lambda o: {
            "actor": o["office"],
            "submission": o["submission"],
            "decision": "调整",
            "reason": "属实",
            "item": "XY01",
        },
    ),
    (
        events.rater_groups_added,
        A.RATER_GROUPS_ADDED,
        ["note", "count"],
        lambda o: {"actor": o["office"], "round_": o["round"], "note": "党员评议", "count": 2},
    ),
    (
        events.rater_codes_issued,
        A.RATER_CODES_ISSUED,
        ["name", "count"],
        lambda o: {
            "actor": o["office"],
            "round_": o["round"],
            "branch": o["branch"],
            "name": "党员评议 · 第一支部",
            "count": 30,
        },
    ),
    (
        events.business_imported,
        A.BUSINESS_IMPORTED,
        ["file", "count"],
        lambda o: {"actor": o["office"], "round_": o["round"], "file": "业务.xlsx", "count": 3},
    ),
    (
        events.warning_rules_changed,
        A.WARNING_RULES_CHANGED,
        ["changes"],
        lambda o: {
            "actor": o["office"],
            "round_": o["round"],
            "changes": {"红灯等次": ["差", "（不启用）"]},
        },
    ),
    (
        events.task_created,
        A.TASK_CREATED,
        ["title", "name", "due_date"],
        lambda o: {
            "actor": o["office"],
            "round_": o["round"],
            "branch": o["branch"],
            "title": "规范记录",
            "due_date": "2026年12月31日",
            "unit": "县水利局",
        },
    ),
    (
        events.task_reported,
        A.TASK_REPORTED,
        ["title", "status", "note", "files"],
        lambda o: {
            "actor": o["secretary"],
            "round_": o["round"],
            "branch": o["branch"],
            "title": "规范记录",
            "status": "已完成",
            "note": "已建台账",
            "files": ["台账.pdf"],
        },
    ),
    (
        events.task_withdrawn,
        A.TASK_WITHDRAWN,
        ["title"],
        lambda o: {"actor": o["office"], "round_": o["round"], "branch": None, "title": "规范记录"},
    ),
]


@pytest.fixture
def objects(office, secretary_a, branch_a, open_round, questionnaire):
    submission = Submission.objects.create(round=open_round, branch=branch_a)
    return {
        "office": office,
        "secretary": secretary_a,
        "branch": branch_a,
        "round": open_round,
        "questionnaire": questionnaire,
        "submission": submission,
    }


@pytest.mark.parametrize(
    ("recorder", "action", "keys", "kwargs"),
    CASES,
    ids=[f"{case[0].__name__}-{i}" for i, case in enumerate(CASES)],
)
def test_each_recorder_writes_one_row_with_its_action_and_detail_keys(
    objects, recorder, action, keys, kwargs
):
    before = AuditEvent.objects.count()
    arguments = kwargs(objects)
    event = recorder(**arguments)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.action == action
    assert sorted(event.detail) == sorted(keys)  # PostgreSQL's jsonb keeps no key order
    if "submission" in arguments:
        submission = arguments["submission"]
        assert (event.submission_id, event.round_id, event.branch_id) == (
            submission.pk,
            submission.round_id,
            submission.branch_id,
        )
    if "round_" in arguments:
        assert event.round_id == arguments["round_"].pk
    if arguments.get("branch") is not None:
        assert event.branch_id == arguments["branch"].pk


def test_every_action_written_has_a_recorder():
    assert {case[1] for case in CASES} == set(A)


RECORDERS = sorted({case[0] for case in CASES}, key=lambda f: f.__name__)


@pytest.mark.parametrize("recorder", RECORDERS, ids=[f.__name__ for f in RECORDERS])
def test_recorders_take_keyword_arguments_only(recorder):
    parameters = inspect.signature(recorder).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
    assert recorder.__doc__ and "detail" in recorder.__doc__
    with pytest.raises(TypeError):
        recorder(None, None)


def test_submitting_keeps_the_time_of_the_submission(objects):
    at = timezone.now() - dt.timedelta(minutes=5)
    event = events.submission_submitted(
        actor=objects["secretary"], submission=objects["submission"], version=2, snapshot=1, at=at
    )
    assert AuditEvent.objects.get(pk=event.pk).at == at


def test_the_audit_log_shows_a_round_created_and_a_submission_in_chinese(
    client, office, secretary_a, branch_a, branch_b, open_round, questionnaire
):
    round_create(
        user=office,
        name="2026年第三季度融合度测评",
        questionnaire=questionnaire,
        opens_at=open_round.opens_at,
        closes_at=open_round.closes_at,
    )
    client.force_login(secretary_a)
    url = reverse("questionnaire", args=[open_round.pk])
    client.post(url, answer_post(questionnaire, version=0))
    client.post(url, answer_post(questionnaire, version=1, action="submit"))
    client.force_login(office)

    html = client.get(reverse("audit_log")).content.decode()
    assert "创建批次" in html and "名称：2026年第三季度融合度测评" in html
    assert "参评支部数：2" in html
    assert "提交答卷" in html and "第 1 次提交" in html
