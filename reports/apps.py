"""The reports app: scoring, stored scores, dashboards, charts and exports."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "测评报告"

    def ready(self):
        from reports import invalidation, warming

        invalidation.connect()
        warming.connect()  # charts drawn in the background after the scores change
