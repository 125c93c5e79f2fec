"""The PDFs carry the unit's rater numbers once shown (issue 13) and say when the scores are
the office's verified ones (issue 12); nothing extra for a round without rater groups or
without verification."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from reports import selectors
from reports.exports import pdf
from reports.models import SubmissionScore
from surveys.ratings.models import Audience, RaterGroup
from surveys.ratings.selectors import round_comparison
from surveys.ratings.services import (
    codes_issue,
    rater_groups_add,
    rating_settings_set,
    rating_submit,
)
from tests.helpers import submit
from tests.surveys.ratings.conftest import sheet
from tests.surveys.verification.conftest import plain_likert, verify

pytestmark = pytest.mark.django_db

VERIFIED = "以下得分为机关工委考评后的得分"


@pytest.fixture
def two_submitted(client, secretary_a, secretary_b, open_round, questionnaire):
    a = submit(client, secretary_a, open_round, questionnaire, likert="4")
    b = submit(client, secretary_b, open_round, questionnaire, likert="2")
    return a, b


@pytest.fixture
def rated(office, two_submitted, open_round, branch_a, branch_b):
    """k = 2: branch A's members send 2 of 4 sheets (shown), branch B's 1 (样本不足)."""
    rating_settings_set(actor=office, round_=open_round, min_raters=2)
    rater_groups_add(actor=office, round_=open_round, audience=Audience.MEMBERS)
    group_a = RaterGroup.objects.get(round=open_round, branch=branch_a)
    group_b = RaterGroup.objects.get(round=open_round, branch=branch_b)
    for code in codes_issue(actor=office, group=group_a, count=4)[:2]:
        rating_submit(typed_code=code, answers=sheet(group_a, 4))
    [code] = codes_issue(actor=office, group=group_b, count=1)
    rating_submit(typed_code=code, answers=sheet(group_b, 5))
    return open_round


def _after_close(round_):
    return time_machine.travel(round_.closes_at + dt.timedelta(hours=1), tick=False)


def _text(content):
    """The PDF's text without the line breaks and spaces the layout puts in."""
    pages = PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def _unit_pdf(round_, unit):
    return _text(pdf.unit_report_pdf(selectors.unit_report(round_, unit)))


def _section(text, unit):
    """One unit's section of the round's PDF: from its title to the next unit's."""
    title = "党建与业务融合度测评报告"
    return text.split(f"{unit.name}{title}", 1)[1].split(title)[0]


def test_unit_pdf_carries_the_shown_rater_numbers(office, rated, unit_a):
    rating_settings_set(actor=office, round_=rated, min_raters=2, gap_margin=5)
    with _after_close(rated):
        [row] = [r for r in round_comparison(rated) if r.unit == unit_a]
        text = _unit_pdf(rated, unit_a)
    assert row.members.status == "shown"
    assert "自评与他评" in text
    members = text.split("党员评议", 1)[1]
    expected = f"{row.members.index:.1f}2人50%{row.gaps['members'][0]:+.1f}"
    assert members.startswith(expected), members[:60]
    flagged = row.gaps["members"][2]
    assert flagged == ["组织生活实效"]  # 63.9 − 58.3 over the 5-point margin; 0 and −7.2 not
    assert f"（自评偏高的维度：{'、'.join(flagged)}）" in text
    assert f"综合指数{row.composite:.1f}（折算）" in text
    assert "综合指数=自评30%+党员评议40%+群众评议30%" in text
    assert "党员评议样本不足" not in text


def test_unit_pdf_says_too_few_below_k(rated, unit_b):
    with _after_close(rated):
        text = _unit_pdf(rated, unit_b)
        [row] = [r for r in round_comparison(rated) if r.unit == unit_b]
    assert row.members.status == "too_few" and row.members.n == 0
    assert "党员评议样本不足" in text
    # No rater number for B: its only member score would be 100 (all 5s).
    assert "100.0" not in text


def test_no_rater_numbers_before_close(rated, unit_a):
    assert "自评与他评" not in _unit_pdf(rated, unit_a)


def test_nothing_extra_without_groups_or_verification(two_submitted, open_round, unit_a):
    with _after_close(open_round):
        text = _unit_pdf(open_round, unit_a)
        round_text = _text(pdf.round_report_pdf(open_round))
    for t in (text, round_text):
        assert "自评与他评" not in t and "党员评议" not in t and VERIFIED not in t


def test_round_pdf_carries_each_units_rater_numbers(rated, unit_a, unit_b):
    with _after_close(rated):
        rows = {r.unit.pk: r for r in round_comparison(rated)}
        text = _text(pdf.round_report_pdf(rated))
    a, b = _section(text, unit_a), _section(text, unit_b)
    assert f"党员评议{rows[unit_a.pk].members.index:.1f}2人50%" in a
    assert "党员评议样本不足" in b


def test_verified_unit_and_branch_pdfs_say_so(
    client, office, two_submitted, open_round, questionnaire, unit_a, unit_b
):
    a, b = two_submitted
    item = plain_likert(questionnaire)
    assert verify(client, office, a, {item.code: ("1", "无会议记录")}).status_code == 302
    own = selectors.unit_self_scores(open_round, unit_a)
    assert own.verified == 1
    text = _unit_pdf(open_round, unit_a)
    assert f"{VERIFIED}（1个支部的答卷经考评）；自评{own.index:.2f}。" in text
    assert VERIFIED not in _unit_pdf(open_round, unit_b)
    with _after_close(open_round):
        round_text = _text(pdf.round_report_pdf(open_round))
    assert VERIFIED in _section(round_text, unit_a)
    assert VERIFIED not in _section(round_text, unit_b)

    def branch_text(submission):
        report = selectors.branch_report(submission, overview_of=selectors.round_overview)
        return _text(pdf.branch_report_pdf(report))

    score = SubmissionScore.objects.get(submission=a)
    assert score.verified and score.self_index != score.index
    assert f"{VERIFIED}；自评{score.self_index:.2f}。" in branch_text(a)
    assert VERIFIED not in branch_text(b)


def test_unit_pdf_download_carries_the_rater_numbers(client, office, rated, unit_a):
    with _after_close(rated):
        client.force_login(office)
        response = client.get(reverse("export_unit_pdf", args=[rated.pk, unit_a.pk]))
        assert response.status_code == 200
        assert "自评与他评" in _text(response.content)
