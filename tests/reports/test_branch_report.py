"""A branch's own report on the secretary's phone: its charts, its PDF, and the office's
reason for a returned submission on the home page.

Secretary A may see branch A's report, charts and PDF; secretary B gets 404 for every one
of them (another branch's report does not exist for B); the office may open any."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from surveys.rounds.models import Round
from tests.conftest import make_round
from tests.helpers import submit

pytestmark = pytest.mark.django_db

CHARTS = ("radar", "items", "trend")


@pytest.fixture
def two_submitted(client, secretary_a, secretary_b, open_round, questionnaire):
    a = submit(client, secretary_a, open_round, questionnaire, likert="4")
    b = submit(client, secretary_b, open_round, questionnaire, likert="2")
    return a, b


def _chart_urls(submission):
    return [
        reverse("branch_chart", args=[submission.pk, name, fmt])
        for name in CHARTS
        for fmt in ("svg", "png")
    ]


def test_own_branch_report_shows_its_charts_with_alt_text(client, secretary_a, two_submitted):
    a, _b = two_submitted
    client.force_login(secretary_a)
    html = client.get(reverse("branch_report", args=[a.pk])).content.decode()
    for name in ("radar", "items"):
        src = reverse("branch_chart", args=[a.pk, name, "svg"])
        assert f'src="{src}"' in html
    assert 'alt="分维度得分对比。' in html and 'alt="各题目得分：共' in html
    assert "得分最低的 3 题为" in html  # the weakest items, in words too
    assert reverse("branch_pdf", args=[a.pk]) in html
    for url in _chart_urls(a):
        response = client.get(url)
        assert response.status_code == 200, url
        expected = "image/svg+xml" if url.endswith(".svg") else "image/png"
        assert response["Content-Type"] == expected
        assert "private" in response["Cache-Control"]


def test_another_branchs_charts_and_pdf_are_404(client, secretary_b, two_submitted):
    a, _b = two_submitted
    client.force_login(secretary_b)
    for url in [*_chart_urls(a), reverse("branch_pdf", args=[a.pk])]:
        assert client.get(url).status_code == 404, url


def test_office_may_open_any_branch_chart_and_pdf(client, office, two_submitted):
    a, _b = two_submitted
    client.force_login(office)
    for url in [*_chart_urls(a), reverse("branch_pdf", args=[a.pk])]:
        assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_log_in(client, two_submitted):
    a, _b = two_submitted
    for url in [_chart_urls(a)[0], reverse("branch_pdf", args=[a.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


def test_unknown_chart_or_format_is_404(client, secretary_a, two_submitted):
    a, _b = two_submitted
    client.force_login(secretary_a)
    url = reverse("branch_report", args=[a.pk])
    assert client.get(url + "charts/causes.svg").status_code == 404
    assert client.get(url + "charts/radar.gif").status_code == 404


def test_radar_compares_with_the_county_only_once_numbers_are_final(
    client, secretary_a, two_submitted, open_round
):
    a, _b = two_submitted
    # The round closes within the hour: a chart drawn before is still in the cache after.
    closes_at = timezone.now() + dt.timedelta(hours=1)
    Round.objects.filter(pk=open_round.pk).update(closes_at=closes_at)
    page = reverse("branch_report", args=[a.pk])
    radar = reverse("branch_chart", args=[a.pk, "radar", "svg"])
    client.force_login(secretary_a)
    html = client.get(page).content.decode()
    assert "全县平均" not in html.split('alt="分维度得分对比。')[1].split('"')[0]
    before = client.get(radar).content
    with time_machine.travel(closes_at + dt.timedelta(minutes=5), tick=False):
        client.force_login(secretary_a)
        html = client.get(page).content.decode()
        after = client.get(radar).content
    assert "全县平均" in html.split('alt="分维度得分对比。')[1].split('"')[0]
    assert before != after  # the closing is part of the chart's cache key


def test_trend_across_the_branchs_own_rounds(
    client, secretary_a, branch_a, branch_b, open_round, questionnaire
):
    now = timezone.now()
    earlier = make_round(
        questionnaire,
        [branch_a, branch_b],
        opens_at=now - dt.timedelta(days=30),
        closes_at=now + dt.timedelta(days=14),
        name="2026年第一季度融合度测评",
    )
    submit(client, secretary_a, earlier, questionnaire, likert="2")
    a = submit(client, secretary_a, open_round, questionnaire, likert="4")
    client.force_login(secretary_a)
    html = client.get(reverse("branch_report", args=[a.pk])).content.decode()
    assert f'src="{reverse("branch_chart", args=[a.pk, "trend", "svg"])}"' in html
    assert 'alt="各轮次得分趋势：共 2 轮' in html
    assert "从2026年第一季度融合度测评的" in html


def test_first_round_says_there_is_no_trend_yet(client, secretary_a, two_submitted):
    a, _b = two_submitted
    client.force_login(secretary_a)
    html = client.get(reverse("branch_report", args=[a.pk])).content.decode()
    assert "这是本支部第一次参加测评" in html
    assert reverse("branch_chart", args=[a.pk, "trend", "svg"]) not in html


def _pdf_text(content):
    assert content.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_has_the_branch_and_county_numbers_only_once_final(
    client, secretary_a, two_submitted, open_round, branch_a
):
    a, _b = two_submitted
    url = reverse("branch_pdf", args=[a.pk])
    client.force_login(secretary_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert branch_a.name in text and "融合度指数" in text
    assert "全县平均" not in text and "截止后生成对策建议" in text
    with time_machine.travel(open_round.closes_at + dt.timedelta(hours=1), tick=False):
        client.force_login(secretary_a)
        text = _pdf_text(client.get(url).content)
    assert "全县平均" in text and "第 1 名" in text
    assert "县财政局" not in text  # the other branch only as county aggregates


def test_chart_reads_are_pinned(client, secretary_a, two_submitted, django_assert_num_queries):
    a, _b = two_submitted
    client.force_login(secretary_a)
    url = reverse("branch_chart", args=[a.pk, "items", "svg"])
    client.get(url)  # draw once; then the cached picture is served
    # session, user, the submission, its round's 公示 state, data version (roster extensions
    # only once past due)
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200


def test_home_shows_the_offices_reason_for_a_return(
    client, office, secretary_a, two_submitted, django_assert_num_queries
):
    a, _b = two_submitted
    reason = "<b>第一议题</b>学习情况填写有误，请补充"
    returned_at = timezone.now() + dt.timedelta(days=1)
    with time_machine.travel(returned_at, tick=False):
        client.force_login(office)
        response = client.post(reverse("submission_return", args=[a.pk]), {"reason": reason})
    assert response.status_code == 302 and "/login/" not in response.url
    client.force_login(secretary_a)
    # session, user, branch, tasks, unit (the heading), reminders, rectification tasks (none
    # here, so nothing prefetched): the reason adds none
    with django_assert_num_queries(7):
        html = client.get(reverse("home")).content.decode()
    block = html.split(f'id="returned-{a.round_id}"')[1].split("</div>\n")[0]
    assert "&lt;b&gt;第一议题&lt;/b&gt;学习情况填写有误，请补充" in block
    assert "<b>第一议题" not in html
    local = timezone.localtime(returned_at)
    assert f"于 {local.year}年{local.month}月{local.day}日 {local:%H:%M} 退回" in block
