"""GET /healthz for the proxy and monitoring: is the database reachable, does the cache answer.

No login, no session, never cached; 200 when every check passes, 503 when one fails. The body
names each check "ok" or "error" and nothing more: what went wrong goes to the log."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache():
    key = f"ronghe-healthz-{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    try:
        return cache.get(key) == "ok"
    finally:
        cache.delete(key)


CHECKS = {"database": _database, "cache": _cache}


@require_safe
@never_cache
def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            passed = check()
        except Exception:  # a health check reports any failure; it never raises
            logger.exception("health check %s failed", name)
            passed = False
        results[name] = "ok" if passed else "error"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(results, status=200 if healthy else 503)
