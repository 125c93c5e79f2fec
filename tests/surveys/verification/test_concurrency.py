"""Two office users saving the same review at the same moment (real connections, real
threads): one save wins, the other is told so, and the stored values are the winner's."""

import pytest

from surveys.verification import services
from surveys.verification.models import Verification, VerifiedAnswer
from tests.helpers import run_concurrently, submit
from tests.surveys.verification.conftest import plain_likert

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_verifications_of_one_submission(
    client, office, office2, secretary_a, open_round, questionnaire
):
    submission = submit(client, secretary_a, open_round, questionnaire, likert="4")
    item = plain_likert(questionnaire)
    jobs = [
        lambda user=user, value=value: services.verification_save(
            user=user, submission=submission, changes={item: (value, f"{user.username}")}, version=0
        )
        for user, value in ((office, 2), (office2, 3))
    ]
    outcomes = run_concurrently(jobs)
    conflicts = [o for o in outcomes if isinstance(o, services.VerificationConflict)]
    winners = [o for o in outcomes if isinstance(o, Verification)]
    assert len(conflicts) == 1 and len(winners) == 1, outcomes
    stored = VerifiedAnswer.objects.get()
    winner = winners[0].updated_by
    assert stored.reason == winner.username
    assert stored.value == (2 if winner == office else 3)
    assert Verification.objects.get().version == 1
