"""Replace the database and the uploaded files with those of a backup archive."""

from django.core.management.base import BaseCommand, CommandError

from surveys.core.backup import BackupError, describe_time, read_manifest, restore_backup


class Command(BaseCommand):
    help = (
        "从 manage.py backup 写的归档恢复数据库和上传的文件。会替换当前的全部数据；"
        "先检查归档的清单和校验和，损坏或不是本系统的归档一律拒绝，不做任何改动。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份归档的路径（ronghe-….tar.gz）")
        parser.add_argument(
            "--yes",
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="不询问确认，直接恢复（供脚本使用）",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="只检查归档（清单、校验和、数据库文件）能否恢复，不做任何改动",
        )
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, archive, interactive, database, check, **options):
        try:
            manifest = read_manifest(archive)
        except BackupError as exc:
            raise CommandError(f"{exc}\n没有做任何改动。") from exc
        self.stdout.write(
            f"备份时间：{describe_time(manifest.get('created_at'))}，"
            f"数据库：{manifest['database']['vendor']}，"
            f"上传的文件：{manifest['media']['count']} 个，"
            f"系统版本：{manifest.get('app_version', '未知')}。"
        )
        if check:
            try:
                restore_backup(archive, using=database, check_only=True)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(self.style.SUCCESS("检查通过：这份备份完整，可以用来恢复。"))
            return
        if interactive:
            self.stdout.write(
                self.style.WARNING(
                    "警告：恢复会用这份备份替换当前的全部数据（数据库和上传的文件），"
                    "备份之后的所有填报和修改都将丢失，且无法撤销。"
                )
            )
            answer = input("确认恢复请输入 yes：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，没有做任何改动。")
        try:
            result = restore_backup(archive, using=database)
        except BackupError as exc:
            raise CommandError(f"{exc}\n没有做任何改动。") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复 {describe_time(result.created_at)} 的备份"
                f"（上传的文件 {result.media_files} 个）。"
            )
        )
        self.stdout.write(
            "请现在重启应用（每个 gunicorn 进程）：图表和看板数据在进程内缓存，"
            "恢复后数据版本号可能回到旧值，重启才能清空旧缓存。"
            "如果备份来自较早的版本，请先运行 manage.py migrate。"
        )
