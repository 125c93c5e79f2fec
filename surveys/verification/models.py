"""Verification (考评), publication (公示) and appeal (申诉) of a round's submissions.

The office checks a submitted version item by item and may set a verified value with a
reason. A Verification belongs to one submitted version (snapshot `number`), so every
version keeps its own and a resubmission starts unverified. Its `version` is the office's
optimistic lock: two staff saving the same review at once cannot overwrite each other."""

import datetime as dt

from django.db import models
from django.utils import timezone

from surveys.evidence.models import Evidence
from surveys.submissions.models import Submission

# 自评偏高: self-assessed index above the verified index by more than this many points, unless
# the round's publication row says otherwise.
DEFAULT_OVERCLAIM_MARGIN = 10.0
DEFAULT_APPEAL_DAYS = 5


class Verification(models.Model):
    submission = models.ForeignKey(
        "surveys.Submission", on_delete=models.CASCADE, related_name="verifications"
    )
    number = models.PositiveIntegerField("第几次提交")
    version = models.PositiveIntegerField("考评版本", default=0)
    updated_at = models.DateTimeField("考评时间", default=timezone.now)
    updated_by = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "考评"
        verbose_name_plural = "考评"
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="verification_once"),
        ]

    def __str__(self):
        return f"{self.submission} · 第{self.number}次提交的考评"


class VerifiedAnswer(models.Model):
    """The office's value for one item, as JSON like a snapshot's ("NA" for 不适用)."""

    verification = models.ForeignKey(Verification, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey("surveys.Question", on_delete=models.PROTECT, related_name="+")
    value = models.JSONField("考评值")
    reason = models.TextField("考评依据")
    verified_at = models.DateTimeField("考评时间", default=timezone.now)
    verified_by = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "考评值"
        verbose_name_plural = "考评值"
        constraints = [
            models.UniqueConstraint(
                fields=["verification", "question"], name="verified_answer_once"
            ),
            models.CheckConstraint(
                name="verified_answer_has_reason",
                condition=~models.Q(reason=""),
                violation_error_message="请填写考评依据。",
            ),
        ]

    def __str__(self):
        return f"{self.verification_id}:{self.question_id}={self.value}"


class RoundPublication(models.Model):
    """A round under verification (the row exists) and, once published, when and by whom.

    Until `published_at` is set the branches' reports say 等待公示."""

    round = models.OneToOneField(
        "surveys.Round", on_delete=models.CASCADE, related_name="verification_publication"
    )
    appeal_days = models.PositiveSmallIntegerField("申诉期（天）", default=DEFAULT_APPEAL_DAYS)
    overclaim_margin = models.FloatField("自评偏高阈值（分）", default=DEFAULT_OVERCLAIM_MARGIN)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "考评公示"
        verbose_name_plural = "考评公示"

    def __str__(self):
        return f"{self.round} · 公示"

    @property
    def appeals_close_at(self):
        if self.published_at is None:
            return None
        return self.published_at + dt.timedelta(days=self.appeal_days)

    def appeals_open(self, now=None) -> bool:
        """May a branch still lodge an appeal? Only after publication, within the window."""
        if self.published_at is None:
            return False
        return (now or timezone.now()) < self.appeals_close_at

    def results_locked(self, now=None) -> bool:
        """Locked once published, no appeal waits for a decision, and either the appeal
        window has closed or every submitted submission's one appeal has been decided."""
        if self.pk is None or self.published_at is None:
            return False
        appeals = Appeal.objects.filter(submission__round_id=self.round_id)
        if appeals.filter(status=Appeal.Status.OPEN).exists():
            return False
        if not self.appeals_open(now):
            return True
        unappealed = Submission.objects.filter(
            round_id=self.round_id, status=Submission.Status.SUBMITTED, appeal__isnull=True
        )
        return not unappealed.exists()


class Appeal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "维持"
        ADJUSTED = "adjusted", "调整"

    submission = models.OneToOneField(
        "surveys.Submission", on_delete=models.CASCADE, related_name="appeal"
    )
    number = models.PositiveIntegerField("申诉的提交版本")
    text = models.TextField("申诉理由")
    lodged_at = models.DateTimeField("申诉时间", default=timezone.now)
    lodged_by = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField("处理结果", max_length=16, choices=Status.choices, default="open")
    decision_reason = models.TextField("处理理由", blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "申诉"
        verbose_name_plural = "申诉"

    def __str__(self):
        return f"{self.submission} · 申诉（{self.get_status_display()}）"


class AppealEvidence(models.Model):
    """A file (佐证材料) lodged with an appeal: a photo, a PDF, a Word or Excel file.

    Checked and processed like a questionnaire answer's evidence (surveys/evidence/files.py);
    stored under a random name and served only through a permission-checked view."""

    Kind = Evidence.Kind

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    # The name on the secretary's phone, for display only; the stored name is random.
    original_name = models.CharField("原文件名", max_length=200)
    file = models.FileField("文件", upload_to="appeals/", max_length=200)
    thumbnail = models.FileField("缩略图", upload_to="appeals/", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "申诉佐证材料"
        verbose_name_plural = "申诉佐证材料"
        ordering = ["appeal", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.kind == self.Kind.IMAGE
