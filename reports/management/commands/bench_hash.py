"""Time one password hash before (PBKDF2 at Django's default iterations) and after (Argon2id
at OWASP's minimum, surveys/core/hashers.py), in the same run, and print JSON.

    python manage.py bench_hash [--repeat 5]

Each figure is the median of --repeat hashes of one password (what one login costs the
server). Nothing is written anywhere.
"""

import json
import statistics
import time

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management.base import BaseCommand

from surveys.core.hashers import RongheArgon2PasswordHasher

PASSWORD = "a-typical-password-2026"


def _median_ms(hasher, repeat):
    times = []
    for _ in range(repeat):
        salt = hasher.salt()
        start = time.perf_counter()
        hasher.encode(PASSWORD, salt)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)


def hash_timings(repeat=5):
    pbkdf2, argon2 = PBKDF2PasswordHasher(), RongheArgon2PasswordHasher()
    before = _median_ms(pbkdf2, repeat)
    after = _median_ms(argon2, repeat)
    return {
        "before": {"algorithm": pbkdf2.algorithm, "iterations": pbkdf2.iterations, "ms": before},
        "after": {
            "algorithm": f"argon2id m={argon2.memory_cost} KiB, t={argon2.time_cost}, "
            f"p={argon2.parallelism}",
            "ms": after,
        },
        "ratio": round(after / before, 3) if before else None,
        "repeat": repeat,
    }


class Command(BaseCommand):
    help = "测量一次密码哈希的耗时：PBKDF2（Django 默认）与 Argon2id（本系统采用），输出 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="每种算法哈希次数（取中位数）")

    def handle(self, *args, repeat, **options):
        self.stdout.write(json.dumps(hash_timings(max(1, repeat)), indent=2))
