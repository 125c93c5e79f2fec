"""What else moves the data version on: the names, texts and bands that cached pages and
charts show beside the scores. Saved one at a time (office pages, admin), so signals see
every change; the scores themselves move it in reports/store.py."""

from django.db.models.signals import post_delete, post_save

from reports.models import Recommendation
from reports.store import bump_version
from surveys.organisation.models import Branch, Unit
from surveys.questionnaires.models import Dimension, GradeBand, Questionnaire
from surveys.rounds.models import Round


def _bump(sender, **kwargs):
    if not kwargs.get("raw"):  # loaddata: the fixture's own scores come with their version
        bump_version()


def connect():
    for model in (Recommendation, Unit, Branch, Round, Questionnaire, Dimension, GradeBand):
        post_save.connect(_bump, sender=model, dispatch_uid=f"bump-version-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"unbump-version-{model.__name__}")
