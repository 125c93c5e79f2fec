"""The office's dashboards, chart images and a branch's own report, through the client."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from reports import scoring, selectors
from reports.charts import county
from reports.models import SubmissionScore
from surveys.audit.models import AuditEvent
from surveys.demo.seed import seed_demo
from surveys.organisation.models import Unit
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Submission
from tests.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_submitted(client, secretary_a, secretary_b, open_round, questionnaire):
    a = submit(client, secretary_a, open_round, questionnaire, likert="4")
    b = submit(client, secretary_b, open_round, questionnaire, likert="2")
    return a, b


def test_dashboard_shows_county_numbers_and_units(client, office, two_submitted):
    a, b = two_submitted
    client.force_login(office)
    html = client.get(reverse("dashboard")).content.decode()
    indexes = [SubmissionScore.objects.get(submission=s).index for s in (a, b)]
    county = scoring.county_score(indexes)  # one branch per unit: units = branches here
    assert f'id="county-index">{scoring.round2(county):.2f}<' in html
    assert "县水利局" in html and "县财政局" in html
    assert "2 / 2" in html  # submitted / roster
    for name in ("ranking", "heatmap", "trend", "causes", "grades"):
        assert f'data-chart="{name}"' in html
    assert 'alt="' in html and 'alt=""' not in html


def test_units_without_a_counted_submission_are_listed_with_their_progress(
    client, office, secretary_a, open_round, questionnaire, unit_b
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")  # unit B: nothing yet
    client.force_login(office)
    html = client.get(reverse("dashboard")).content.decode()
    rows = html.split('id="units-table"', 1)[1].split("</table>", 1)[0].split("<tr")[2:]
    assert [("县水利局" in r, "县财政局" in r) for r in rows] == [(True, False), (False, True)]
    assert "1 / 1" in rows[0] and "数据不足" not in rows[0]
    assert "0 / 1" in rows[1] and "text-danger" in rows[1] and "数据不足" in rows[1]
    assert "1 / 2" in html  # the county's progress counts both units' branches
    grades = dict(selectors.round_overview(open_round).grade_counts)
    assert grades[scoring.INSUFFICIENT] == 1


def test_unit_page_shows_radar_items_branches_texts_and_recommendations(
    client, office, two_submitted, open_round, unit_b
):
    client.force_login(office)
    html = client.get(reverse("unit_detail", args=[open_round.pk, unit_b.pk])).content.decode()
    assert "县财政局机关党支部" in html
    # Every Likert answer 2: weak in every dimension, so the report's countermeasures appear.
    assert "坚持思想引领，进一步强化理论武装" in html
    assert "聚力关键环节，进一步提升服务实效" in html
    for name in ("radar", "items", "trend", "causes"):
        assert f'data-chart="{name}"' in html
    assert "的做法：把党建和业务一起谋划。" in html  # free text


def test_unit_page_of_a_unit_with_nothing_submitted_draws_no_empty_charts(
    client, office, secretary_a, open_round, questionnaire, unit_b
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")  # unit A only
    client.force_login(office)
    html = client.get(reverse("unit_detail", args=[open_round.pk, unit_b.pk])).content.decode()
    charts_shown = {
        name for name in ("radar", "items", "causes", "trend") if f'data-chart="{name}"' in html
    }
    assert charts_shown == {"trend"}  # earlier rounds may have scores
    assert "已提交 0 / 1 个支部" in html and 'id="items-none"' in html
    assert "名单内 1 个支部均未提交" in html
    assert f'href="{reverse("office_round", args=[open_round.pk])}"' in html


def test_free_text_is_escaped_on_the_unit_page(
    client, office, secretary_a, open_round, questionnaire, unit_a
):
    text_code = questionnaire.questions.filter(kind="text").first().code
    submit(
        client,
        secretary_a,
        open_round,
        questionnaire,
        answers={text_code: "<script>alert(1)</script>"},
    )
    client.force_login(office)
    html = client.get(reverse("unit_detail", args=[open_round.pk, unit_a.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("fmt,signature", [("svg", b"<svg"), ("png", b"\x89PNG")])
def test_chart_images_are_valid_and_cacheable(
    client, office, two_submitted, open_round, fmt, signature
):
    client.force_login(office)
    url = reverse("round_chart", args=[open_round.pk, "ranking", fmt])
    response = client.get(url)
    assert response.status_code == 200
    assert signature in response.content[:400]
    assert response["Cache-Control"] == "private, max-age=300"
    etag = response["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_unchanged_chart_is_not_rendered_again(
    client, office, secretary_a, secretary_b, open_round, questionnaire
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    client.force_login(office)
    url = reverse("round_chart", args=[open_round.pk, "ranking", "svg"])
    with mock.patch.object(county, "ranking_bar", wraps=county.ranking_bar) as render:
        first = client.get(url).content
        second = client.get(url).content
        assert render.call_count == 1
        assert first == second
        # New data, new version: the chart is drawn again, with the new unit on it.
        submit(client, secretary_b, open_round, questionnaire, likert="2")
        client.force_login(office)
        client.get(url)
        assert render.call_count == 2


def test_unit_chart_urls(client, office, two_submitted, open_round, unit_a):
    client.force_login(office)
    for name in ("radar", "items", "trend", "causes"):
        response = client.get(reverse("unit_chart", args=[open_round.pk, unit_a.pk, name, "svg"]))
        assert response.status_code == 200, name
        assert response["Content-Type"] == "image/svg+xml"
    missing = client.get(reverse("unit_chart", args=[open_round.pk, unit_a.pk, "nope", "svg"]))
    assert missing.status_code == 404


@pytest.mark.parametrize("who", ["secretary_a", "anonymous"])
def test_office_pages_refuse_everyone_else(
    client, who, secretary_a, two_submitted, open_round, unit_a
):
    urls = [
        reverse("dashboard"),
        reverse("unit_detail", args=[open_round.pk, unit_a.pk]),
        reverse("round_chart", args=[open_round.pk, "ranking", "svg"]),
        reverse("unit_chart", args=[open_round.pk, unit_a.pk, "radar", "png"]),
    ]
    if who == "secretary_a":
        client.force_login(secretary_a)
    for url in urls:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/login/" in response.url, url
        else:
            assert response.status_code == 403, url


def test_branch_report_before_and_after_the_round_closes(
    client, secretary_a, two_submitted, open_round
):
    a, _b = two_submitted
    client.force_login(secretary_a)
    url = reverse("branch_report", args=[a.pk])
    html = client.get(url).content.decode()
    assert f"{scoring.round2(a.score.index):.2f}" in html
    assert "全县平均 " not in html and 'text-ronghe">对策建议' not in html
    assert "截止后，这里还会显示全县平均" in html
    assert "县财政局" not in html

    with time_machine.travel(open_round.closes_at + dt.timedelta(hours=1), tick=False):
        client.force_login(secretary_a)
        html = client.get(url).content.decode()
    assert "全县平均 " in html and 'text-ronghe">对策建议' in html
    assert "在全县 2 个参评支部中位列第 1 名" in html
    assert "县财政局" not in html  # other branches only as aggregates, never by name


def test_branch_report_waits_for_branches_still_on_an_extension(
    client, secretary_a, two_submitted, open_round, branch_b
):
    """Branch B was given its own later deadline: until it passes, the county numbers and
    positions may still change, so branch A's report does not show them yet."""
    a, _b = two_submitted
    extension = open_round.closes_at + dt.timedelta(days=3)
    RosterEntry.objects.filter(round=open_round, branch=branch_b).update(
        closes_at_override=extension, override_reason="抢险"
    )
    url = reverse("branch_report", args=[a.pk])
    with time_machine.travel(open_round.closes_at + dt.timedelta(hours=1), tick=False):
        client.force_login(secretary_a)
        html = client.get(url).content.decode()
    assert "全县平均 " not in html and "位列第" not in html
    assert "仍有支部获准延期填报" in html
    with time_machine.travel(extension + dt.timedelta(hours=1), tick=False):
        client.force_login(secretary_a)
        html = client.get(url).content.decode()
    assert "全县平均 " in html and "位列第 1 名" in html


