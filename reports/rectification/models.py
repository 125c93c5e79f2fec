"""Rectification tasks (整改): what the office asks a branch or a unit to put right after a
round, by when, linked to the weak items or dimension it is about, and the progress reported
back by the branch secretaries."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from surveys.evidence.models import Evidence


class RectificationTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "未开始"
        IN_PROGRESS = "in_progress", "整改中"
        DONE = "done", "已完成"

    round = models.ForeignKey(
        "surveys.Round",
        on_delete=models.CASCADE,
        related_name="rectification_tasks",
        verbose_name="依据批次",
    )
    unit = models.ForeignKey(
        "surveys.Unit", on_delete=models.CASCADE, related_name="+", verbose_name="单位"
    )
    # Empty: the task is the whole unit's, and every secretary of the unit sees it.
    branch = models.ForeignKey(
        "surveys.Branch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="党支部",
    )
    title = models.CharField("整改事项", max_length=200)
    detail = models.TextField("具体要求", blank=True, max_length=4000)
    due_date = models.DateField("完成时限")
    dimension_code = models.CharField("关联维度", max_length=32, blank=True)
    question_codes = models.JSONField("关联题目", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("下达时间", default=timezone.now)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "整改任务"
        verbose_name_plural = "整改任务"
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self):
        return self.title

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status != self.Status.DONE and self.due_date < today


class TaskUpdate(models.Model):
    """One progress report on a task, kept in order: the task's history."""

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    note = models.TextField("进展说明", max_length=4000)
    status = models.CharField("报告后状态", max_length=16, choices=RectificationTask.Status.choices)

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.task_id} {self.status}"


class TaskEvidence(models.Model):
    """A file (佐证材料) sent with a progress report: a photo, a PDF, a Word or Excel file.

    Checked and processed like a questionnaire answer's evidence (surveys/evidence/files.py);
    stored under a random name and served only through a permission-checked view."""

    Kind = Evidence.Kind

    update = models.ForeignKey(TaskUpdate, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    # The name on the secretary's phone, for display only; the stored name is random.
    original_name = models.CharField("原文件名", max_length=200)
    file = models.FileField("文件", upload_to="rectification/", max_length=200)
    thumbnail = models.FileField("缩略图", upload_to="rectification/", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "整改佐证材料"
        verbose_name_plural = "整改佐证材料"
        ordering = ["update", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.kind == self.Kind.IMAGE
