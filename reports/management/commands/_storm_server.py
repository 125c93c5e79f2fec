"""The throw-away server behind `bench_storm` and `bench_raters`: a temporary SQLite
directory or a uniquely named PostgreSQL database, the command's own --prepare / --verify
child steps inside it, gunicorn on a loopback port, and the server CPU the load cost.

Everything is bounded: gunicorn must answer within 60 s, the children within 600 s, and
gunicorn is stopped (SIGTERM, then SIGKILL) and the database removed whatever happens.
"""

import json
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
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import CommandError
from psycopg import sql

CHILD_ENV = "RONGHE_STORM_CHILD"
POSTGRES_SERVER = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
HERE = Path(__file__).resolve().parent


@dataclass
class Run:
    visitors: list  # _storm_load.Visitor, each with her timings
    elapsed: float  # seconds the load took
    cpu_seconds: float  # gunicorn's master and workers, during the load only
    check: dict  # what the --verify child found in the database


def throwaway_run(*, command, kind, database, workers, profile, log, prepare, verify, load):
    """Prepare (`manage.py <command> --prepare …`), serve, `load(port, plan)` -> (visitors,
    elapsed), verify (`--verify …`), clean up. `kind` names the throw-away database
    ("" or "raters": ronghe-storm-raters-…), which the children check before writing."""
    stem = f"ronghe-storm-{kind}-" if kind else "ronghe-storm-"
    data_dir = tempfile.mkdtemp(prefix=stem)
    env = _child_env(data_dir)
    postgres = None
    try:
        if database == "postgres":
            postgres = ThrowAwayPostgres(
                f"{stem.replace('-', '_')}{os.getpid()}_{secrets.token_hex(4)}"
            )
            env["DATABASE_URL"] = postgres.url
        log(f"preparing in {postgres.name if postgres else data_dir}")
        plan = child_json(command, env, "--prepare", *prepare)
        port = _free_port()
        server = Gunicorn(env, port=port, workers=workers, data_dir=data_dir, profile=profile)
        try:
            server.wait_ready()
            cpu_before = server.cpu_seconds()
            log(f"gunicorn ready on 127.0.0.1:{port} with {workers} workers; the load starts")
            visitors, elapsed = load(port, plan)
            cpu_after = server.cpu_seconds()
        finally:
            server.stop()
        if any(v.error for v in visitors):
            log(f"errors; the end of gunicorn's log:\n{server.log_path.read_text()[-4000:]}")
        log("load over; checking the database")
        check = child_json(command, env, "--verify", *verify)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if postgres:
            postgres.drop()
    cpu = sum(cpu_after.values()) - sum(cpu_before.get(pid, 0) for pid in cpu_after)
    return Run(visitors=visitors, elapsed=elapsed, cpu_seconds=cpu, check=check)


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


def child_json(command, env, *arguments):
    """What a --prepare or --verify child of `command` printed, as JSON."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), command, *arguments]
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
