"""Every verification URL × (secretary A, secretary B, office, anonymous).

Secretaries never reach the office's pages (403); secretary B cannot see branch A's results
(404: they do not exist for B); anonymous users are sent to log in."""

import pytest
from django.urls import reverse

from surveys.verification.models import Appeal
from tests.helpers import submit
from tests.surveys.verification.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(client, office, secretary_a, two_submitted):
    a, _b = two_submitted
    publish(client, office, a.round)
    appeal = Appeal.objects.create(submission=a, number=1, text="申诉", lodged_by=secretary_a)
    return a, appeal


def _urls(submission, appeal):
    round_id = submission.round_id
    return {
        "queue": ("get", reverse("verification_queue", args=[round_id])),
        "publish": ("post", reverse("verification_publish", args=[round_id])),
        "review": ("get", reverse("verification_review", args=[submission.pk])),
        "review_post": ("post", reverse("verification_review", args=[submission.pk])),
        "decide": ("post", reverse("appeal_decide", args=[appeal.pk])),
        "results": ("get", reverse("verification_results", args=[submission.pk])),
        "appeal": ("post", reverse("verification_results", args=[submission.pk])),
    }


EXPECTED = {
    # name: (secretary A, secretary B, office)
    "queue": (403, 403, 200),
    "publish": (403, 403, 302),
    "review": (403, 403, 200),
    "review_post": (403, 403, 200),
    "decide": (403, 403, 200),
    "results": (200, 404, 200),
    "appeal": (200, 404, 200),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_access_matrix(client, secretary_a, secretary_b, office, published, name):
    submission, appeal = published
    method, url = _urls(submission, appeal)[name]
    for user, expected in zip((secretary_a, secretary_b, office), EXPECTED[name], strict=True):
        client.force_login(user)
        response = getattr(client, method)(url, {})
        assert response.status_code == expected, (name, user.username, response.status_code)
        client.logout()
    response = getattr(client, method)(url, {})
    assert response.status_code == 302 and "/login/" in response.url
    # Nothing a refused or empty request posted changed the appeal.
    assert Appeal.objects.get().status == Appeal.Status.OPEN


def test_unknown_ids_are_404_for_the_office(client, office, published):
    client.force_login(office)
    assert client.get(reverse("verification_queue", args=[999])).status_code == 404
    assert client.get(reverse("verification_review", args=[999])).status_code == 404
    assert client.post(reverse("appeal_decide", args=[999]), {}).status_code == 404


def test_a_draft_cannot_be_reviewed(client, office, secretary_a, open_round, questionnaire):
    draft = submit(client, secretary_a, open_round, questionnaire, action="save")
    client.force_login(office)
    assert client.get(reverse("verification_review", args=[draft.pk])).status_code == 404
    assert client.get(reverse("verification_results", args=[draft.pk])).status_code == 404
