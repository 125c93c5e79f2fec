from django import template

register = template.Library()


@register.simple_tag
def percent(done, total):
    """Whole percent of done out of total; 0 when there is nothing to do."""
    if not total:
        return 0
    return round(done * 100 / total)
