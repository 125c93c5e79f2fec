"""The unit PDF leaves no near-blank page: every page but the last is used at least halfway
down (issue 11: a page and a bit of countermeasures, then the item chart that needs a whole
page, left a page three-quarters empty)."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import ContentStream

from surveys.submissions.models import Submission
from tests.helpers import submit

FOOTER_POINTS = 16 / 25.4 * 72  # the bottom margin holds the running footer, not content


def used_depth(page, reader):
    """How far down the page (0 top, 1 bottom) its lowest text line or image reaches."""
    height = float(page.mediabox.height)
    bottoms = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            bottoms.append(tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    placed = None
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"cm":
            placed = [float(x) for x in operands]
        elif operator == b"Do" and placed:
            bottoms.append(placed[5])  # an image's lower edge
    body = [y for y in bottoms if y > FOOTER_POINTS]
    return 1 - min(body) / height if body else 0


@pytest.mark.django_db
@pytest.mark.parametrize("likert", ["2", "4"])
def test_no_page_of_a_unit_pdf_but_the_last_is_near_blank(
    client, office, secretary_a, secretary_b, open_round, questionnaire, unit_a, likert
):
    # Weak scores bring a page and more of countermeasures; good ones bring none.
    submit(client, secretary_a, open_round, questionnaire, likert=likert)
    submit(client, secretary_b, open_round, questionnaire, likert="3")
    client.force_login(office)
    response = client.get(reverse("export_unit_pdf", args=[open_round.pk, unit_a.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    depths = [round(used_depth(page, reader), 2) for page in reader.pages]
    assert len(depths) >= 3, depths
    assert all(depth >= 0.5 for depth in depths[:-1]), depths
    text = "".join(page.extract_text() for page in reader.pages)
    headings = ["一、主要数据", "二、各题目平均得分", "三、历次趋势", "四、所属党支部"]
    headings += ["五、支部填写的文字内容", "六、对策建议"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_no_page_of_a_branch_pdf_but_the_last_is_near_blank(
    client, secretary_a, secretary_b, open_round, questionnaire
):
    # Once the round has closed a weak branch gets its countermeasures too.
    submit(client, secretary_a, open_round, questionnaire, likert="2")
    submit(client, secretary_b, open_round, questionnaire, likert="4")
    submission = Submission.objects.get(branch=secretary_a.branch)
    with time_machine.travel(open_round.closes_at + dt.timedelta(hours=1), tick=False):
        client.force_login(secretary_a)
        response = client.get(reverse("branch_pdf", args=[submission.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "全县平均" in text and "四、对策建议" in text
    assert "本批次截止后生成对策建议" not in text
    depths = [round(used_depth(page, reader), 2) for page in reader.pages]
    assert all(depth >= 0.5 for depth in depths[:-1]), depths
