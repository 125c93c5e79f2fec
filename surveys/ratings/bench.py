"""An in-process load check of the rater form: N raters, each opening their code's page and
submitting it, from T threads through Django's test client (real middleware, the configured
database). Prints throughput, p50/p95 and errors, then checks that every code was used once
and every sheet recorded once. Not the gunicorn benchmark the issue asks for (see the report):
the web server is left out, so it measures the app and the database only."""

import statistics
import threading
import time

from django.db import connection
from django.test import Client
from django.urls import reverse

from surveys.ratings.models import RaterCode, RaterItem, RaterResponse


def _post_for(items):
    data = {}
    for n, item in enumerate(items):
        if item.kind == RaterItem.Kind.SCALE:
            data[f"item_{item.pk}"] = str(1 + n % 5)
        elif item.kind == RaterItem.Kind.SATISFACTION:
            data[f"item_{item.pk}"] = "2"
    return data


def bench_raters(*, group, codes, threads=8):
    """Submit one sheet per code; returns the numbers (and prints nothing)."""
    items = list(group.questionnaire.items.all())
    data = _post_for(items)
    pending = list(codes)
    lock = threading.Lock()
    timings, errors = [], []
    before = RaterResponse.objects.filter(group=group).count()

    def worker():
        client = Client(REMOTE_ADDR="10.9.0.1")
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    code = pending.pop()
                url = reverse("rater_form", args=[code])
                started = time.perf_counter()
                page = client.get(url)
                response = client.post(url, data)
                elapsed = time.perf_counter() - started
                with lock:
                    timings.append(elapsed)
                    if page.status_code != 200 or response.status_code != 302:
                        errors.append((page.status_code, response.status_code))
        finally:
            connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=600)
    wall = time.perf_counter() - started
    recorded = RaterResponse.objects.filter(group=group).count() - before
    used = RaterCode.objects.filter(group=group, used=True).count()
    ordered = sorted(timings)
    return {
        "raters": len(codes),
        "threads": threads,
        "wall_s": round(wall, 2),
        "per_s": round(len(codes) / wall, 1) if wall else None,
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1) if ordered else None,
        "errors": len(errors),
        "recorded": recorded,
        "codes_used": used,
        "lost": len(codes) - recorded if recorded < len(codes) else 0,
        "duplicated": recorded - len(codes) if recorded > len(codes) else 0,
    }
