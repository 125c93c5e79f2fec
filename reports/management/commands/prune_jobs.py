"""Delete background jobs whose files have expired (RONGHE_JOB_FILE_HOURS after they
finished), their files first. Run it daily (cron or a systemd timer); see docs/deployment.md."""

from django.core.management.base import BaseCommand

from reports.jobs.services import job_prune


class Command(BaseCommand):
    help = "删除已过期的后台任务及其生成的文件。"

    def handle(self, *args, **options):
        count = job_prune()
        self.stdout.write(f"已删除 {count} 个过期的后台任务。")
