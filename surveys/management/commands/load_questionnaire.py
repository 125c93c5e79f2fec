"""Load a questionnaire file (default: the standard instrument). Safe to run on every start."""

from django.core.management.base import BaseCommand, CommandError

from surveys.questionnaires.instrument import InstrumentError, LoadResult, load_instrument

MESSAGES = {
    LoadResult.CREATED: "已载入",
    LoadResult.UPDATED: "已更新",
    LoadResult.UNCHANGED: "未变化",
}


class Command(BaseCommand):
    help = (
        "载入问卷文件（默认为标准问卷 surveys/questionnaires/instruments/standard.yaml）。"
        "重复执行不会产生重复数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="问卷 YAML 文件路径（可不填）")

    def handle(self, *args, path=None, **options):
        try:
            result = load_instrument(path)
        except InstrumentError as exc:
            raise CommandError(str(exc)) from None
        q = result.questionnaire
        self.stdout.write(
            f"{MESSAGES[result.status]}：{q.title}（{q.code} 第{q.version}版，"
            f"{q.dimensions.count()} 个维度、{q.questions.count()} 道题）。"
        )
