"""Evidence (佐证材料): files a branch secretary attaches to an answer.

A file belongs to the submission and the question, not to one version: `submitted_in` is the
first submitted version (snapshot number) that carried it and `removed_before` the first
that did not, so every snapshot keeps exactly the files it was submitted with and a return
and resubmission never loses one. Only a file no version was submitted with is deleted."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Evidence(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "照片"
        PDF = "pdf", "PDF"
        WORD = "docx", "Word"
        EXCEL = "xlsx", "Excel"

    submission = models.ForeignKey(
        "surveys.Submission", on_delete=models.CASCADE, related_name="evidence_files"
    )
    question = models.ForeignKey(
        "surveys.Question", on_delete=models.PROTECT, related_name="evidence_files"
    )
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    # The name on the secretary's phone, for display only; the stored name is random.
    original_name = models.CharField("原文件名", max_length=200)
    file = models.FileField("文件", upload_to="evidence/", max_length=200)
    thumbnail = models.FileField("缩略图", upload_to="evidence/", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    uploaded_by = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_in = models.PositiveIntegerField("首次随第几次提交", null=True, blank=True)
    removed_before = models.PositiveIntegerField("自第几次提交起移除", null=True, blank=True)

    class Meta:
        ordering = ["submission", "question", "uploaded_at", "id"]
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        constraints = [
            models.CheckConstraint(
                name="evidence_removed_after_submitted",
                condition=Q(removed_before__isnull=True)
                | (Q(submitted_in__isnull=False) & Q(removed_before__gt=models.F("submitted_in"))),
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.kind == self.Kind.IMAGE
