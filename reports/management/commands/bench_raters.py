"""A rater storm against gunicorn, in a throw-away database, as JSON.

    python manage.py bench_raters --raters 500 --workers 3 [--database sqlite|postgres]

One open round, one unit with one branch, its 党员评议 group and N one-time codes issued by
the office (`codes_issue`). N raters, each on her own connection, open /r/<code>/ (the form
must come back, not the refusal page) and post a full valid sheet (every item answered, a
comment; CSRF as a phone's browser does it), expecting the redirect to /r/done/. They arrive
evenly over the first --arrival seconds (default 50, so that all of them submit within the
minute if the server keeps up; 0 sends them all at once). Then, in the database: exactly N
responses (none lost, none duplicated), each with one answer per scored item, N comments,
every code used and none left. Printed: per-step p50/p95/p99 ms, throughput, errors, how many
codes were refused on opening (the per-client rate limit of surveys/ratings/throttle.py would
show here: every request comes from 127.0.0.1), the gunicorn processes' CPU per rater,
completion time, how many finished within 60 s, lost, duplicated.

The throw-away database, gunicorn and the load are bench_storm's (`bench_storm.py`,
`_storm_load.py`): the configured database is never opened; a temporary SQLite directory or
a uniquely named PostgreSQL database on 127.0.0.1:5432 is made and removed; every request
has --timeout, the run --deadline, and gunicorn is stopped whatever happens. --profile DIR
keeps one CPU-time cProfile per worker and step (form, submit).
"""

import argparse
import datetime as dt
import json
import os
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from reports.management.commands import _storm_load
from reports.management.commands._storm_server import CHILD_ENV, throwaway_run
from surveys.organisation.models import Branch, Unit, User
from surveys.questionnaires.instrument import load_questionnaire
from surveys.ratings.forms import field_name
from surveys.ratings.models import (
    Audience,
    RaterAnswer,
    RaterCode,
    RaterComment,
    RaterGroup,
    RaterItem,
    RaterResponse,
)
from surveys.ratings.services import MAX_CODES, codes_issue, rater_groups_add
from surveys.rounds.models import RosterEntry, Round

ROUND_NAME = "压力测试：党员评议集中提交"
STEPS = ("form", "submit")
FORM_MARK = 'id="rater-form"'  # on the sheet, not on the refusal page (also 200)
COMMENT = "希望支部把党建和业务一起谋划、一起部署、一起考核。"


class Command(BaseCommand):
    help = "党员评议集中提交的压力测试：临时数据库 + gunicorn + 模拟评议人，输出 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--raters", type=int, default=500, help="评议人数 N")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn 同步 worker 数")
        parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
        parser.add_argument(
            "--arrival", type=float, default=50, help="评议人在前多少秒内均匀到达（0：同时）"
        )
        parser.add_argument(
            "--concurrency", type=int, help="同时在线的评议人数上限（默认 N，至多 1000）"
        )
        parser.add_argument("--timeout", type=float, default=60, help="单个请求超时（秒）")
        parser.add_argument("--deadline", type=float, default=600, help="整场压力测试上限（秒）")
        parser.add_argument("--profile", help="把每个 worker 每个步骤的 cProfile 写到此目录")
        # The two child steps, run only inside the throw-away environment.
        parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--verify", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["prepare"] or options["verify"]:
            refuse_unless_throwaway()
            if options["prepare"]:
                plan = prepare(options["raters"])
            else:
                plan = verify(options["raters"])
            self.stdout.write(json.dumps(plan, ensure_ascii=False))
            return
        if options["raters"] < 1 or options["workers"] < 1:
            raise CommandError("--raters 和 --workers 至少为 1。")
        if options["arrival"] < 0:
            raise CommandError("--arrival 不能为负数。")
        result = run_raters(
            raters=options["raters"],
            workers=options["workers"],
            database=options["database"],
            arrival=options["arrival"],
            concurrency=options["concurrency"] or min(options["raters"], 1000),
            timeout=options["timeout"],
            deadline=options["deadline"],
            profile=options["profile"],
            log=lambda message: self.stderr.write(f"raters: {message}"),
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))


