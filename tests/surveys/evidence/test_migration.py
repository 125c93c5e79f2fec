"""A database that loaded the standard instrument before evidence rules existed gets the same
rules on migrate, and its recorded file digest moves on, so `load_questionnaire` after the
upgrade finds the version unchanged instead of refusing a frozen version."""

import importlib

import pytest
from django.apps import apps

from surveys.questionnaires.models import Question, Questionnaire

pytestmark = pytest.mark.django_db

migration = importlib.import_module("surveys.migrations.0007_evidence")


def test_old_standard_version_gets_the_rules_and_the_new_digest(questionnaire):
    Question.objects.filter(questionnaire=questionnaire).update(evidence="none")
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        source_sha256=migration.STANDARD_BEFORE
    )
    migration.standard_evidence(apps, None)
    questionnaire.refresh_from_db()
    assert questionnaire.source_sha256 == migration.STANDARD_AFTER
    allowed = set(questionnaire.questions.filter(evidence="allowed").values_list("code", flat=True))
    assert allowed == set(migration.STANDARD_ALLOWED)


def test_a_changed_or_other_questionnaire_is_left_alone(questionnaire):
    Question.objects.filter(questionnaire=questionnaire).update(evidence="none")
    Questionnaire.objects.filter(pk=questionnaire.pk).update(source_sha256="0" * 64)
    migration.standard_evidence(apps, None)
    assert set(questionnaire.questions.values_list("evidence", flat=True)) == {"none"}


def test_the_rules_match_the_shipped_file(questionnaire):
    """The migration's list is the file's: a fresh load and an upgraded database agree."""
    allowed = set(questionnaire.questions.filter(evidence="allowed").values_list("code", flat=True))
    assert allowed == set(migration.STANDARD_ALLOWED)
