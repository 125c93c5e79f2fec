"""The load generator behind `manage.py bench_storm`: N secretaries, each through the eight
steps of a deadline evening, against one gunicorn on 127.0.0.1 (never anywhere else).
`bench_raters` drives its raters through the same runner (`run_all`), browser and summary.

No HTTP client library is installed (no httpx, no aiohttp), so each secretary is urllib in a
thread with her own cookie jar, and asyncio bounds the whole: at most `concurrency` at once,
every request with a timeout, the run with a deadline. Redirects are not followed, so every
step is timed on its own; CSRF as a browser does it (the cookie, the form's token, an Origin
header).
"""

import asyncio
import concurrent.futures
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

HOST = "127.0.0.1"
STEPS = (
    "login_page",
    "login",
    "home",
    "questionnaire",
    "save_draft",
    "questionnaire_again",
    "submit",
    "read_only",
)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


class StepFailed(Exception):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx comes back as the response, to be timed and checked


@dataclass
class Visitor:
    name: str  # a secretary's username, or "rater 17"
    # (step, ms, ok) of each request made, in order
    timings: list = field(default_factory=list)
    error: str = ""
    finished_at: float | None = None  # seconds after the start, when all eight succeeded


class Browser:
    def __init__(self, port, timeout):
        self.base = f"http://{HOST}:{port}"
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def request(self, path, data=None, step=""):
        """(status, location, body) of one request; HTTP errors are answers, not raises."""
        headers = {"User-Agent": "ronghe-bench-storm", "X-Bench-Step": step}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Origin"] = self.base
            headers["Referer"] = self.base + path
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers.get("Location", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read()


def _timed(secretary, browser, step, path, data=None, expect=200):
    start = time.perf_counter()
    try:
        status, location, body = browser.request(path, data, step)
    except OSError as error:  # refused, reset, timed out
        secretary.timings.append((step, (time.perf_counter() - start) * 1000, False))
        raise StepFailed(f"{step}: {type(error).__name__}: {error}") from None
    ms = (time.perf_counter() - start) * 1000
    ok = status == expect
    secretary.timings.append((step, ms, ok))
    if not ok:
        raise StepFailed(f"{step}: HTTP {status} (expected {expect}) {location}")
    return location, body.decode("utf-8", "replace")


def _token(html, step):
    match = TOKEN.search(html)
    if not match:
        raise StepFailed(f"{step}: no CSRF token on the page")
    return match.group(1)


def _version(html, step):
    match = VERSION.search(html)
    if not match:
        raise StepFailed(f"{step}: no version field on the questionnaire")
    return match.group(1)


def run_secretary(secretary, *, port, password, round_id, answers, timeout, started):
    """One secretary's evening, step by step; stops at the first failure."""
    browser = Browser(port, timeout)
    questionnaire = f"/rounds/{round_id}/questionnaire/"
    try:
        _, page = _timed(secretary, browser, "login_page", "/login/")
        credentials = {
            "csrfmiddlewaretoken": _token(page, "login_page"),
            "username": secretary.name,
            "password": password,
        }
        location, _ = _timed(secretary, browser, "login", "/login/", credentials, expect=302)
        if urllib.parse.urlsplit(location).path != "/":
            raise StepFailed(f"login: redirected to {location}, not the home page")
        _timed(secretary, browser, "home", "/")
        _, page = _timed(secretary, browser, "questionnaire", questionnaire)
        draft = {
            **answers,
            "csrfmiddlewaretoken": _token(page, "questionnaire"),
            "version": _version(page, "questionnaire"),
            "action": "save",
        }
        _timed(secretary, browser, "save_draft", questionnaire, draft, expect=302)
        _, page = _timed(secretary, browser, "questionnaire_again", questionnaire)
        final = {
            **answers,
            "csrfmiddlewaretoken": _token(page, "questionnaire_again"),
            "version": _version(page, "questionnaire_again"),
            "action": "submit",
        }
        location, _ = _timed(secretary, browser, "submit", questionnaire, final, expect=302)
        detail = urllib.parse.urlsplit(location).path
        if not detail.startswith("/submissions/"):
            raise StepFailed(f"submit: redirected to {location}, not the submission")
        _timed(secretary, browser, "read_only", detail)
    except StepFailed as error:
        secretary.error = str(error)
    else:
        secretary.finished_at = time.perf_counter() - started


async def storm(
    *, port, usernames, password, round_id, answers, concurrency, timeout, deadline, arrival=0
):
    """Run every secretary, at most `concurrency` at once, secretary i arriving i/N of the
    way through `arrival` seconds (all at once for 0); give up on whoever is not done
    `deadline` seconds after the start. Returns (secretaries, seconds elapsed)."""

    def visit(secretary, started):
        run_secretary(
            secretary,
            port=port,
            password=password,
            round_id=round_id,
            answers=answers,
            timeout=timeout,
            started=started,
        )

    return await run_all(
        [Visitor(name) for name in usernames],
        visit,
        concurrency=concurrency,
        deadline=deadline,
        arrivals=[arrival * n / len(usernames) for n in range(len(usernames))],
    )


async def run_all(visitors, visit, *, concurrency, deadline, arrivals=None):
    """`visit(visitor, started)` for every visitor in a thread, at most `concurrency` at
    once; visitor i not before `arrivals[i]` seconds after the start (all at once without
    them); give up on whoever is not done `deadline` seconds after the start. Returns
    (visitors, seconds elapsed)."""
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=concurrency)
    limit = asyncio.Semaphore(concurrency)

    async def one(visitor, arrival):
        if arrival:
            await asyncio.sleep(arrival - (time.perf_counter() - started))
        async with limit:
            await loop.run_in_executor(pool, lambda: visit(visitor, started))

    arrivals = arrivals or [0] * len(visitors)
    tasks = [asyncio.ensure_future(one(v, a)) for v, a in zip(visitors, arrivals, strict=True)]
    done, pending = await asyncio.wait(tasks, timeout=deadline)
    for task in pending:
        task.cancel()
    for visitor in visitors:
        if visitor.finished_at is None and not visitor.error:
            visitor.error = f"not finished within the {deadline} s deadline"
    # Threads still in a request end by their socket timeout; the server is stopped next.
    pool.shutdown(wait=False, cancel_futures=True)
    return visitors, time.perf_counter() - started