def refuse_unless_throwaway():
    """The environment variable alone is no proof: refuse a database this command did not
    make, whoever set it (the same test as bench_storm's)."""
    database = settings.DATABASES["default"]
    name = str(database["NAME"])
    if database["ENGINE"].endswith("sqlite3"):
        made_here = Path(name).parent.name.startswith("ronghe-storm-")
    else:
        made_here = name.startswith("ronghe_storm_")
    if os.environ.get(CHILD_ENV) != "1" or not made_here:
        raise CommandError(f"{name} 不是压力测试创建的临时数据库，拒绝写入。")


# --- inside the throw-away database -----------------------------------------------------


def prepare(raters):
    """Migrate, then `build`."""
    call_command("migrate", interactive=False, verbosity=0)
    return build(raters)


def build(raters):
    """An open round with one branch on its roster, its 党员评议 group and N codes, issued
    by an office user as the office's page does. The plan for the load generator: the clear
    codes and a full valid sheet as the form posts it."""
    questionnaire, _created = load_questionnaire()
    now = timezone.now()
    round_ = Round.objects.create(
        name=ROUND_NAME,
        questionnaire=questionnaire,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
    )
    unit = Unit.objects.create(code="RATERS-U1", name="压力测试单位", order=1)
    branch = Branch.objects.create(
        unit=unit, code="RATERS-B1", name="压力测试党支部", member_count=raters
    )
    RosterEntry.objects.create(round=round_, branch=branch)
    office = User.objects.create(username="raters-office", role=User.Role.OFFICE)
    rater_groups_add(actor=office, round_=round_, audience=Audience.MEMBERS)
    group = RaterGroup.objects.get(round=round_, audience=Audience.MEMBERS)
    codes = []
    while len(codes) < raters:
        count = min(MAX_CODES, raters - len(codes))
        codes += codes_issue(actor=office, group=group, count=count)
    return {"codes": codes, "sheet": full_sheet(group)}


def full_sheet(group):
    """Every item answered (scale answers varied, so no sheet is straight-lined; one 不了解)
    and a comment, under the form's field names."""
    data = {}
    scale = 0
    for item in RaterItem.objects.filter(questionnaire=group.questionnaire):
        if item.kind == RaterItem.Kind.SCALE:
            data[field_name(item)] = "unknown" if scale == 1 else str(5 - scale % 3)
            scale += 1
        elif item.kind == RaterItem.Kind.SATISFACTION:
            data[field_name(item)] = "3"
        else:
            data[field_name(item)] = COMMENT
    return data


