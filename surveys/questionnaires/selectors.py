"""Reads of questionnaire versions."""

from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save

from surveys.core.memo import Memo, clear_all
from surveys.questionnaires.models import Dimension, GradeBand, Question, Questionnaire

# Rounds use a handful of versions at a time.
_sections = Memo(size=16)


def questionnaire_sections(questionnaire):
    """The dimensions of a questionnaire, each with its questions split by kind."""
    dimensions = list(
        Dimension.objects.filter(questionnaire=questionnaire)
        .order_by("order", "id")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
    )
    questions = [q for d in dimensions for q in d.questions.all()]
    return dimensions, questions


def frozen_sections(questionnaire):
    """questionnaire_sections of a version a round uses, read once per process: a used
    version is frozen (questionnaires/services.py refuses every change), so the questionnaire
    page and the submit need not read 36 questions again on every request. The objects are
    shared between requests: read them, never set anything on them."""
    return _sections.get(questionnaire.pk, lambda: questionnaire_sections(questionnaire))


def connect():
    """Whatever changes a questionnaire anyway (the admin, a shell, a test's fresh database)
    forgets every memo built from one (this one, reports.store's scoring models, the page
    skeletons). Called by SurveysConfig.ready, so every process has it, commands included."""
    for model in (Questionnaire, Dimension, Question, GradeBand):
        post_save.connect(clear_all, sender=model, dispatch_uid=f"memo-clear-{model.__name__}")
        post_delete.connect(clear_all, sender=model, dispatch_uid=f"memo-gone-{model.__name__}")
