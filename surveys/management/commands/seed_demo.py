"""Create the demo county (units, branches, accounts, rounds, answers). Safe to run twice."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from surveys.demo.seed import demo_logins, seed_demo


class Command(BaseCommand):
    help = "创建演示县数据：约 25 个单位、60 个党支部、4 个测评批次及答卷。已存在时不作改动。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--reset", action="store_true", help="删除已有的演示数据后重新创建")

    def handle(self, *args, seed, reset, **options):
        # The demo accounts share a published password; never create them in production.
        if not (settings.RONGHE_DEMO or settings.DEBUG):
            raise CommandError(
                "演示数据只能在演示模式下创建：请设置环境变量 RONGHE_DEMO=1 后再运行。"
            )
        result = seed_demo(seed=seed, stdout=self.stdout, reset=reset)
        self.stdout.write(
            f"演示县共有 {result['units']} 个单位、{result['branches']} 个党支部、"
            f"{result['rounds']} 个测评批次、{result['submissions']} 份答卷"
            f"（已提交 {result['submitted']} 份，草稿 {result['drafts']} 份）。"
        )
        self.stdout.write("")
        self.stdout.write("演示账号：")
        for username, who in demo_logins():
            self.stdout.write(f"  {username:<10} {who}")
        self.stdout.write(f"所有演示账号的密码均为：{settings.RONGHE_DEMO_PASSWORD}")
