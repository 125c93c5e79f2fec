"""A deadline storm against gunicorn, in a throw-away database, as JSON.

    python manage.py bench_storm --secretaries 1000 --workers 3 [--database sqlite|postgres]

N secretaries (each her own branch; ten branches to a unit) on one open round of the standard
questionnaire, each through login page, login, home, questionnaire, 保存草稿, questionnaire
again, 提交 and the read-only view (`_storm_load.py`). Then every branch must hold exactly one
submitted, scored submission with one snapshot. Printed: per-step p50/p95/p99 ms, throughput,
errors, the gunicorn processes' CPU per secretary, the completion time, how many finished
within 60 s, and one password hash before and after Argon2id (`bench_hash`).

--arrival S spreads the secretaries evenly over the first S seconds (secretary i starts
i/N of the way through), the deadline rush as it comes: "1,000 within 60 s" with every step
at p95 ≤ 300 ms can only mean arrivals over the minute, since 1,000 logins at the same
instant are 1,000 Argon2id hashes (26 CPU-seconds here) that no 300 ms can hold. The default,
0, starts everyone at once: the worst case, for throughput and completion time.

The configured database is never opened. Every step that touches a database runs in a child
process (`manage.py bench_storm --prepare / --verify`, gunicorn itself) whose environment
names the throw-away one:
- sqlite: RONGHE_DATA_DIR is a new temporary directory (the SQLite file, its WAL, static
  root), removed afterwards;
- postgres: a database ronghe_storm_<pid>_<random> on postgres://postgres@127.0.0.1:5432,
  created before and dropped (WITH FORCE) afterwards.
Everything is bounded: gunicorn must answer within 60 s, every request has --timeout, the
load has --deadline, and gunicorn is stopped (SIGTERM, then SIGKILL) whatever happens.
--profile DIR keeps one cProfile per worker and step there (`_storm_gunicorn.py`).
"""

import argparse
import datetime as dt
import json
import math
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from reports.management.commands import _storm_load
from reports.management.commands._storm_server import CHILD_ENV, throwaway_run
from reports.management.commands.bench_hash import hash_timings
from reports.models import SubmissionScore
from surveys.organisation.models import Branch, Unit, User
from surveys.questionnaires.instrument import load_questionnaire
from surveys.questionnaires.models import Question
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Submission, SubmissionSnapshot

PASSWORD = "storm-Password-2026"
BRANCHES_PER_UNIT = 10
ROUND_NAME = "压力测试：截止前一小时"


class Command(BaseCommand):
    help = "截止前集中提交的压力测试：临时数据库 + gunicorn + 模拟支部书记，输出 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--secretaries", type=int, default=200, help="支部书记人数 N")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn 同步 worker 数")
        parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
        parser.add_argument(
            "--concurrency", type=int, help="同时在线的书记数上限（默认 N，至多 1000）"
        )
        parser.add_argument(
            "--arrival", type=float, default=0, help="书记在前多少秒内均匀到达（默认 0：同时）"
        )
        parser.add_argument("--timeout", type=float, default=60, help="单个请求超时（秒）")
        parser.add_argument("--deadline", type=float, default=600, help="整场压力测试上限（秒）")
        parser.add_argument("--profile", help="把每个 worker 每个步骤的 cProfile 写到此目录")
        # The two child steps, run only inside the throw-away environment.
        parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--verify", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["prepare"] or options["verify"]:
            self._refuse_unless_throwaway()
            if options["prepare"]:
                plan = prepare(options["secretaries"])
            else:
                plan = verify()
            self.stdout.write(json.dumps(plan, ensure_ascii=False))
            return
        if options["secretaries"] < 1 or options["workers"] < 1:
            raise CommandError("--secretaries 和 --workers 至少为 1。")
        if options["arrival"] < 0:
            raise CommandError("--arrival 不能为负数。")
        result = run_storm(
            secretaries=options["secretaries"],
            workers=options["workers"],
            database=options["database"],
            concurrency=options["concurrency"] or min(options["secretaries"], 1000),
            arrival=options["arrival"],
            timeout=options["timeout"],
            deadline=options["deadline"],
            profile=options["profile"],
            log=lambda message: self.stderr.write(f"storm: {message}"),
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _refuse_unless_throwaway(self):
        """The environment variable alone is no proof: refuse a database this command did
        not make, whoever set it."""
        database = settings.DATABASES["default"]
        name = str(database["NAME"])
        if database["ENGINE"].endswith("sqlite3"):
            made_here = Path(name).parent.name.startswith("ronghe-storm-")
        else:
            made_here = name.startswith("ronghe_storm_")
        if os.environ.get(CHILD_ENV) != "1" or not made_here:
            raise CommandError(f"{name} 不是压力测试创建的临时数据库，拒绝写入。")


# --- inside the throw-away database -----------------------------------------------------


def prepare(secretaries):
    """Migrate, load the standard questionnaire, make N secretaries on one open round; the
    plan the load generator needs (round, usernames, a complete set of answers)."""
    call_command("migrate", interactive=False, verbosity=0)
    questionnaire, _created = load_questionnaire()
    now = timezone.now()
    round_ = Round.objects.create(
        name=ROUND_NAME,
        questionnaire=questionnaire,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
    )
    units = Unit.objects.bulk_create(
        Unit(code=f"STORM-{u:04d}", name=f"压力测试单位{u}", order=u)
        for u in range(1, math.ceil(secretaries / BRANCHES_PER_UNIT) + 1)
    )
    branches = Branch.objects.bulk_create(
        Branch(
            unit=units[i // BRANCHES_PER_UNIT],
            code=f"STORM-B{i + 1:05d}",
            name=f"压力测试党支部{i + 1}",
            member_count=10,
        )
        for i in range(secretaries)
    )
    # One hash for all: N Argon2 hashes would only slow the set-up; every login still
    # verifies a full Argon2id hash.
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=f"storm{i + 1:05d}",
            role=User.Role.SECRETARY,
            branch=branch,
            last_name="书记",
            first_name=str(i + 1),
            password=password,
        )
        for i, branch in enumerate(branches)
    )
    RosterEntry.objects.bulk_create(RosterEntry(round=round_, branch=b) for b in branches)
    return {
        "round_id": round_.pk,
        "usernames": [u.username for u in users],
        "answers": complete_answers(questionnaire),
    }


