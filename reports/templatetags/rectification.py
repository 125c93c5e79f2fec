"""The secretary's home page panel of rectification tasks: {% rectification_panel user %}."""

from django import template
from django.utils import timezone

from reports.rectification import selectors
from reports.rectification.models import RectificationTask

register = template.Library()


@register.inclusion_tag("reports/rectification/_home_panel.html")
def rectification_panel(user):
    tasks = [
        t for t in selectors.secretary_tasks(user) if t.status != RectificationTask.Status.DONE
    ]
    today = timezone.localdate()
    return {
        "tasks": tasks,
        "overdue": sum(t.is_overdue(today) for t in tasks),
        "today": today,
    }
