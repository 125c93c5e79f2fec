"""A deadline storm against gunicorn, in a throw-away database, as JSON.

    python manage.py bench_storm --secretaries 1000 --workers 3 [--database sqlite|postgres]

N secretaries (each her own branch; ten branches to a unit) on one open round of the standard
questionnaire, each through login page, login, home, questionnaire, 保存草稿, questionnaire
again, 提交 and the read-only view (`_storm_load.py`). Then every branch must hold exactly one
submitted, scored submission with one snapshot. Printed: per-step p50/p95/p99 ms, throughput,
errors, the gunicorn processes' CPU per secretary, the completion time, how many finished
within 60 s, and one password hash before and after Argon2id (`bench_hash`).

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
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone
from psycopg import sql

from reports.management.commands import _storm_load
from reports.management.commands.bench_hash import hash_timings
from reports.models import SubmissionScore
from surveys.organisation.models import Branch, Unit, User
from surveys.questionnaires.instrument import load_questionnaire
from surveys.questionnaires.models import Question
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Submission, SubmissionSnapshot

CHILD_ENV = "RONGHE_STORM_CHILD"
POSTGRES_SERVER = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
PASSWORD = "storm-Password-2026"
BRANCHES_PER_UNIT = 10
ROUND_NAME = "压力测试：截止前一小时"
HERE = Path(__file__).resolve().parent


class Command(BaseCommand):
    help = "截止前集中提交的压力测试：临时数据库 + gunicorn + 模拟支部书记，输出 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--secretaries", type=int, default=200, help="支部书记人数 N")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn 同步 worker 数")
        parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
        parser.add_argument(
            "--concurrency", type=int, help="同时在线的书记数上限（默认 N，至多 1000）"
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
        result = run_storm(
            secretaries=options["secretaries"],
            workers=options["workers"],
            database=options["database"],
            concurrency=options["concurrency"] or min(options["secretaries"], 1000),
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


def run_storm(*, secretaries, workers, database, concurrency, timeout, deadline, profile, log):
    data_dir = tempfile.mkdtemp(prefix="ronghe-storm-")
    env = _child_env(data_dir)
    postgres = None
    try:
        if database == "postgres":
            postgres = ThrowAwayPostgres(f"ronghe_storm_{os.getpid()}_{secrets.token_hex(4)}")
            env["DATABASE_URL"] = postgres.url
        log(f"building {secretaries} secretaries in {postgres.name if postgres else data_dir}")
        plan = _child_json(env, "--prepare", f"--secretaries={secretaries}")
        port = _free_port()
        server = Gunicorn(env, port=port, workers=workers, data_dir=data_dir, profile=profile)
        try:
            server.wait_ready()
            cpu_before = server.cpu_seconds()
            log(f"gunicorn ready on 127.0.0.1:{port} with {workers} workers; storm starts")
            people, elapsed = _storm_load.run_coroutine(
                _storm_load.storm(
                    port=port,
                    usernames=plan["usernames"],
                    password=PASSWORD,
                    round_id=plan["round_id"],
                    answers=plan["answers"],
                    concurrency=concurrency,
                    timeout=timeout,
                    deadline=deadline,
                )
            )
            cpu_after = server.cpu_seconds()
        finally:
            server.stop()
        if any(person.error for person in people):
            log(f"errors; the end of gunicorn's log:\n{server.log_path.read_text()[-4000:]}")
        log("storm over; checking the submissions")
        check = _child_json(env, "--verify")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if postgres:
            postgres.drop()
    cpu = sum(cpu_after.values()) - sum(cpu_before.get(pid, 0) for pid in cpu_after)
    return {
        "database": database,
        "secretaries": secretaries,
        "workers": workers,
        "concurrency": concurrency,
        **_storm_load.summary(people, elapsed),
        "server_cpu_ms_per_secretary": round(cpu * 1000 / secretaries, 1),
        "server_cpu_s": round(cpu, 2),
        "check": check,
        "password_hash": hash_timings(repeat=3),
    }


def _child_env(data_dir):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "RONGHE_DEMO"}
    }
    env.update(
        {
            CHILD_ENV: "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",  # production settings, Argon2 included
            "RONGHE_DATA_DIR": data_dir,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "ronghe-storm-throwaway",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_HTTPS": "0",
        }
    )
    return env


def _child_json(env, *arguments):
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_storm", *arguments]
    child = subprocess.run(
        command,
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if child.returncode != 0:
        raise CommandError(f"子进程 {' '.join(arguments)} 失败：{child.stderr[-2000:]}")
    return json.loads(child.stdout)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn as docs/deployment.md runs it (sync workers), on a loopback port."""

    def __init__(self, env, *, port, workers, data_dir, profile):
        self.port = port
        self.log_path = Path(data_dir) / "gunicorn.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=sync",
            "--timeout=120",
        ]
        env = dict(env)
        if profile:
            Path(profile).mkdir(parents=True, exist_ok=True)
            env["RONGHE_STORM_PROFILE_DIR"] = str(Path(profile).resolve())
            command.append(f"--config={HERE / '_storm_gunicorn.py'}")
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=settings.BASE_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches every worker
        )

    def wait_ready(self, within=60):
        """Until /login/ answers 200 a few times (every worker imported the app)."""
        ends = time.monotonic() + within
        answered = 0
        while time.monotonic() < ends and answered < 3 * max(1, len(self._workers())):
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn 未能启动：{self.log_path.read_text()[-2000:]}")
            try:
                url = f"http://127.0.0.1:{self.port}/login/"
                with urllib.request.urlopen(url, timeout=5) as response:
                    answered += response.status == 200
            except OSError:
                time.sleep(0.2)
        if answered == 0:
            raise CommandError("gunicorn 在 60 秒内没有响应。")

    def _workers(self):
        master = str(self.process.pid)
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == master:  # the parent pid
                pids.append(int(stat.parent.name))
        return pids

    def cpu_seconds(self):
        """User + system CPU seconds of the master and each worker, by pid."""
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = {}
        for pid in [self.process.pid, *self._workers()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return cpu

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


class ThrowAwayPostgres:
    """A uniquely named database on the local server, made and dropped from its maintenance
    database."""

    def __init__(self, name):
        self.name = name
        server = POSTGRES_SERVER
        self.url = f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
        self._execute("CREATE DATABASE {}")

    def drop(self):
        self._execute("DROP DATABASE IF EXISTS {} WITH (FORCE)")

    def _execute(self, statement):
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **POSTGRES_SERVER) as conn:
                conn.execute(sql.SQL(statement).format(sql.Identifier(self.name)))
        except psycopg.Error as error:
            raise CommandError(
                f"无法在 PostgreSQL 上创建或删除临时数据库 {self.name}：{error}"
            ) from error
