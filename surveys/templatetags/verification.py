"""The round page's 考评 progress: {% verification_progress round as progress %}."""

from django import template

from surveys.verification.selectors import round_queue

register = template.Library()


@register.simple_tag
def verification_progress(round_):
    """How many submitted sheets are verified, and how many appeals are open (3 queries)."""
    queue = round_queue(round_)
    return {
        "reviewed": queue.reviewed,
        "submitted": queue.submitted,
        "open_appeals": queue.open_appeals,
    }
