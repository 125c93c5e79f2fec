"""The office's page of what a round's free text says: groups, the table beside the chart,
the sentences of a clicked term with their branch, who may see it and its queries."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def texts(client, secretary_a, secretary_b, open_round, questionnaire):
    submit(
        client,
        secretary_a,
        open_round,
        questionnaire,
        answers={
            "XYT1": "落实“三会一课”。把第一议题学深学透。",
            "XYT2": "三会一课流于形式。",
        },
    )
    submit(
        client,
        secretary_b,
        open_round,
        questionnaire,
        answers={
            "XYT1": "主题党日结合业务。",
            "XYT2": "三会一课质量不高。",
        },
    )
    return open_round


def _url(round_, **query):
    return reverse("round_terms", args=[round_.pk]), query


def test_page_lists_top_terms_with_counts(client, office, texts):
    client.force_login(office)
    url, _ = _url(texts)
    html = client.get(url, {"group": "q-XYT2"}).content.decode()
    table = html.split('id="terms-table"', 1)[1].split("</table>", 1)[0]
    first = table.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "三会一课</a>" in first and '<td class="text-end">2</td>' in first
    assert 'data-chart="terms"' in html and 'alt="学用结合·存在问题高频词：三会一课 2 次' in html


def test_clicking_a_term_lists_its_sentences_with_their_branch(client, office, texts):
    client.force_login(office)
    url, _ = _url(texts)
    html = client.get(url, {"group": "all", "term": "三会一课"}).content.decode()
    rows = html.split('id="sentences-table"', 1)[1].split("</ol>", 1)[0]
    assert rows.count("<li") == 3
    assert "县水利局机关党支部" in rows and "县财政局机关党支部" in rows
    assert "<mark>三会一课</mark>流于形式。" in rows
    assert "主题党日" not in rows
    assert "全部文字答案 · 3 句</small>" in html


def test_a_long_list_of_sentences_is_cut_and_says_so(client, office, texts, monkeypatch):
    monkeypatch.setattr("reports.terms.views.MAX_SENTENCES", 2)
    client.force_login(office)
    url, _ = _url(texts)
    html = client.get(url, {"term": "三会一课"}).content.decode()
    rows = html.split('id="sentences-table"', 1)[1].split("</ol>", 1)[0]
    assert rows.count("<li") == 2
    assert "3 句，显示前 2 句" in html


def test_an_unknown_term_or_group_is_a_message_not_an_error(client, office, texts):
    client.force_login(office)
    url, _ = _url(texts)
    response = client.get(url, {"group": "nonsense", "term": "<b>x</b>" * 20})
    assert response.status_code == 200
    assert "没有包含" in response.content.decode()
    assert "<b>x</b>" not in response.content.decode()


def test_a_round_without_text_says_so(client, office, open_round):
    client.force_login(office)
    html = client.get(reverse("round_terms", args=[open_round.pk])).content.decode()
    assert "本批次还没有已提交的文字答案" in html


def test_chart_svg_has_hover_values(client, office, texts):
    client.force_login(office)
    response = client.get(reverse("round_terms_chart", args=[texts.pk, "svg"]), {"group": "q-XYT2"})
    assert response["Content-Type"] == "image/svg+xml"
    assert "<title>三会一课 2 次，2 份答卷</title>" in response.content.decode()
    png = client.get(reverse("round_terms_chart", args=[texts.pk, "png"]))
    assert png.content[:4] == b"\x89PNG"
    assert client.get(reverse("round_terms_chart", args=[texts.pk, "gif"])).status_code == 404


@pytest.mark.parametrize("name", ["round_terms", "round_terms_chart"])
def test_office_only(client, secretary_a, texts, name):
    args = [texts.pk] if name == "round_terms" else [texts.pk, "svg"]
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(secretary_a)
    assert client.get(url).status_code == 403


def test_unknown_round_is_404(client, office):
    client.force_login(office)
    assert client.get(reverse("round_terms", args=[99999])).status_code == 404


def test_query_count_is_pinned(client, office, texts, django_assert_num_queries):
    client.force_login(office)
    url, _ = _url(texts)
    client.get(url)  # warms the session
    cache.clear()
    # session, user, round, data version, the text answers
    with django_assert_num_queries(5):
        client.get(url, {"term": "三会一课"})
    with django_assert_num_queries(4):  # cached groups: no answer query
        client.get(url, {"term": "三会一课"})


def test_one_units_texts(client, office, texts, unit_a):
    client.force_login(office)
    url, _ = _url(texts)
    html = client.get(url, {"unit": unit_a.pk, "term": "三会一课"}).content.decode()
    assert 'id="terms-unit">县水利局<' in html
    rows = html.split('id="sentences-table"', 1)[1].split("</ol>", 1)[0]
    assert rows.count("<li") == 2 and "县财政局" not in rows
    assert f"?unit={unit_a.pk}&amp;group=" in html  # links keep the unit
    chart = client.get(
        reverse("round_terms_chart", args=[texts.pk, "svg"]), {"unit": unit_a.pk}
    ).content.decode()
    assert "<title>三会一课 2 次，2 份答卷</title>" in chart
    for bad in ("99999", "abc"):
        assert client.get(url, {"unit": bad}).status_code == 404
