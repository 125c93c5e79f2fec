"""The office's tables read the way people expect: what the sorting script is given (sort
keys, 数据不足 without one), the round list newest first, and ?round=N showing that round
or saying why it has nothing to show. The sorting itself runs in the browser
(tests/browser/test_confirmations_e2e.py)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_round
from tests.helpers import submit

pytestmark = pytest.mark.django_db


def units_table(html):
    return html.split('id="units-table"', 1)[1].split("</table>", 1)[0]


def test_a_unit_without_data_has_no_sort_key_so_it_sorts_last_either_way(
    client, office, secretary_a, open_round, questionnaire, unit_b
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")  # unit B: 数据不足
    client.force_login(office)
    table = units_table(client.get(reverse("dashboard")).content.decode())
    header, scored, empty = table.split("<tr")[1:4]
    assert re.search(r'<th data-sort="text" scope="col">单位</th>', header)
    assert 'aria-sort="descending">融合度指数' in header  # the order the rows come in
    assert "县水利局" in scored and "县财政局" in empty
    # Every score cell of the scored unit has a number to sort by ...
    assert len(re.findall(r'data-value="\d+\.\d{4}"', scored)) >= 4
    # ... the unit with 数据不足 has none (not -1, which sorted first when ascending and
    # among real "较上轮" changes), only its name and progress.
    assert "数据不足" in empty
    assert re.findall(r'data-value="([^"]*)"', empty) == ["县财政局", "0", "0"]


def test_round_list_shows_the_newest_round_first(client, office, questionnaire, branch_a):
    now = timezone.now()
    for name, days in (("2025年第三季度", -200), ("2026年第二季度", 5), ("2025年第四季度", -100)):
        make_round(
            questionnaire,
            [branch_a],
            name=name,
            opens_at=now + dt.timedelta(days=days),
            closes_at=now + dt.timedelta(days=days + 14),
        )
    client.force_login(office)
    html = client.get(reverse("office_home")).content.decode()
    shown = re.findall(r"(20\d\d年第.季度)</a>", html)
    assert shown == ["2026年第二季度", "2025年第四季度", "2025年第三季度"]


@pytest.fixture
def scheduled_round(questionnaire, branch_a):
    now = timezone.now()
    return make_round(
        questionnaire,
        [branch_a],
        name="2026年第三季度融合度测评",
        opens_at=now + dt.timedelta(days=30),
        closes_at=now + dt.timedelta(days=44),
    )


def test_dashboard_of_a_round_not_started_says_so_not_another_rounds_numbers(
    client,
    office,
    secretary_a,
    open_round,
    questionnaire,
    scheduled_round,
    django_assert_num_queries,
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    client.force_login(office)
    url = reverse("dashboard") + f"?round={scheduled_round.pk}"
    client.get(url)  # warm the picker cache
    # session, user, data version, the round asked for
    with django_assert_num_queries(4):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "该批次尚未开始" in html and "2026年第三季度融合度测评" in html
    assert 'id="units-table"' not in html and 'id="county-index"' not in html
    # The round that has scores is still one choice away.
    assert f'<option value="{open_round.pk}">' in html


def test_dashboard_of_a_started_round_without_scores_says_so(
    client, office, open_round, questionnaire, scheduled_round
):
    client.force_login(office)  # nothing submitted anywhere: no round has scores
    html = client.get(reverse("dashboard") + f"?round={open_round.pk}").content.decode()
    assert "还没有已提交并计分的答卷" in html and "该批次尚未开始" not in html
    html = client.get(reverse("dashboard") + f"?round={scheduled_round.pk}").content.decode()
    assert "该批次尚未开始" in html


@pytest.mark.parametrize("value", ["999999", "abc", "1e3", "-1", "9" * 40])
def test_dashboard_of_an_unknown_round_is_a_404_not_a_500(client, office, open_round, value):
    client.force_login(office)
    response = client.get(reverse("dashboard"), {"round": value})
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
