"""Back up the database and the uploaded files into one timestamped archive."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from surveys.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "备份数据库和上传的文件，写成一个带时间戳的归档（ronghe-年月日-时分秒.tar.gz），"
        "应用运行时也可以执行；只保留最新的若干份。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", dest="directory", help="备份写到哪个目录（默认为 settings.BACKUP_DIR）"
        )
        parser.add_argument(
            "--keep", type=int, default=14, help="保留最新的几份备份，更早的删除（默认 14）"
        )
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, directory, keep, database, **options):
        try:
            result = create_backup(
                directory=directory or settings.BACKUP_DIR, keep=keep, using=database
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[result.vendor]
        self.stdout.write(f"已写入备份：{result.path}")
        self.stdout.write(
            f"  数据库（{vendor}）{result.database_bytes:,} 字节，"
            f"上传的文件 {result.media_files} 个，归档共 {result.path.stat().st_size:,} 字节。"
        )
        if result.deleted:
            self.stdout.write(f"按保留份数（{keep}）删除了 {len(result.deleted)} 份旧备份：")
            for path in result.deleted:
                self.stdout.write(f"  {path.name}")
