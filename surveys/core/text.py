"""Text every feature writes the same way: a moment as local time to the minute."""

from django.utils import timezone


def local_minute(value) -> str:
    """An aware datetime as local "YYYY-MM-DD HH:MM", as notes and the audit log show it."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
