"""The PDFs carry the unit's rater numbers once shown (issue 13): each source's index, n, 参评率
and 满意率, self − each source on the index and per dimension with 自评偏高 where the
comparison flags it, the margin, weights and k; 样本不足 and no number below k. They say when
the scores are the office's verified ones (issue 12); nothing extra for a round without rater
groups or without verification."""

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
from tests.surveys.ratings.conftest import rate_by_hand, sheet
from tests.surveys.verification.conftest import plain_likert, verify

pytestmark = pytest.mark.django_db

VERIFIED = "以下得分为机关工委考评后的得分"
DIMS = ["学用结合", "组织生活实效", "内生活力"]


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
    expected = f"{row.members.index:.1f}2人50%100%"  # two 满意 sheets
    assert members.startswith(expected), members[:60]
    assert f"指数{row.gaps['members'][0]:+.1f}" in text
    flagged = row.gaps["members"][2]
    assert flagged == ["组织生活实效"]  # 63.9 − 58.3 over the 5-point margin; 0 and −7.2 not
    gap = row.gaps["members"][1]["zuzhi"]
    assert f"组织生活实效{gap:+.1f}自评偏高" in text
    assert text.count("自评偏高") == 2  # that cell and the margin sentence
    assert "自评高出他评5分以上的维度标为“自评偏高”" in text
    assert f"综合指数{row.composite:.1f}（折算）" in text
    assert "综合指数=自评30%+党员评议40%+群众评议30%" in text
    assert "党员评议样本不足" not in text


@pytest.fixture
def hand_rated(office, open_round, unit_a, unit_b, branch_a, branch_b):
    """As the workbook's case (tests/reports/exports/test_workbook_raters.py), k = 2 and a
    13.5-point margin. Unit A rates itself 86 (学用结合 90, 组织生活实效 80, 内生活力 88);
    its members send 2 of 4 sheets of 4s (M03 and M06 are reverse: 4 scores 25), one 满意,
    one 不满意; its public 1 sheet of 5s (样本不足). Unit B: no self-assessment, and a members'
    and a public group without a sheet (both 样本不足)."""
    return rate_by_hand(office, open_round, branch_a, unit_a, gap_margin=13.5)


def _table_rows(text, first, after):
    """The text between two labels: one table's rows, run together."""
    return text.split(first, 1)[1].split(after, 1)[0]


def test_unit_pdf_carries_the_hand_computed_gaps_per_dimension(hand_rated, unit_a):
    with _after_close(hand_rated):
        text = _unit_pdf(hand_rated, unit_a)
    # members: 学用结合 (75, 75, reverse 25) = 58.33, 组织生活实效 the same, 内生活力 75;
    # index (58.33 · 2 + 75) / 3 = 63.89; 参评率 2 of 4; 满意率 1 of 2.
    sources = _table_rows(text, "来源得分评议人数参评率满意率", "项目")
    assert sources == (
        "自评86.0———"
        "党员评议63.92人50%50%"
        "群众评议样本不足———"
        "综合指数73.4（折算）———"  # (30 · 86 + 40 · 63.89) / 70, the public rescaled away
    )
    # self − members: 86 − 63.89, 90 − 58.33, 80 − 58.33, 88 − 75; over 13.5: the first two
    # dimensions only; the public is 样本不足 in every cell.
    gaps = _table_rows(text, "项目自评−党员评议自评−群众评议", "差距=")
    assert gaps == (
        "指数+22.1样本不足"
        "学用结合+31.7自评偏高样本不足"
        "组织生活实效+21.7自评偏高样本不足"
        "内生活力+13.0样本不足"
    )
    assert "差距=自评−他评；自评高出他评13.5分以上的维度标为“自评偏高”。" in text
    assert "满意率=（满意+基本满意）÷回答满意度题的人数（不含“不了解”）。" in text
    assert "100" not in text.split("自评与他评", 1)[1]  # A's one public sheet is nowhere


def test_hand_computed_unit_below_k_has_no_rater_numbers(hand_rated, unit_b):
    with _after_close(hand_rated):
        text = _unit_pdf(hand_rated, unit_b)
    section = _table_rows(text, "自评与他评", "差距=")
    assert "党员评议样本不足———群众评议样本不足———综合指数————" in section
    gaps = section.split("项目自评−党员评议自评−群众评议", 1)[1]
    assert gaps == "指数" + "样本不足" * 2 + "".join(f"{d}样本不足样本不足" for d in DIMS)
    assert not re.search(r"\d", section)  # no self score, no rater number, no composite


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
    assert f"党员评议{rows[unit_a.pk].members.index:.1f}2人50%100%" in a
    assert f"指数{rows[unit_a.pk].gaps['members'][0]:+.1f}" in a
    assert "党员评议样本不足" in b
    assert "指数样本不足" in b


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
