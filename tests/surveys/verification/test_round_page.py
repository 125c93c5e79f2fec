"""The round page says how far 考评 has got: verified n / submitted m, open appeals."""

import pytest
from django.urls import reverse

from tests.surveys.verification.conftest import plain_likert, verify

pytestmark = pytest.mark.django_db


def test_the_round_page_counts_verified_sheets(client, office, two_submitted, questionnaire):
    a, _b = two_submitted
    client.force_login(office)
    url = reverse("office_round", args=[a.round_id])
    link = client.get(url).content.decode().split('id="verification-link">')[1].split("</a>")[0]
    assert link == "考评与公示（已考评 0/2）"
    verify(client, office, a, {plain_likert(questionnaire).code: ("2", "无记录")})
    client.force_login(office)
    link = client.get(url).content.decode().split('id="verification-link">')[1].split("</a>")[0]
    assert link == "考评与公示（已考评 1/2）"
