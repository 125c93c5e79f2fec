"""Dates built in Python (messages, notes, audit details, sheets' text cells) read exactly as
the templates show them with DATETIME_FORMAT: one date format everywhere."""

import datetime as dt

from django.template import Context, Template
from django.utils import translation

from surveys.core.text import local_minute

DEADLINE = dt.datetime(2026, 12, 25, 10, 0, tzinfo=dt.UTC)  # 18:00 in Beijing


def test_local_minute_reads_like_the_templates():
    shown = Template('{{ at|date:"DATETIME_FORMAT" }}').render(Context({"at": DEADLINE}))
    assert local_minute(DEADLINE) == shown == "2026年12月25日 18:00"


def test_local_minute_is_local_time_without_leading_zeros_in_the_date():
    assert local_minute(dt.datetime(2026, 5, 31, 17, 5, tzinfo=dt.UTC)) == "2026年6月1日 01:05"


def test_local_minute_is_in_the_sites_language_whatever_is_active():
    with translation.override("en"):
        assert local_minute(DEADLINE) == "2026年12月25日 18:00"