def verify(raters):
    """Whether the round's group holds exactly one response per code, each complete, and
    every code is used."""
    group = RaterGroup.objects.get(round__name=ROUND_NAME, audience=Audience.MEMBERS)
    scored = RaterItem.objects.filter(questionnaire=group.questionnaire).exclude(
        kind=RaterItem.Kind.TEXT
    )
    responses = RaterResponse.objects.filter(group=group).count()
    per_response = (
        RaterAnswer.objects.filter(response__group=group)
        .values("response_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    incomplete = sum(1 for n in per_response if n != scored.count()) + (
        responses - len(per_response)
    )
    codes = RaterCode.objects.filter(group=group)
    used = codes.filter(used=True).count()
    unused = codes.filter(used=False).count()
    comments = RaterComment.objects.filter(group=group).count()
    group.refresh_from_db()
    return {
        "codes": codes.count(),
        "codes_used": used,
        "codes_unused": unused,
        "responses": responses,
        "answers": RaterAnswer.objects.filter(response__group=group).count(),
        "scored_items": scored.count(),
        "responses_incomplete": incomplete,
        "comments": comments,
        "straight_lined": group.straight_lined,
        "lost": max(0, raters - responses),
        "duplicated": max(0, responses - raters),
        "exactly_once": (
            responses == raters == used == codes.count() == comments
            and unused == 0
            and incomplete == 0
        ),
    }


# --- the parent: the throw-away database, gunicorn, the load -----------------------------


def run_raters(*, raters, workers, database, arrival, concurrency, timeout, deadline, profile, log):
    def load(port, plan):
        return _storm_load.run_coroutine(
            storm(
                port=port,
                codes=plan["codes"],
                sheet=plan["sheet"],
                arrival=arrival,
                concurrency=concurrency,
                timeout=timeout,
                deadline=deadline,
            )
        )

    log(f"issuing {raters} codes")
    run = throwaway_run(
        command="bench_raters",
        kind="raters",
        database=database,
        workers=workers,
        profile=profile,
        log=log,
        prepare=[f"--raters={raters}"],
        verify=[f"--raters={raters}"],
        load=load,
    )
    visitors, check = run.visitors, run.check
    figures = _storm_load.summary(visitors, run.elapsed, steps=STEPS, who="raters")
    totals = sorted(v.total_ms for v in visitors if v.finished_at is not None)
    return {
        "database": database,
        "raters": raters,
        "workers": workers,
        "arrival_s": arrival,
        "concurrency": concurrency,
        **figures,
        "rater_total_ms": {
            "p50": _ms(_storm_load.percentile(totals, 0.50)),
            "p95": _ms(_storm_load.percentile(totals, 0.95)),
            "p99": _ms(_storm_load.percentile(totals, 0.99)),
        },
        "refused": sum(1 for v in visitors if "refused" in v.error),
        "server_cpu_ms_per_rater": round(run.cpu_seconds * 1000 / raters, 1),
        "server_cpu_s": round(run.cpu_seconds, 2),
        "lost": check["lost"],
        "duplicated": check["duplicated"],
        "check": check,
    }


def _ms(value):
    return None if value is None else round(value, 1)


# --- the load ---------------------------------------------------------------------------


@dataclass
class Rater(_storm_load.Visitor):
    total_ms: float = 0.0  # from opening the form to the redirect after submitting


def run_rater(rater, *, port, code, sheet, timeout, started):
    """Open the code's form, post the sheet; stops at the first failure."""
    browser = _storm_load.Browser(port, timeout)
    path = f"/r/{code}/"
    begin = time.perf_counter()
    try:
        _, page = _storm_load._timed(rater, browser, "form", path)
        if FORM_MARK not in page:
            raise _storm_load.StepFailed("form: refused (the code page came back)")
        data = {**sheet, "csrfmiddlewaretoken": _storm_load._token(page, "form")}
        location, page = _storm_load._timed(rater, browser, "submit", path, data, expect=302)
        if urllib.parse.urlsplit(location).path != "/r/done/":
            raise _storm_load.StepFailed(f"submit: redirected to {location}, not /r/done/")
    except _storm_load.StepFailed as error:
        rater.error = str(error)
    else:
        rater.total_ms = (time.perf_counter() - begin) * 1000
        rater.finished_at = time.perf_counter() - started


async def storm(*, port, codes, sheet, arrival, concurrency, timeout, deadline):
    """Every code's rater, rater i arriving i/N of the way through `arrival` seconds."""
    raters = [Rater(f"rater {n + 1}") for n in range(len(codes))]
    by_rater = {id(r): code for r, code in zip(raters, codes, strict=True)}

    def visit(rater, started):
        run_rater(
            rater,
            port=port,
            code=by_rater[id(rater)],
            sheet=sheet,
            timeout=timeout,
            started=started,
        )

    return await _storm_load.run_all(
        raters,
        visit,
        concurrency=concurrency,
        deadline=deadline,
        arrivals=[arrival * n / len(codes) for n in range(len(codes))],
    )
