"""The dashboard lists the county's top free-text terms, linking each to its sentences."""

import pytest
from django.urls import reverse

from tests.helpers import submit

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_the_top_terms_with_their_sentences_link(
    client, office, open_round, questionnaire, secretary_a, secretary_b
):
    text = questionnaire.questions.filter(kind="text").first()
    for secretary in (secretary_a, secretary_b):
        submit(
            client,
            secretary,
            open_round,
            questionnaire,
            answers={text.code: "坚持三会一课，把三会一课与业务工作一起谋划。"},
        )
    client.force_login(office)
    html = client.get(reverse("dashboard"), {"round": open_round.pk}).content.decode()
    listing = html.split('id="dashboard-terms-list"')[1].split("</ul>")[0]
    assert ">三会一课</a>" in listing  # the dictionary keeps the term whole
    terms_url = reverse("round_terms", args=[open_round.pk])
    page = client.get(f"{terms_url}?group=all&term=三会一课")
    body = page.content.decode()
    assert page.status_code == 200 and "与业务工作一起谋划" in body and "三会一课</mark>" in body
