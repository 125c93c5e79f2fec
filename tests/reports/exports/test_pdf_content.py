"""The whole-round PDF shows the dashboard's ranking, heatmap and trend near the front."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.helpers import submit


@pytest.mark.django_db
def test_round_pdf_has_ranking_heatmap_and_trend_charts_before_the_units(
    client, office, secretary_a, secretary_b, open_round, questionnaire, unit_a
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    client.force_login(office)
    response = client.get(reverse("export_round_pdf", args=[open_round.pk]))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    reader = PdfReader(io.BytesIO(content))
    texts = [page.extract_text() for page in reader.pages]
    # A unit's section opens with its own title; the cover's is the county's.
    first_unit = next(i for i, t in enumerate(texts) if f"{unit_a.name}党建与业务" in t)
    front = "".join(texts[:first_unit])
    for heading in ("各单位融合度指数排名", "各单位分维度得分", "历次测评趋势"):
        assert heading in front, heading
    images = sum(len(reader.pages[i].images) for i in range(first_unit))
    assert images >= 3
