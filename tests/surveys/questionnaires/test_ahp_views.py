"""The AHP page: the office's pairwise judgements become dimension weights only when
consistent (CR < 0.10); an inconsistent matrix is refused with the pair to revisit."""

import pytest
from django.urls import reverse

from reports.ahp import ahp_weights, complete_reciprocal
from surveys.audit.models import AuditEvent
from surveys.questionnaires.models import Questionnaire

pytestmark = pytest.mark.django_db

# 学用结合, 组织生活实效, 内生活力 in the standard questionnaire's order.
CONSISTENT = {"a_0_1": "2", "a_0_2": "4", "a_1_2": "2"}
NEARLY_CONSISTENT = {"a_0_1": "3", "a_0_2": "5", "a_1_2": "2"}
# 学用结合 > 组织生活实效 (9), 组织生活实效 > 内生活力 (9), yet 内生活力 > 学用结合 (9).
CYCLE = {"a_0_1": "9", "a_1_2": "9", "a_0_2": "1/9"}


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def weights(questionnaire):
    return list(questionnaire.dimensions.order_by("order", "id").values_list("weight", flat=True))


def expected(judgements):
    matrix = complete_reciprocal(
        {(int(k[2]), int(k[4])): value for k, value in judgements.items()}, 3
    )
    return ahp_weights(matrix)


def post(client, questionnaire, judgements, action):
    url = reverse("questionnaire_ahp", args=[questionnaire.pk])
    return client.post(url, judgements | {"action": action}, follow=True)


def test_page_shows_the_matrix_with_saaty_labels(office_client, questionnaire):
    page = office_client.get(reverse("questionnaire_ahp", args=[questionnaire.pk])).content
    page = page.decode()
    for label in ("1 同等重要", "3 稍微重要", "5 明显重要", "7 强烈重要", "9 极端重要", "1/3 "):
        assert label in page
    assert page.count("<select") == 3  # the upper triangle only
    assert page.count('data-mirror="a_0_1"') == 1


def test_compute_shows_the_result_and_changes_nothing(office_client, questionnaire):
    response = post(office_client, questionnaire, NEARLY_CONSISTENT, "compute")
    page = response.content.decode()
    result = expected(NEARLY_CONSISTENT)
    assert f"{result.cr:.4f}" in page and f"{result.lambda_max:.4f}" in page
    assert f"{result.weights[0]:.4f}" in page
    assert "一致性可以接受" in page
    # The lower triangle is the reciprocal of what was chosen, filled in by the server.
    assert '<td class="text-center text-body-secondary" data-mirror="a_0_1">1/3</td>' in page
    assert weights(questionnaire) == [1.0, 1.0, 1.0]
    assert Questionnaire.objects.get(pk=questionnaire.pk).ahp_cr is None


def test_a_consistent_matrix_sets_the_weights(office_client, office, questionnaire):
    response = post(office_client, questionnaire, NEARLY_CONSISTENT, "apply")
    assert response.redirect_chain[-1][0] == reverse("questionnaire_ahp", args=[questionnaire.pk])
    result = expected(NEARLY_CONSISTENT)
    stored = weights(questionnaire)
    assert sum(stored) == pytest.approx(1, abs=1e-9)
    assert stored == pytest.approx(list(result.weights), abs=1e-12)
    questionnaire.refresh_from_db()
    assert questionnaire.ahp_cr == pytest.approx(result.cr) and result.cr < 0.10
    assert questionnaire.ahp_matrix["dimensions"] == ["xueyong", "zuzhi", "huoli"]
    assert questionnaire.ahp_matrix["matrix"][0][1] == 3
    assert questionnaire.ahp_matrix["matrix"][1][0] == pytest.approx(1 / 3)
    event = AuditEvent.objects.get(action=AuditEvent.Action.QUESTIONNAIRE_CHANGED)
    assert event.actor == office and "学用结合·权重" in event.detail["changes"]
    # The page comes back with the judgements just applied.
    page = response.content.decode()
    assert '<option value="3" selected>' in page and "已按层次分析法设置维度权重" in page


def test_a_perfectly_consistent_matrix(office_client, questionnaire):
    post(office_client, questionnaire, CONSISTENT, "apply")
    assert weights(questionnaire) == pytest.approx([4 / 7, 2 / 7, 1 / 7], abs=1e-9)
    questionnaire.refresh_from_db()
    assert questionnaire.ahp_cr == pytest.approx(0, abs=1e-9)


def test_an_inconsistent_matrix_is_refused(office_client, questionnaire):
    response = post(office_client, questionnaire, CYCLE, "apply")
    page = response.content.decode()
    assert response.status_code == 200 and not response.redirect_chain
    assert "未达到 CR &lt; 0.10 的要求" in page
    assert "“学用结合”相对“组织生活实效”" in page
    assert page.count("<li>“") >= 2  # the judgements to revisit, most inconsistent first
    assert weights(questionnaire) == [1.0, 1.0, 1.0]
    questionnaire.refresh_from_db()
    assert questionnaire.ahp_cr is None and questionnaire.ahp_matrix is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.QUESTIONNAIRE_CHANGED).exists()
    # What the office entered is still there to correct.
    assert (
        '<option value="1/9" selected>' in page and page.count('<option value="9" selected>') == 2
    )


def test_compute_warns_about_an_inconsistent_matrix(office_client, questionnaire):
    page = post(office_client, questionnaire, CYCLE, "compute").content.decode()
    assert "不能应用" in page and "“学用结合”相对“组织生活实效”" in page
    assert weights(questionnaire) == [1.0, 1.0, 1.0]


def test_off_scale_values_are_refused(office_client, questionnaire):
    response = post(office_client, questionnaire, CONSISTENT | {"a_0_1": "10"}, "apply")
    assert "请为每一对维度选择 1～9 标度上的比较值" in response.content.decode()
    assert weights(questionnaire) == [1.0, 1.0, 1.0]


def test_frozen_version_is_refused(office_client, questionnaire, open_round):
    response = post(office_client, questionnaire, CONSISTENT, "apply")
    assert response.redirect_chain[-1][0] == reverse(
        "questionnaire_detail", args=[questionnaire.pk]
    )
    assert "该问卷版本已被测评批次使用，不能修改；请先复制为新版本。" in response.content.decode()
    assert weights(questionnaire) == [1.0, 1.0, 1.0]


def test_only_the_office(client, secretary_a, questionnaire):
    url = reverse("questionnaire_ahp", args=[questionnaire.pk])
    response = client.post(url, CONSISTENT | {"action": "apply"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(secretary_a)
    assert client.get(url).status_code == 403
    assert client.post(url, CONSISTENT | {"action": "apply"}).status_code == 403
    assert weights(questionnaire) == [1.0, 1.0, 1.0]