def complete_answers(questionnaire):
    """A valid answer to every question, as the page posts it."""
    data = {}
    for question in questionnaire.questions.all():
        name = f"q_{question.code}"
        if question.kind == Question.Kind.LIKERT:
            data[name] = "4"
        elif question.kind == Question.Kind.YES_NO:
            data[name] = "1"
        elif question.kind == Question.Kind.NUMBER:
            data[name] = str(min(3, question.max_value) if question.max_value else 3)
        elif question.kind == Question.Kind.CHOICE:
            data[name] = question.choices[0]["value"]
        else:
            data[name] = "把党建和业务一起谋划、一起部署、一起考核。"
    return data


def verify():
    """Whether every branch on the round holds exactly one submitted, scored submission."""
    round_ = Round.objects.get(name=ROUND_NAME)
    roster = set(RosterEntry.objects.filter(round=round_).values_list("branch_id", flat=True))
    per_branch = dict(
        Submission.objects.filter(round=round_)
        .values_list("branch_id")
        .annotate(n=Count("id"))
        .values_list("branch_id", "n")
    )
    submitted = Submission.objects.filter(round=round_, status=Submission.Status.SUBMITTED)
    snapshots = dict(
        SubmissionSnapshot.objects.filter(submission__round=round_)
        .values_list("submission_id")
        .annotate(n=Count("id"))
        .values_list("submission_id", "n")
    )
    scored = SubmissionScore.objects.filter(round=round_, index__isnull=False).count()
    submitted_count = submitted.count()
    return {
        "roster": len(roster),
        "submissions": sum(per_branch.values()),
        "submitted": submitted_count,
        "scored": scored,
        "branches_with_more_than_one": sum(1 for n in per_branch.values() if n > 1),
        "branches_without": len(roster - set(per_branch)),
        "snapshots_not_one": sum(1 for n in snapshots.values() if n != 1)
        + (submitted_count - len(snapshots)),
        "exactly_once_and_scored": (
            set(per_branch) == roster
            and all(n == 1 for n in per_branch.values())
            and submitted_count == len(roster)
            and scored == len(roster)
            and len(snapshots) == len(roster)
            and all(n == 1 for n in snapshots.values())
        ),
    }


# --- the parent: the throw-away database, gunicorn, the load -----------------------------


def run_storm(
    *, secretaries, workers, database, concurrency, arrival, timeout, deadline, profile, log
):
    def load(port, plan):
        return _storm_load.run_coroutine(
            _storm_load.storm(
                port=port,
                usernames=plan["usernames"],
                password=PASSWORD,
                round_id=plan["round_id"],
                answers=plan["answers"],
                concurrency=concurrency,
                arrival=arrival,
                timeout=timeout,
                deadline=deadline,
            )
        )

    log(f"building {secretaries} secretaries")
    run = throwaway_run(
        command="bench_storm",
        kind="",
        database=database,
        workers=workers,
        profile=profile,
        log=log,
        prepare=[f"--secretaries={secretaries}"],
        verify=[],
        load=load,
    )
    return {
        "database": database,
        "secretaries": secretaries,
        "workers": workers,
        "concurrency": concurrency,
        "arrival_s": arrival,
        **_storm_load.summary(run.visitors, run.elapsed),
        "server_cpu_ms_per_secretary": round(run.cpu_seconds * 1000 / secretaries, 1),
        "server_cpu_s": round(run.cpu_seconds, 2),
        "check": run.check,
        "password_hash": hash_timings(repeat=3),
    }
