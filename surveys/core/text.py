"""Text every feature writes the same way: a moment as local time to the minute."""

from django.conf import settings
from django.utils import formats, timezone, translation


def local_minute(value) -> str:
    """An aware datetime as local time in the pages' DATETIME_FORMAT ("2026年12月25日 18:00"),
    for messages, notes and audit details built in Python, so they read like the templates
    around them. Always in the site's language: a note written by a task or a command reads
    the same as one written during a request."""
    with translation.override(settings.LANGUAGE_CODE):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
