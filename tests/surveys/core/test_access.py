"""Who reaches what: secretary A / secretary B / office / anonymous × every URL with an id."""

import pytest
from django.urls import reverse

from surveys.submissions.models import Submission
from tests.helpers import answer_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission_a(client, secretary_a, open_round, questionnaire):
    client.force_login(secretary_a)
    client.post(
        reverse("questionnaire", args=[open_round.pk]),
        answer_post(questionnaire, version=0, action="submit"),
    )
    client.logout()
    return Submission.objects.get(branch=secretary_a.branch)


@pytest.fixture
def draft_b(client, secretary_b, open_round, questionnaire):
    client.force_login(secretary_b)
    client.post(
        reverse("questionnaire", args=[open_round.pk]), answer_post(questionnaire, version=0)
    )
    client.logout()
    return Submission.objects.get(branch=secretary_b.branch)


@pytest.fixture
def round_without_a(questionnaire, branch_b, open_round):
    from tests.conftest import make_round

    return make_round(
        questionnaire,
        [branch_b],
        opens_at=open_round.opens_at,
        closes_at=open_round.closes_at,
        name="仅财政局参加的批次",
    )


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# (url name, args from fixtures) -> expected status for A, B, office, anonymous.
CASES = [
    ("home", lambda s: [], {"a": 200, "b": 200, "office": 302, "anon": 302}),
    ("questionnaire_a_round", None, {"a": 302, "b": 200, "office": 403, "anon": 302}),
    ("submission_a", None, {"a": 200, "b": 404, "office": 200, "anon": 302}),
    ("submission_b", None, {"a": 404, "b": 200, "office": 200, "anon": 302}),
    ("round_without_a", None, {"a": 404, "b": 200, "office": 403, "anon": 302}),
    ("office_home", None, {"a": 403, "b": 403, "office": 200, "anon": 302}),
    ("office_round", None, {"a": 403, "b": 403, "office": 200, "anon": 302}),
]


@pytest.mark.parametrize("who", ["a", "b", "office", "anon"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_access_matrix(
    client,
    case,
    who,
    secretary_a,
    secretary_b,
    office,
    submission_a,
    draft_b,
    round_without_a,
    open_round,
):
    name, _args, expected = case
    urls = {
        "home": reverse("home"),
        "questionnaire_a_round": reverse("questionnaire", args=[open_round.pk]),
        "submission_a": reverse("submission_detail", args=[submission_a.pk]),
        "submission_b": reverse("submission_detail", args=[draft_b.pk]),
        "round_without_a": reverse("questionnaire", args=[round_without_a.pk]),
        "office_home": reverse("office_home"),
        "office_round": reverse("office_round", args=[open_round.pk]),
    }
    user = {"a": secretary_a, "b": secretary_b, "office": office, "anon": None}[who]
    response = login(client, user).get(urls[name])
    assert response.status_code == expected[who], (name, who, response.status_code)
    if who == "anon":
        assert response.url.startswith(reverse("login"))


def test_secretary_cannot_post_into_another_branchs_round(
    client, secretary_a, round_without_a, questionnaire
):
    client.force_login(secretary_a)
    response = client.post(
        reverse("questionnaire", args=[round_without_a.pk]),
        answer_post(questionnaire, version=0, action="submit"),
    )
    assert response.status_code == 404
    assert not Submission.objects.filter(round=round_without_a).exists()


def test_secretary_b_sees_no_trace_of_branch_a(client, secretary_b, submission_a):
    client.force_login(secretary_b)
    home = client.get(reverse("home")).content.decode()
    assert secretary_a_branch_name(submission_a) not in home


def secretary_a_branch_name(submission):
    return submission.branch.name
