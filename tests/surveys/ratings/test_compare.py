"""Self beside 党员评议 and 群众评议 per unit on a hand-computed case: indices, gaps, 自评偏高,
the composite with the round's weights, 样本不足 groups left out; the page and its settings."""

import pytest
import time_machine
from django.urls import reverse

from reports.models import SubmissionScore
from surveys.ratings.models import Audience, RaterGroup, RatingSettings
from surveys.ratings.selectors import round_comparison
from surveys.ratings.services import rater_groups_add, rating_settings_set, rating_submit
from tests.surveys.ratings.conftest import self_assessed, sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(office, open_round, unit_a, unit_b, branch_a, group_a, issue):
    """Unit A rates itself 90 / 80 / 88 (index 86); its members answer 4 everywhere (M03 and
    M06 are reverse items: 4 scores 25), 2 raters with k = 2; the public of A: 1 rater."""
    self_assessed(open_round, branch_a, 86, {"xueyong": 90, "zuzhi": 80, "huoli": 88})
    rating_settings_set(actor=office, round_=open_round, min_raters=2)
    for code in issue(group_a, 2):
        rating_submit(typed_code=code, answers=sheet(group_a, 4))
    rater_groups_add(actor=office, round_=open_round, audience=Audience.PUBLIC)
    public_a = RaterGroup.objects.get(audience=Audience.PUBLIC, unit=unit_a)
    [code] = issue(public_a, 3)[:1]
    rating_submit(typed_code=code, answers=sheet(public_a, 5))
    return open_round


def test_comparison_by_hand(scored, unit_a, unit_b):
    assert round_comparison(scored) is None  # not before close
    rows = {r.unit.pk: r for r in round_comparison(scored, now=scored.closes_at)}
    a = rows[unit_a.pk]
    # members: 学用结合 (M01 75, M02 75, M03 reverse 25) = 58.33; 组织生活 (75, 75, 25) = 58.33;
    # 内生活力 (75, 75, 75) = 75; equal dimension weights → index 63.89
    assert a.members.dimensions == pytest.approx(
        {"xueyong": 175 / 3, "zuzhi": 175 / 3, "huoli": 75}
    )
    members_index = (175 / 3 * 2 + 75) / 3
    assert a.members.index == pytest.approx(members_index)
    assert a.members.n == 2 and a.members.rate == pytest.approx(100)
    # public: one rater, k = 2 → 样本不足, no numbers
    assert a.public.status == "too_few" and a.public.index is None and a.public.dimensions == {}
    index_gap, by_dim, flagged = a.gaps["members"]
    assert index_gap == pytest.approx(86 - members_index)
    assert by_dim["huoli"] == pytest.approx(13)
    assert flagged == ["学用结合", "组织生活实效", "内生活力"]  # all over the 10-point margin
    assert a.gaps["public"] == (None, {"xueyong": None, "zuzhi": None, "huoli": None}, [])
    # composite 30/40/30 without the public: (30·86 + 40·63.89) / 70
    assert a.composite == pytest.approx((30 * 86 + 40 * members_index) / 70)
    assert not a.complete
    b = rows[unit_b.pk]
    assert b.self.status == "none" and b.members.status == "too_few" and b.composite is None


def test_margin_and_weights_change_the_flags_and_composite(scored, unit_a, office):
    rating_settings_set(
        actor=office,
        round_=scored,
        min_raters=2,
        weights={"self": 50, "members": 50, "public": 0},
        gap_margin=25,
    )
    [a] = [r for r in round_comparison(scored, now=scored.closes_at) if r.unit == unit_a]
    assert a.gaps["members"][2] == ["学用结合"]  # 90 − 58.3 > 25; 80 − 58.3 and 88 − 75 are not
    assert a.composite == pytest.approx((86 + (175 / 3 * 2 + 75) / 3) / 2) and a.complete


def test_page_and_settings_form(client, office, scored, unit_a):
    client.force_login(office)
    url = reverse("ratings_compare", args=[scored.pk])
    assert "批次结束后才显示" in client.get(url).content.decode()
    bad = {"weight_self": "30", "weight_members": "40", "weight_public": "20", "gap_margin": "8"}
    page = client.post(url, bad).content.decode()
    assert "三方权重之和必须为 100（现在是 90）" in page and 'value="20"' in page
    assert RatingSettings.objects.get(round=scored).weight_public == 30
    good = dict(bad, weight_public="30")
    assert client.post(url, good).status_code == 302
    assert RatingSettings.objects.get(round=scored).gap_margin == 8
    with time_machine.travel(scored.closes_at, tick=False):
        client.force_login(office)  # the session would have expired by then
        page = client.get(url).content.decode()
    assert "自评 30% + 党员评议 40% + 群众评议 30%" in page
    assert "自评偏高" in page and "样本不足" in page and "折算" in page


@pytest.mark.parametrize("who", ["secretary", "anon"])
def test_compare_is_office_only(client, who, secretary_a, open_round):
    if who == "secretary":
        client.force_login(secretary_a)
    response = client.get(reverse("ratings_compare", args=[open_round.pk]))
    assert response.status_code == (403 if who == "secretary" else 302)


