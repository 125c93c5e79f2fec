"""Time the office's reporting on a synthetic county, in a throw-away database.

    python manage.py bench_reports --branches 10000 --rounds 1 --items 18

prints one JSON object (milliseconds and sizes) on stdout; progress goes to stderr.

The configured database is never opened. The command starts itself again as a child process
whose settings point elsewhere, and only the child builds and measures:
- SQLite (no DATABASE_URL): RONGHE_DATA_DIR is a new temporary directory, so the child's
  SQLite file (and its WAL) live there; the directory is removed afterwards.
- PostgreSQL (DATABASE_URL set): a database ronghe_bench_<pid> is created on the same server
  (the login needs CREATEDB) and the child's DATABASE_URL names it; it is dropped afterwards.
A child process rather than swapping `connections` in place, because settings, the cache and
every module-level connection then agree on one database from the first line.

--keep leaves the throw-away database behind and says where it is.

--charts measures instead the cold charts of issue 14 (reports/bench_charts.py): the
whole-round PDF's task time cold and after warming, and the first dashboard view after a
submit without and with warming; --profile FILE also writes a cProfile of the cold PDF.

    python manage.py bench_reports --charts --branches 500 --units 25 --rounds 3
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports import bench, bench_charts

CHILD_ENV = "RONGHE_BENCH_CHILD"


class Command(BaseCommand):
    help = "在临时数据库中生成模拟数据，测量计分、汇总、看板页面和导出的耗时（输出 JSON）。"

    def add_arguments(self, parser):
        parser.add_argument("--branches", type=int, required=True, help="党支部数 N")
        parser.add_argument("--rounds", type=int, default=1, help="测评批次数 R（默认 1）")
        parser.add_argument(
            "--items",
            type=int,
            default=18,
            help="五级量表题数 K（默认 18，至少 3）；0 表示使用标准问卷",
        )
        parser.add_argument("--units", type=int, help="单位数 U（默认 N/20 向上取整）")
        parser.add_argument("--seed", type=int, default=2026, help="随机数种子（默认 2026）")
        parser.add_argument("--keep", action="store_true", help="保留临时数据库，便于查看")
        parser.add_argument(
            "--verified",
            type=float,
            default=0.0,
            help="最新批次中经考评的答卷比例（0–1，默认 0），用于比较考评前后看板的耗时和查询数",
        )
        parser.add_argument(
            "--charts",
            action="store_true",
            help="只测图表：全批次 PDF（冷缓存与预热后）和提交后第一次打开看板的耗时",
        )
        parser.add_argument("--profile", help="与 --charts 同用：冷缓存 PDF 的 cProfile 写入此文件")

    def handle(self, *args, branches, rounds, items, units, seed, keep, verified, **options):
        self.charts, self.profile = options["charts"], options["profile"]
        if branches < 1 or rounds < 1:
            raise CommandError("--branches 和 --rounds 至少为 1。")
        if items and items < 3:
            raise CommandError("--items 至少为 3（每个维度至少一题），或为 0（标准问卷）。")
        if not 0.0 <= verified <= 1.0:
            raise CommandError("--verified 须在 0 与 1 之间。")
        if units is not None and not 1 <= units <= branches:
            raise CommandError("--units 须在 1 与 --branches 之间。")
        if os.environ.get(CHILD_ENV) == "1":
            self._measure(branches, rounds, items, units, seed, keep, verified)
        else:
            self._run_child(branches, rounds, items, units, seed, keep, verified)

    def _measure(self, branches, rounds, items, units, seed, keep, verified):
        # The environment variable alone is no proof: refuse a database this command did
        # not make, whoever set RONGHE_BENCH_CHILD.
        name = str(settings.DATABASES["default"]["NAME"])
        made_here = (
            Path(name).parent.name.startswith("ronghe-bench-")
            if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
            else name.startswith("ronghe_bench_")
        )
        if not made_here:
            raise CommandError(f"{name} 不是基准测试创建的临时数据库，拒绝写入。")
        if self.charts:
            result = bench_charts.run(
                branches=branches,
                rounds=rounds,
                items=items,
                units=units or bench.default_units(branches),
                seed=seed,
                profile_to=self.profile,
                log=lambda message: self.stderr.write(f"bench: {message}"),
            )
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        result = bench.run(
            branches=branches,
            rounds=rounds,
            items=items,
            units=units,
            seed=seed,
            verified=verified,
            log=lambda message: self.stderr.write(f"bench: {message}"),
        )
        if keep:
            result["kept_database"] = name
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _run_child(self, branches, rounds, items, units, seed, keep, verified):
        postgres = self._postgres_database() if os.environ.get("DATABASE_URL") else None
        data_dir = tempfile.mkdtemp(prefix="ronghe-bench-")
        env = {**os.environ, CHILD_ENV: "1", "RONGHE_DATA_DIR": data_dir}
        # Timings as in production: DEBUG keeps every query in memory and slows each one.
        env["DJANGO_DEBUG"] = "0"
        env.setdefault("DJANGO_SECRET_KEY", "ronghe-bench-throwaway")
        if postgres:
            env["DATABASE_URL"] = postgres.url
        command = [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "bench_reports",
            f"--branches={branches}",
            f"--rounds={rounds}",
            f"--items={items}",
            f"--seed={seed}",
            f"--verified={verified}",
            *([f"--units={units}"] if units else []),
            *(["--keep"] if keep else []),
            *(["--charts"] if self.charts else []),
            *([f"--profile={Path(self.profile).resolve()}"] if self.profile else []),
        ]
        try:
            child = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
        finally:
            if keep:
                where = postgres.name if postgres else data_dir
                self.stderr.write(f"bench: 临时数据库已保留：{where}")
            else:
                shutil.rmtree(data_dir, ignore_errors=True)
                if postgres:
                    postgres.drop()
        if child.returncode != 0:
            raise CommandError(f"基准测试子进程失败（退出码 {child.returncode}），见上方输出。")
        self.stdout.write(child.stdout.rstrip("\n"))

    def _postgres_database(self):
        database = settings.DATABASES["default"]
        if "postgresql" not in database["ENGINE"]:
            raise CommandError(
                "DATABASE_URL 已设置，但不是 PostgreSQL；基准测试只支持 SQLite 和 PostgreSQL。"
            )
        return ThrowAwayPostgres(
            database, os.environ["DATABASE_URL"], f"ronghe_bench_{os.getpid()}"
        )


class ThrowAwayPostgres:
    """A database next to the configured one, created and dropped from the server's
    maintenance database, so the configured database itself is never connected to."""

    def __init__(self, database, url, name):
        self.name = name
        parts = urlsplit(url)
        self.url = urlunsplit(parts._replace(path="/" + name))
        self.params = {
            key: value
            for key, value in {
                "host": database.get("HOST"),
                "port": database.get("PORT"),
                "user": database.get("USER"),
                "password": database.get("PASSWORD"),
            }.items()
            if value
        }
        self._execute("CREATE DATABASE {}")

    def drop(self):
        self._execute("DROP DATABASE IF EXISTS {} WITH (FORCE)")

    def _execute(self, statement):
        import psycopg
        from psycopg import sql

        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as conn:
                conn.execute(sql.SQL(statement).format(sql.Identifier(self.name)))
        except psycopg.Error as error:
            raise CommandError(
                f"无法在 PostgreSQL 上创建或删除临时数据库 {self.name}：{error}"
            ) from error
