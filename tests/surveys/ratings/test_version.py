"""What the rater groups change moves the data version, so cached pages and files follow."""

import pytest

from reports.store import current_version
from surveys.ratings.models import Audience
from surveys.ratings.services import rater_groups_add, rating_settings_set

pytestmark = pytest.mark.django_db


def test_weights_and_new_groups_move_the_data_version(office, open_round):
    before = current_version()
    rater_groups_add(actor=office, round_=open_round, audience=Audience.PUBLIC)
    after_groups = current_version()
    assert after_groups > before
    rating_settings_set(
        actor=office,
        round_=open_round,
        min_raters=3,
        weights={"self": 50, "members": 30, "public": 20},
    )
    assert current_version() > after_groups
