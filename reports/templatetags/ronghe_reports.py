from django import template
from django.utils.safestring import mark_safe

from reports.scoring import round2

register = template.Library()

GRADE_CLASSES = {"好": "success", "较好": "primary", "一般": "warning", "差": "danger"}


@register.filter
def score(value):
    """A score as shown everywhere: two decimals, half up; 数据不足 when missing."""
    rounded = round2(value)
    return "数据不足" if rounded is None else f"{rounded:.2f}"


@register.filter
def sort_value(value):
    """A number for client-side sorting; missing scores sort last."""
    return -1 if value is None else f"{value:.4f}"


@register.filter
def signed(value):
    rounded = round2(value)
    if rounded is None:
        return "—"
    return f"+{rounded:.2f}" if rounded > 0 else f"{rounded:.2f}"


@register.filter
def grade_class(grade):
    return GRADE_CLASSES.get(grade, "secondary")


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


MISSING_HTML = mark_safe('<span class="text-body-secondary">数据不足</span>')


@register.filter
def score_html(value):
    """A score cell: the number, or a muted 数据不足 (a filter, not an include: the dashboard
    table has a cell per unit and dimension)."""
    return MISSING_HTML if round2(value) is None else score(value)
