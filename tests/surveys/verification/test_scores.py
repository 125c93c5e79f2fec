"""Self-assessed and verified scores are both stored; every reader counts the verified one."""

import io

import openpyxl
import pytest
from django.urls import reverse

from reports import scoring
from reports.models import DimensionScore, SubmissionScore, UnitScore
from reports.store import rescore_round
from surveys.questionnaires.models import Dimension, Question
from surveys.verification.models import Verification
from tests.helpers import submit
from tests.surveys.verification.conftest import plain_likert, verify

pytestmark = pytest.mark.django_db


def _stored(submission):
    score = SubmissionScore.objects.get(submission=submission)
    dims = dict(
        DimensionScore.objects.filter(score_of=score).values_list("dimension__code", "score")
    )
    return score, dims


def test_verifying_one_item_stores_self_and_verified_scores(
    client, office, two_submitted, questionnaire
):
    a, _b = two_submitted
    before, self_dims = _stored(a)
    item = plain_likert(questionnaire)
    response = verify(client, office, a, {item.code: ("2", "会议记录显示未按季度开展")})
    assert response.status_code == 302

    score, dims = _stored(a)
    # By hand: the item drops from 75 (a 4) to 25 (a 2); its dimension is the weighted mean
    # of its answered items, the index the weighted mean of the dimensions.
    siblings = Question.objects.filter(dimension=item.dimension).exclude(kind=Question.Kind.TEXT)
    dim_weights = sum(q.weight for q in siblings)
    dim_drop = 50 * item.weight / dim_weights
    code = item.dimension.code
    assert dims[code] == pytest.approx(self_dims[code] - dim_drop)
    for other, value in self_dims.items():
        if other != code:
            assert dims[other] == pytest.approx(value)
    total = sum(
        Dimension.objects.filter(questionnaire=questionnaire).values_list("weight", flat=True)
    )
    index_drop = dim_drop * item.dimension.weight / total
    assert score.index == pytest.approx(before.index - index_drop)
    assert score.verified is True
    assert score.self_index == pytest.approx(before.index)
    assert score.self_dimensions == pytest.approx(self_dims)
    # The unit's mean follows the counted (verified) score.
    unit = UnitScore.objects.get(round=a.round, unit=a.branch.unit)
    assert unit.index == pytest.approx(score.index)
    assert unit.dimensions[code] == pytest.approx(dims[code])


def test_clearing_the_verified_value_restores_the_self_scores(
    client, office, two_submitted, questionnaire
):
    a, _b = two_submitted
    before, _dims = _stored(a)
    item = plain_likert(questionnaire)
    verify(client, office, a, {item.code: ("2", "无记录")})
    verify(client, office, a, {item.code: ("", "")}, version=1)
    score, _dims = _stored(a)
    assert score.verified is False
    assert score.index == pytest.approx(before.index) == pytest.approx(score.self_index)


def test_rescore_keeps_the_verified_values(client, office, two_submitted, questionnaire):
    a, _b = two_submitted
    verify(client, office, a, {plain_likert(questionnaire).code: ("1", "无佐证")})
    verified, dims = _stored(a)
    SubmissionScore.objects.filter(submission=a).update(index=0, self_index=0)
    rescore_round(a.round)
    again, dims_again = _stored(a)
    assert again.index == pytest.approx(verified.index)
    assert again.self_index == pytest.approx(verified.self_index)
    assert again.verified is True
    assert dims_again == pytest.approx(dims)


def test_a_resubmitted_version_starts_from_its_own_self_scores(
    client, office, secretary_a, two_submitted, questionnaire
):
    a, _b = two_submitted
    verify(client, office, a, {plain_likert(questionnaire).code: ("1", "无佐证")})
    client.force_login(office)
    client.post(reverse("submission_return", args=[a.pk]), {"reason": "请补充"})
    client.logout()
    submit(client, secretary_a, a.round, questionnaire, likert="4")
    score, _dims = _stored(a)
    assert score.verified is False and score.index == pytest.approx(score.self_index)
    # The first version keeps its own verification.
    assert Verification.objects.get(submission=a, number=1).items.count() == 1
    assert not Verification.objects.filter(submission=a, number=2).exists()


def test_dashboard_and_unit_page_use_the_verified_score(
    client, office, two_submitted, questionnaire
):
    a, _b = two_submitted
    verify(client, office, a, {plain_likert(questionnaire).code: ("1", "无佐证")})
    score = SubmissionScore.objects.get(submission=a)
    assert abs(score.index - score.self_index) > 1
    client.force_login(office)
    html = client.get(reverse("unit_detail", args=[a.round_id, a.branch.unit_id])).content.decode()
    assert f"{score.index:.2f}" in html
    # The branch row counts the verified score and shows the self-assessment beside it, labelled.
    assert "已考评" in html
    assert f"自评 {score.self_index:.2f}" in html
    # the branch row and the index card (考评后 …（自评 …）), both labelled
    assert html.count(f"{score.self_index:.2f}") == html.count(f"自评 {score.self_index:.2f}") == 2
    dashboard = client.get(reverse("dashboard") + f"?round={a.round_id}").content.decode()
    assert f"{score.index:.2f}" in dashboard


def test_the_round_workbook_counts_the_verified_score(client, office, two_submitted, questionnaire):
    a, _b = two_submitted
    verify(client, office, a, {plain_likert(questionnaire).code: ("1", "无佐证")})
    score = SubmissionScore.objects.get(submission=a)
    client.force_login(office)
    response = client.get(reverse("export_round_xlsx", args=[a.round_id]))
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    sheet = book["支部得分"]
    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    row = next(r for r in rows if r["党支部"] == a.branch.name)
    assert row["融合度指数"] == scoring.round2(score.index) != scoring.round2(score.self_index)