def percentile(sorted_values, share):
    """Nearest-rank percentile of an ascending list (None if empty)."""
    if not sorted_values:
        return None
    rank = max(1, int(-(-share * len(sorted_values) // 1)))  # ceil
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summary(secretaries, elapsed, *, within=60, steps=STEPS, who="secretaries"):
    """The per-step percentiles, errors and completion figures of one storm; `who` names
    the visitors in the keys ("secretaries_finished", "raters_finished")."""
    figures = {}
    for step in steps:
        made = [(ms, ok) for s in secretaries for name, ms, ok in s.timings if name == step]
        times = sorted(ms for ms, _ok in made)
        failed = sum(1 for _ms, ok in made if not ok)
        figures[step] = {
            "requests": len(times),
            "errors": failed,
            "p50_ms": _round(percentile(times, 0.50)),
            "p95_ms": _round(percentile(times, 0.95)),
            "p99_ms": _round(percentile(times, 0.99)),
        }
    finished = sorted(s.finished_at for s in secretaries if s.finished_at is not None)
    requests = sum(len(s.timings) for s in secretaries)
    errors = [f"{s.name}: {s.error}" for s in secretaries if s.error]
    completion = finished[-1] if len(finished) == len(secretaries) else None
    return {
        "steps": figures,
        f"{who}_finished": len(finished),
        "finished_within_60_s": sum(1 for t in finished if t <= within),
        "completion_s": _round(completion, 2),
        "last_finished_s": _round(finished[-1] if finished else None, 2),
        "elapsed_s": round(elapsed, 2),
        "throughput": {
            "requests_per_s": round(requests / elapsed, 1) if elapsed else None,
            f"{who}_per_s": round(len(finished) / elapsed, 2) if elapsed else None,
        },
        "errors": len(errors),
        "error_samples": errors[:10],
    }


def _round(value, digits=1):
    return None if value is None else round(value, digits)


def run_coroutine(coroutine):
    """asyncio.run, also from a thread whose event loop is already running (a test session
    with a browser open runs Playwright's loop in the main thread): then in a thread of its
    own, so the storm never shares or blocks the caller's loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