def test_compare_page_queries_do_not_grow_with_units(
    client, office, scored, django_assert_num_queries
):
    url = reverse("ratings_compare", args=[scored.pk])
    with time_machine.travel(scored.closes_at, tick=False):
        client.force_login(office)
        client.get(url)
        # session, user, round, settings; then settings, dimensions, units, self scores,
        # groups with counts, answers
        with django_assert_num_queries(10):
            assert client.get(url).status_code == 200


def test_download_carries_the_page_numbers(client, office, scored, unit_a):
    import io

    from openpyxl import load_workbook

    with time_machine.travel(scored.closes_at, tick=False):
        client.force_login(office)
        response = client.get(reverse("ratings_compare_xlsx", args=[scored.pk]))
        rows = {r.unit.pk: r for r in round_comparison(scored)}
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header, first = values[0], dict(zip(values[0], values[1], strict=True))
    assert header[:3] == ("单位", "自评", "党员评议")
    assert first["单位"] == unit_a.name and first["群众评议"] == "样本不足"
    assert first["党员评议"] == pytest.approx(rows[unit_a.pk].members.index)
    assert first["综合指数"] == pytest.approx(rows[unit_a.pk].composite)
    assert first["自评偏高（党员）"] == "学用结合、组织生活实效、内生活力" and first["折算"] == "是"


def test_download_before_close_explains(client, office, open_round):
    client.force_login(office)
    response = client.get(reverse("ratings_compare_xlsx", args=[open_round.pk]), follow=True)
    assert "批次结束后才能下载" in response.content.decode()


def test_chart_escapes_names_and_marks_each_source():
    from surveys.ratings.chart import self_vs_others_svg

    svg = self_vs_others_svg([("<b>局</b>", {"self": 86, "members": 63.9, "public": None})])
    assert "<b>" not in svg and "&lt;b&gt;局&lt;/b&gt;" in svg
    assert "&lt;b&gt;局&lt;/b&gt; 自评 86.0" in svg and "党员评议 63.9" in svg
    assert svg.count("<circle") == 3 + 2  # three legend dots, two sources with a score
    assert 'style="' not in svg


def test_ranking_by_any_source(client, office, scored, unit_a, unit_b, branch_b):
    self_assessed(scored, branch_b, 90)
    with time_machine.travel(scored.closes_at, tick=False):
        client.force_login(office)
        url = reverse("ratings_compare", args=[scored.pk])

        def order(sort):
            page = client.get(url, {"sort": sort}).content.decode()
            return sorted((unit_a, unit_b), key=lambda u: page.index(f'id="unit-{u.pk}"'))

        assert order("self") == [unit_b, unit_a]  # 90 before 86
        assert order("composite") == [unit_b, unit_a]  # B: 90 (self only); A: 73.4
        assert order("members") == [unit_a, unit_b]  # B has no member score: last
        assert order("nonsense") == [unit_a, unit_b]  # the units' own order


def test_after_verification_the_gap_is_still_the_self_assessment(scored, unit_a, branch_b):
    """The office's 考评 changes the counted score; how a branch rates itself does not."""
    SubmissionScore.objects.filter(submission__branch__unit=unit_a).update(index=60, verified=True)
    [a] = [r for r in round_comparison(scored, now=scored.closes_at) if r.unit == unit_a]
    assert a.self.index == 86
    assert a.gaps["members"][0] == pytest.approx(86 - (175 / 3 * 2 + 75) / 3)


def test_a_branch_s_member_group_page_shows_its_own_self_assessment_beside(
    client, office, scored, group_a, django_assert_num_queries
):
    """Per branch: the members' scores beside the branch's own sheet, gap and 自评偏高."""
    client.force_login(office)
    url = reverse("ratings_group", args=[group_a.pk])
    assert 'id="self-beside"' not in client.get(url).content.decode()  # not before close
    with time_machine.travel(scored.closes_at, tick=False):
        client.force_login(office)
        # 10 for the results as before, then the branch's own score, the settings, the weights
        with django_assert_num_queries(13):
            html = client.get(url).content.decode()
    section = html[html.index('id="self-beside"') :]
    section = section[: section.index("</section>")]
    assert "与本支部自评对比" in section
    # 学用结合: self 90, members 58.3 → +31.7; 内生活力 88 − 75 = +13.0; index 86 − 63.9
    assert "90.0" in section and "58.3" in section and "+31.7" in section and "+13.0" in section
    assert "+22.1" in section
    assert section.count("自评偏高</span>") == 4  # three dimensions and the index, margin 10


def test_a_group_below_k_shows_no_comparison(client, office, scored, unit_a):
    public_a = RaterGroup.objects.get(audience=Audience.PUBLIC, unit=unit_a)
    with time_machine.travel(scored.closes_at, tick=False):
        client.force_login(office)
        html = client.get(reverse("ratings_group", args=[public_a.pk])).content.decode()
    assert "样本不足" in html and 'id="self-beside"' not in html
