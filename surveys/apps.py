"""The surveys app: organisation, questionnaires, rounds, submissions and the audit log,
one app label split into feature packages (docs/architecture.md)."""

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = "测评问卷"

    def ready(self):
        # Registers the login-lockout audit receiver and the deploy checks.
        from surveys.organisation import checks, signals  # noqa: F401
        from surveys.questionnaires import selectors

        selectors.connect()  # the process-local memos forget a changed questionnaire
