from django.core.management.base import BaseCommand, CommandError

from reports.store import rescore_round
from surveys.rounds.models import Round


class Command(BaseCommand):
    help = "重新计算一个（或全部）测评批次的得分，并报告有变化的答卷。"

    def add_arguments(self, parser):
        parser.add_argument("round_ids", nargs="*", type=int, help="批次编号；省略时用 --all")
        parser.add_argument("--all", action="store_true", help="重新计算全部批次")

    def handle(self, *args, round_ids, all, **options):
        if not round_ids and not all:
            raise CommandError("请指定批次编号，或使用 --all 重新计算全部批次。")
        rounds = Round.objects.select_related("questionnaire").order_by("opens_at")
        if round_ids:
            rounds = rounds.filter(pk__in=round_ids)
            missing = set(round_ids) - {r.pk for r in rounds}
            if missing:
                raise CommandError(f"找不到批次：{sorted(missing)}")
        for round_ in rounds:
            report = rescore_round(round_)
            self.stdout.write(
                f"{round_.name}：重新计算 {report.scored} 份答卷，"
                f"{len(report.changed)} 份得分或等次有变化。"
            )
            for branch, old, new, old_grade, new_grade in report.changed[:50]:
                self.stdout.write(
                    f"  {branch}：{_fmt(old)}（{old_grade or '—'}）"
                    f" → {_fmt(new)}（{new_grade or '—'}）"
                )
            if len(report.changed) > 50:
                self.stdout.write(f"  ……另有 {len(report.changed) - 50} 份")


def _fmt(value):
    return "数据不足" if value is None else f"{value:.2f}"
