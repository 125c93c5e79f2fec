"""Publication (公示) and appeal (申诉): the branch sees nothing before publication, then its
verified scores and each change with its reason; one appeal per submission within the
window (frozen time); the office decides 维持 or 调整; the results then lock."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reports.models import SubmissionScore
from surveys.audit.models import AuditEvent
from surveys.verification.models import Appeal, RoundPublication, VerifiedAnswer
from tests.surveys.verification.conftest import plain_likert, publish, verify

pytestmark = pytest.mark.django_db


def _results(client, user, submission):
    client.force_login(user)
    response = client.get(reverse("verification_results", args=[submission.pk]))
    client.logout()
    return response


def _appeal(client, user, submission, text="第三题我们有会议记录，已上传照片。"):
    client.force_login(user)
    response = client.post(reverse("verification_results", args=[submission.pk]), {"text": text})
    client.logout()
    return response


def _decide(client, user, appeal, **data):
    client.force_login(user)
    response = client.post(reverse("appeal_decide", args=[appeal.pk]), data)
    client.logout()
    return response


def test_branch_waits_for_publication_then_sees_the_change_and_its_reason(
    client, office, secretary_a, two_submitted, questionnaire
):
    a, _b = two_submitted
    item = plain_likert(questionnaire)
    verify(client, office, a, {item.code: ("2", "会议记录只有一次")})

    client.force_login(secretary_a)
    report = client.get(reverse("branch_report", args=[a.pk])).content.decode()
    assert "等待公示" in report and 'id="branch-index"' not in report
    assert 'id="branch-pdf"' not in report
    # Nor do the charts or the PDF give the numbers away before 公示.
    radar = reverse("branch_chart", args=[a.pk, "radar", "svg"])
    assert client.get(radar).status_code == 404
    pdf = client.get(reverse("branch_pdf", args=[a.pk]), follow=True)
    assert pdf["Content-Type"].startswith("text/html")
    assert "公示后才能下载本支部报告" in pdf.content.decode()
    client.logout()
    page = _results(client, secretary_a, a).content.decode()
    assert 'id="awaiting-publication"' in page and "会议记录只有一次" not in page
    # Nor can the branch appeal yet.
    client.force_login(secretary_a)
    refused = client.post(
        reverse("verification_results", args=[a.pk]), {"text": "不同意"}, follow=True
    )
    client.logout()
    assert "考评结果尚未公示，公示后才能申诉。" in refused.content.decode()
    assert not Appeal.objects.exists()

    assert publish(client, office, a.round).status_code == 302
    score = SubmissionScore.objects.get(submission=a)
    client.force_login(secretary_a)
    report = client.get(reverse("branch_report", args=[a.pk])).content.decode()
    assert "等待公示" not in report and 'id="verified-note"' in report
    assert client.get(reverse("branch_pdf", args=[a.pk]))["Content-Type"] == "application/pdf"
    assert f'id="branch-index">{score.index:.2f}<' in report
    client.logout()
    page = _results(client, secretary_a, a).content.decode()
    change = page.split(f'id="change-{item.code}"')[1].split("</div>\n    </div>")[0]
    assert "会议记录只有一次" in change and "4 比较符合" in change and "2 比较不符合" in change
    assert f'id="self-index">{score.self_index:.2f}<' in page
    assert f'id="verified-index">{score.index:.2f}<' in page
    assert 'id="appeal-form"' in page


def test_a_round_without_verification_shows_the_report_as_before(
    client, secretary_a, two_submitted
):
    a, _b = two_submitted
    client.force_login(secretary_a)
    report = client.get(reverse("branch_report", args=[a.pk])).content.decode()
    assert "等待公示" not in report and 'id="branch-index"' in report


def test_one_appeal_per_submission_within_the_window(
    client, office, secretary_a, two_submitted, questionnaire
):
    a, _b = two_submitted
    verify(client, office, a, {plain_likert(questionnaire).code: ("2", "无记录")})
    published_at = timezone.now()
    with time_machine.travel(published_at, tick=False):
        publish(client, office, a.round, days=3)
    # An empty appeal is refused; the first real one is kept; a second is refused.
    with time_machine.travel(published_at + dt.timedelta(days=1), tick=False):
        client.force_login(secretary_a)
        empty = client.post(reverse("verification_results", args=[a.pk]), {"text": "  "})
        assert empty.status_code == 200 and "申诉没有提交" in empty.content.decode()
        client.logout()
        assert _appeal(client, secretary_a, a).status_code == 302
        _appeal(client, secretary_a, a, text="再申诉一次")
    assert list(Appeal.objects.values_list("text", flat=True)) == [
        "第三题我们有会议记录，已上传照片。"
    ]


def test_no_appeal_after_the_window_closes(
    client, office, secretary_a, two_submitted, questionnaire
):
    a, _b = two_submitted
    published_at = timezone.now()
    with time_machine.travel(published_at, tick=False):
        publish(client, office, a.round, days=3)
    just_before = published_at + dt.timedelta(days=3) - dt.timedelta(seconds=1)
    with time_machine.travel(just_before, tick=False):
        assert 'id="appeal-form"' in _results(client, secretary_a, a).content.decode()
    with time_machine.travel(published_at + dt.timedelta(days=3), tick=False):
        page = _results(client, secretary_a, a).content.decode()
        assert 'id="appeal-form"' not in page and "申诉期已结束" in page
        _appeal(client, secretary_a, a)
        assert not Appeal.objects.exists()
        # The window closed with no open appeal: the results are locked.
        response = verify(client, office, a, {plain_likert(questionnaire).code: ("1", "再查")})
        assert response.status_code == 200
        assert "考评结果已锁定" in response.content.decode()
        assert not VerifiedAnswer.objects.exists()


def test_office_upholds_an_appeal_with_a_reason(
    client, office, secretary_a, two_submitted, questionnaire
):
    a, _b = two_submitted
    verify(client, office, a, {plain_likert(questionnaire).code: ("2", "无记录")})
    publish(client, office, a.round)
    _appeal(client, secretary_a, a)
    appeal = Appeal.objects.get()
    before = SubmissionScore.objects.get(submission=a).index
    refused = _decide(client, office, appeal, decision="upheld", reason="")
    assert refused.status_code == 200 and Appeal.objects.get().status == "open"
    assert (
        _decide(client, office, appeal, decision="upheld", reason="照片无日期").status_code == 302
    )
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD and appeal.decision_reason == "照片无日期"
    assert SubmissionScore.objects.get(submission=a).index == before
    page = _results(client, secretary_a, a).content.decode()
    assert "处理结果：<strong>维持</strong>" in page and "照片无日期" in page
    # The whole chain is in the office's audit log, with who did each step.
    code = plain_likert(questionnaire).code
    events = list(
        AuditEvent.objects.filter(submission=a)
        .exclude(action__in=["draft_saved", "submitted"])
        .order_by("at", "id")
    )
    assert [(e.action, e.actor) for e in events] == [
        ("verified", office),
        ("appeal_lodged", secretary_a),
        ("appeal_decided", office),
    ]
    assert events[0].detail == {"changes": {code: 2}, "reason": f"{code}：无记录"}
    assert events[2].detail == {"decision": "维持", "reason": "照片无日期"}
    assert AuditEvent.objects.filter(action="round_published", round=a.round).count() == 1
    client.force_login(office)
    log = client.get(reverse("audit_log")).content.decode()
    assert "考评答卷" in log and "提出申诉" in log and "处理结果：维持" in log


def test_an_adjusting_decision_rescores_and_every_decided_appeal_locks_the_round(
    client, office, secretary_a, secretary_b, two_submitted, questionnaire
):
    a, b = two_submitted
    item = plain_likert(questionnaire)
    verify(client, office, a, {item.code: ("2", "无记录")})
    publish(client, office, a.round)
    _appeal(client, secretary_a, a)
    _appeal(client, secretary_b, b, text="我们不同意。")
    verified = SubmissionScore.objects.get(submission=a)
    response = _decide(
        client,
        office,
        Appeal.objects.get(submission=a),
        decision="adjusted",
        reason="补充的记录属实",
        code=item.code,
        value="4",
    )
    assert response.status_code == 302
    score = SubmissionScore.objects.get(submission=a)
    assert score.index == pytest.approx(score.self_index) and score.index > verified.index
    stored = VerifiedAnswer.objects.get(verification__submission=a, question=item)
    assert stored.value == 4 and stored.reason == "申诉调整：补充的记录属实"
    # One appeal still open: not locked yet; deciding it locks the round.
    verify(client, office, b, {item.code: ("1", "核对")})
    assert VerifiedAnswer.objects.filter(verification__submission=b).exists()
    _decide(client, office, Appeal.objects.get(submission=b), decision="upheld", reason="无新证据")
    response = verify(client, office, b, {item.code: ("3", "再改")}, version=1)
    assert "考评结果已锁定" in response.content.decode()
    assert VerifiedAnswer.objects.get(verification__submission=b).value == 1
    client.force_login(office)
    queue = client.get(reverse("verification_queue", args=[a.round_id])).content.decode()
    assert "结果已锁定" in queue and 'id="count-appeals">0<' in queue


def test_adjusting_needs_an_item_and_a_valid_value(
    client, office, secretary_a, two_submitted, questionnaire
):
    a, _b = two_submitted
    publish(client, office, a.round)
    _appeal(client, secretary_a, a)
    appeal = Appeal.objects.get()
    item = plain_likert(questionnaire)
    no_item = _decide(client, office, appeal, decision="adjusted", reason="属实")
    assert "调整时请选择要调整的题目。" in no_item.content.decode()
    bad = _decide(
        client, office, appeal, decision="adjusted", reason="属实", code=item.code, value="9"
    )
    html = bad.content.decode()
    assert "请填写这一题的一个选项值" in html and "属实" in html
    assert Appeal.objects.get().status == Appeal.Status.OPEN


def test_publishing_needs_sane_settings_and_happens_once(client, office, two_submitted):
    a, _b = two_submitted
    publish(client, office, a.round, days=0)
    assert not RoundPublication.objects.filter(published_at__isnull=False).exists()
    publish(client, office, a.round, days=7, margin=5)
    publication = RoundPublication.objects.get()
    first = publication.published_at
    assert publication.appeal_days == 7 and publication.overclaim_margin == 5
    publish(client, office, a.round, days=9)
    publication.refresh_from_db()
    assert publication.published_at == first and publication.appeal_days == 7
