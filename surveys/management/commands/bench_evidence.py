"""manage.py bench_evidence: upload and thumbnail time for a 5 MB phone photo (printed)."""

from django.core.management.base import BaseCommand

from surveys.evidence import bench


class Command(BaseCommand):
    help = "佐证材料：处理一张约 5 MB 手机照片（校验、转正、去除位置信息、缩小、缩略图）所需时间。"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, runs, **options):
        bench.run(runs=runs, stdout=self.stdout)
