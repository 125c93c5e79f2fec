"""Reads of questionnaire versions."""

from django.db.models import (
    Prefetch,
)

from surveys.questionnaires.models import Dimension, Question


def questionnaire_sections(questionnaire):
    """The dimensions of a questionnaire, each with its questions split by kind."""
    dimensions = list(
        Dimension.objects.filter(questionnaire=questionnaire)
        .order_by("order", "id")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
    )
    questions = [q for d in dimensions for q in d.questions.all()]
    return dimensions, questions
