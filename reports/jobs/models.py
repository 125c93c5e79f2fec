"""Long jobs run by a background worker (django-tasks): what was asked for, how far it has
got, and the file it made. Written only by reports/jobs/services.py."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    # One of reports/jobs/kinds.py's KINDS (round_pdf, …).
    kind = models.CharField("类型", max_length=32)
    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="+")
    # The parameters the job was asked with, and their canonical digest: two starts with the
    # same kind, round and params_key are the same job.
    params = models.JSONField("参数", default=dict, blank=True)
    params_key = models.CharField(max_length=64)
    # ScoresVersion.value when the job was asked for: its file shows the data as of then.
    data_version = models.PositiveBigIntegerField("数据版本")
    status = models.CharField("状态", max_length=16, choices=Status, default=Status.QUEUED)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    error = models.TextField("失败原因", blank=True)
    # A name in the default storage; served only by the office's permission-checked view.
    file = models.CharField("文件", max_length=255, blank=True)
    filename = models.CharField("下载文件名", max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    # What a finished job did, in Chinese for its page (a reminder job: how many were sent).
    summary = models.TextField("结果说明", blank=True)
    task_id = models.CharField("后台任务编号", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    # Moved on with every progress step: a running job that stops moving was interrupted.
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("文件过期时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The join: at most one queued-or-running job per kind, round and parameters, so
            # two clicks at once make one job (the second insert fails and joins the first).
            models.UniqueConstraint(
                fields=["kind", "round", "params_key"],
                condition=models.Q(status__in=["queued", "running"]),
                name="report_job_one_active",
                violation_error_message="该任务已在进行中。",
            ),
            models.CheckConstraint(
                name="report_job_done_le_total",
                condition=models.Q(done__lte=models.F("total")),
                violation_error_message="已完成数不能超过总数。",
            ),
        ]
        indexes = [models.Index(fields=["kind", "round", "params_key", "-created_at"])]

    def __str__(self):
        return f"{self.kind} @ {self.round_id}: {self.get_status_display()}"

    @property
    def active(self):
        return self.status in self.ACTIVE

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 0

    def expired(self, now=None):
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
