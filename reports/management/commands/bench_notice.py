"""Time the Word 通报 and the free-text keywords on a synthetic county, in a throw-away
SQLite database (never the configured one), and print the timings as JSON:

    python manage.py bench_notice --branches 10000

Like bench_reports, the command starts itself again as a child whose RONGHE_DATA_DIR is a new
temporary directory; only the child builds the county (reports.bench.build, the standard
questionnaire) and measures. Printed, not asserted.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from reports import bench
from reports.notice.docx import build_notice
from reports.store import rescore_round
from reports.terms.extract import top_terms, words
from reports.terms.groups import term_groups
from reports.terms.selectors import round_text_answers

CHILD_ENV = "RONGHE_BENCH_NOTICE_CHILD"
# Free text of the kind secretaries write, two phrases an answer (the demo's own phrases live
# in surveys.demo, which reports may not import).
PHRASES = [
    "把学习党的创新理论作为支委会第一议题，学后结合业务谈落实",
    "用好“研讨课堂”“现场课堂”，把学习课堂搬到项目现场",
    "学习形式较单一，念文件、读报纸的情况仍然存在",
    "个别党员认为学习是“软指标”，重业务轻学习",
    "主题党日与业务工作同安排，开展“党员进项目”活动",
    "组织生活重记录、轻效果，存在“留痕不留心”现象",
    "“一岗双责”落实不够到位，党建与业务各行其是",
    "压实“一岗双责”，党建和业务同部署、同考核",
    "设立党员先锋岗、示范岗，在窗口和项目一线亮身份",
    "探索“党建+N”模式，与项目所在村党支部联建共建",
    "部分党员满足于不出错，主动担当意识不强",
    "“三会一课”前征集业务难题，会上集体研究",
]


def _ms(start):
    return round((time.perf_counter() - start) * 1000, 1)


class Command(BaseCommand):
    help = "在临时数据库中生成模拟数据，测量生成 Word 通报和文字答案关键词的耗时（输出 JSON）。"

    def add_arguments(self, parser):
        parser.add_argument("--branches", type=int, default=10000, help="党支部数（默认 10000）")
        parser.add_argument("--seed", type=int, default=2026, help="随机数种子（默认 2026）")

    def handle(self, *args, branches, seed, **options):
        if branches < 1:
            raise CommandError("--branches 至少为 1。")
        if os.environ.get(CHILD_ENV) == "1":
            self._measure(branches, seed)
        else:
            self._run_child(branches, seed)

    def _measure(self, branches, seed):
        name = str(settings.DATABASES["default"]["NAME"])
        if not Path(name).parent.name.startswith("ronghe-bench-notice-"):
            raise CommandError(f"{name} 不是基准测试创建的临时数据库，拒绝写入。")
        log = self.stderr.write
        call_command("migrate", verbosity=0, interactive=False)
        log("bench_notice: building the county")
        county = bench.build(
            branches=branches, rounds=1, items=0, units=bench.default_units(branches), seed=seed
        )
        round_ = county.rounds[-1]
        rescore_round(round_)
        result = {"branches": branches}
        # Keywords, pure: 10,000 answers of every kind, from the demo's varied phrases.
        rng = random.Random(seed)
        texts = ["；".join(rng.sample(PHRASES, 2)) + "。" for _ in range(branches)]
        start = time.perf_counter()
        words("载入词典")  # jieba loads its dictionary once per process
        result["terms_dictionary_load_ms"] = _ms(start)
        start = time.perf_counter()
        top_terms(texts)
        result["terms_pure_ms"] = _ms(start)
        result["terms_pure_texts"] = len(texts)
        # Keywords through the page's selector and groups (the synthetic texts of the round).
        start = time.perf_counter()
        answers = round_text_answers(round_)
        result["terms_select_ms"] = _ms(start)
        start = time.perf_counter()
        term_groups(answers)
        result["terms_groups_ms"] = _ms(start)
        result["terms_answers"] = len(answers)
        log("bench_notice: building the 通报")
        start = time.perf_counter()
        body = build_notice(round_)
        result["notice_ms"] = _ms(start)
        result["notice_bytes"] = len(body)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _run_child(self, branches, seed):
        data_dir = tempfile.mkdtemp(prefix="ronghe-bench-notice-")
        env = {**os.environ, CHILD_ENV: "1", "RONGHE_DATA_DIR": data_dir, "DJANGO_DEBUG": "0"}
        env.pop("DATABASE_URL", None)  # always a throw-away SQLite file
        env.setdefault("DJANGO_SECRET_KEY", "ronghe-bench-throwaway")
        command = [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "bench_notice",
            f"--branches={branches}",
            f"--seed={seed}",
        ]
        try:
            child = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
        if child.returncode != 0:
            raise CommandError(f"基准测试子进程失败（退出码 {child.returncode}），见上方输出。")
        self.stdout.write(child.stdout.rstrip("\n"))
