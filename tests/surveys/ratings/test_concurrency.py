"""A double tap at the same instant (real threads, real connections) records one response."""

import pytest

from surveys.ratings.models import RaterAnswer, RaterCode, RaterResponse
from surveys.ratings.services import CodeRefused, rating_submit
from tests.helpers import run_concurrently
from tests.surveys.ratings.conftest import sheet

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_submits_with_one_code_record_one_response(group_a, issue):
    [code] = issue(group_a)
    answers = sheet(group_a)
    outcomes = run_concurrently(
        [lambda: rating_submit(typed_code=code, answers=answers) for _ in range(6)]
    )
    assert outcomes.count(None) == 1
    assert all(isinstance(o, CodeRefused) for o in outcomes if o is not None), outcomes
    assert RaterResponse.objects.count() == 1
    assert RaterAnswer.objects.count() == len(answers)
    assert RaterCode.objects.get().used