def test_branch_report_of_another_branch_is_404(client, secretary_b, two_submitted):
    a, _b = two_submitted
    client.force_login(secretary_b)
    assert client.get(reverse("branch_report", args=[a.pk])).status_code == 404


def _page_queries(client, office, django_assert_max_num_queries, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    return len(cold.captured_queries), len(warm.captured_queries)


def test_query_counts_do_not_grow_with_the_county(
    client, office, two_submitted, open_round, unit_a, django_assert_max_num_queries
):
    client.force_login(office)
    small = (
        _page_queries(client, office, None, reverse("dashboard") + f"?round={open_round.pk}"),
        _page_queries(
            client, office, None, reverse("unit_detail", args=[open_round.pk, unit_a.pk])
        ),
    )
    seed_demo(seed=5)  # 25 more units, 60 branches, four more rounds
    big_round = Round.objects.filter(name__contains="第四季度").first()
    big_unit = Unit.objects.get(code="U01")
    client.force_login(office)
    big = (
        _page_queries(client, office, None, reverse("dashboard") + f"?round={big_round.pk}"),
        _page_queries(
            client, office, None, reverse("unit_detail", args=[big_round.pk, big_unit.pk])
        ),
    )
    assert small == big, (small, big)


def test_dashboard_query_count_is_pinned(
    client, office, two_submitted, open_round, unit_a, django_assert_num_queries
):
    client.force_login(office)
    url = reverse("dashboard") + f"?round={open_round.pk}"
    client.get(url)  # warm the cache
    # session, user, data version: the picker, aggregates and page body come from the cache
    with django_assert_num_queries(3):
        client.get(url)


def test_office_excludes_and_restores_a_submission(
    client, office, two_submitted, open_round, unit_b
):
    a, b = two_submitted
    client.force_login(office)
    before = client.get(reverse("dashboard")).content.decode()
    response = client.post(reverse("score_exclude", args=[b.pk]), {"excluded": "1"})
    assert response.status_code == 302
    assert SubmissionScore.objects.get(submission=b).excluded is True
    html = client.get(reverse("dashboard")).content.decode()
    only_a = scoring.round2(SubmissionScore.objects.get(submission=a).index)
    assert f'id="county-index">{only_a:.2f}<' in html and html != before
    client.post(reverse("score_exclude", args=[b.pk]), {"excluded": "0"})
    assert SubmissionScore.objects.get(submission=b).excluded is False
    # Both decisions are in the office's audit log, with who made them and on which sheet.
    events = AuditEvent.objects.filter(submission=b).order_by("at", "id")
    assert [(e.action, e.actor) for e in events if e.actor == office] == [
        (AuditEvent.Action.SCORE_EXCLUDED, office),
        (AuditEvent.Action.SCORE_RESTORED, office),
    ]
    log = client.get(reverse("audit_log")).content.decode()
    assert "答卷不计入统计" in log and "答卷恢复计入统计" in log


def test_secretary_cannot_exclude(client, secretary_a, two_submitted):
    a, _b = two_submitted
    client.force_login(secretary_a)
    assert client.post(reverse("score_exclude", args=[a.pk]), {"excluded": "1"}).status_code == 403
    assert SubmissionScore.objects.get(submission=a).excluded is False


def test_branch_report_reads_a_fixed_number_of_queries(
    secretary_a, secretary_b, two_submitted, open_round, django_assert_num_queries
):
    """The rule (may this branch see county numbers yet?) and the report's reads live in
    reports.selectors.branch_report; the county overview comes from the caller (cached)."""
    a, _b = two_submitted
    a = Submission.objects.select_related("round").get(pk=a.pk)
    overview = selectors.round_overview(open_round)
    # score, dimension scores, questions, answers, own scores in every round, their dimensions
    with django_assert_num_queries(6):
        report = selectors.branch_report(a, overview_of=lambda _round: overview)
    assert not report.closed and report.position is None
    after = open_round.closes_at + dt.timedelta(hours=1)
    with django_assert_num_queries(9):  # + roster extensions, ranked scores, recommendations
        report = selectors.branch_report(a, overview_of=lambda _round: overview, now=after)
    assert report.closed and report.position == 1 and report.ranked_count == 2


def test_branches_with_the_same_index_share_a_position(
    secretary_a, secretary_b, open_round, questionnaire, client
):
    """Two branches that answered alike share position 1 of 2 (1, 1), not 1 and 2."""
    submitted = [
        submit(client, secretary, open_round, questionnaire, "4")
        for secretary in (secretary_a, secretary_b)
    ]
    overview = selectors.round_overview(open_round)
    after = open_round.closes_at + dt.timedelta(hours=1)
    for submission in Submission.objects.select_related("round").filter(
        pk__in=[s.pk for s in submitted]
    ):
        report = selectors.branch_report(submission, overview_of=lambda _r: overview, now=after)
        assert (report.position, report.ranked_count) == (1, 2)
    assert [u.position for u in overview.units] == [1, 1]


def test_the_unit_page_leaves_out_the_texts_of_an_excluded_submission(
    client, office, questionnaire, open_round, secretary_a, branch_a, unit_a
):
    text_question = questionnaire.questions.filter(kind="text").first()
    submission = submit(
        client,
        secretary_a,
        open_round,
        questionnaire,
        answers={text_question.code: "本支部独有的一段做法文字"},
    )
    client.force_login(office)
    url = reverse("unit_detail", args=[open_round.pk, unit_a.pk])
    assert "本支部独有的一段做法文字" in client.get(url).content.decode()
    client.post(reverse("score_exclude", args=[submission.pk]), {"excluded": "1"})
    assert "本支部独有的一段做法文字" not in client.get(url).content.decode()
