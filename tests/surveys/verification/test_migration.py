"""Scores stored before verification existed become self-assessed scores on migrate."""

import importlib

import pytest
from django.apps import apps

from reports.models import DimensionScore, SubmissionScore
from tests.helpers import submit

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reports.migrations.0009_verified_scores")


def test_old_scores_get_their_self_numbers(client, secretary_a, open_round, questionnaire):
    submission = submit(client, secretary_a, open_round, questionnaire, likert="4")
    SubmissionScore.objects.update(self_index=None, self_grade="", self_dimensions={})
    migration.copy_self_scores(apps, None)
    score = SubmissionScore.objects.get(submission=submission)
    assert score.self_index == score.index and score.self_grade == score.grade
    dims = dict(
        DimensionScore.objects.filter(score_of=score).values_list("dimension__code", "score")
    )
    assert score.self_dimensions == dims and dims
    assert score.verified is False
