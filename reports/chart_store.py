"""Charts kept under their data: a chart of reports.charts is a pure function of its
arguments, so its picture is kept in the shared cache under a hash of the function, the
arguments and the format. Whatever asks with the same data (the unit's page, its PDF, the
round's PDF, a second download, the next data version when this unit did not change) draws
nothing, and changed data can never hit a stale picture.

Drawing is most of a PDF's time and all of a cold chart's (~0.1–0.4 s each); the version-keyed
caches of reports/views.py still answer a page's repeated requests without reading the data.
"""

import hashlib

from django.core.cache import cache

SECONDS = 60 * 60 * 24


def drawn(chart, *args, fmt):
    """The bytes of chart(*args, fmt=fmt), drawn only if no process has drawn them yet."""
    name = f"{chart.__module__}.{chart.__qualname__}"
    digest = hashlib.sha256(repr((name, fmt, args)).encode()).hexdigest()
    key = f"chart-data:{digest}"
    body = cache.get(key)
    if body is None:
        body = chart(*args, fmt=fmt)
        cache.set(key, body, SECONDS)
    return body
