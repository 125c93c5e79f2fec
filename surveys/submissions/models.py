"""A Submission (答卷): one branch's answers to one round, its Answers (one per Question) and
the snapshot of each submitted version."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"

    round = models.ForeignKey("surveys.Round", on_delete=models.PROTECT, related_name="submissions")
    branch = models.ForeignKey(
        "surveys.Branch", on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Optimistic locking: every save bumps it; a save carrying an older number is stale.
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    updated_by = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        "surveys.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提交人",
    )
    return_reason = models.TextField("退回原因", blank=True)

    class Meta:
        ordering = ["round", "branch"]
        verbose_name = "答卷"
        verbose_name_plural = "答卷"
        # The dashboard counts a round's submitted submissions from the index alone.
        indexes = [models.Index(fields=["round", "status"], name="submission_round_status")]
        constraints = [
            models.UniqueConstraint(fields=["round", "branch"], name="submission_round_branch"),
            models.CheckConstraint(
                name="submission_submitted_has_time",
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.round} · {self.branch}"

    @property
    def is_editable_status(self):
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Answer(models.Model):
    """One value per question. Which column holds it depends on the question's kind."""

    submission = models.ForeignKey(
        "surveys.Submission", on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        "surveys.Question", on_delete=models.PROTECT, related_name="answers"
    )
    likert = models.PositiveSmallIntegerField(null=True, blank=True)
    flag = models.BooleanField(null=True, blank=True)
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    choice = models.CharField(max_length=32, blank=True)
    text = models.TextField(blank=True)
    not_applicable = models.BooleanField("不适用", default=False)

    class Meta:
        verbose_name = "答案"
        verbose_name_plural = "答案"
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"], name="answer_submission_question"
            ),
            models.CheckConstraint(
                name="answer_likert_range",
                condition=Q(likert__isnull=True) | (Q(likert__gte=1) & Q(likert__lte=5)),
            ),
            models.CheckConstraint(
                name="answer_number_nonnegative",
                condition=Q(number__isnull=True) | Q(number__gte=0),
            ),
            models.CheckConstraint(
                name="answer_na_has_no_value",
                condition=Q(not_applicable=False)
                | (
                    Q(likert__isnull=True)
                    & Q(flag__isnull=True)
                    & Q(number__isnull=True)
                    & Q(choice="")
                ),
            ),
        ]

    def __str__(self):
        return f"{self.submission_id}:{self.question_id}"


class SubmissionSnapshot(models.Model):
    """A copy of the answers as submitted. Nothing a branch ever submitted is lost."""

    submission = models.ForeignKey(
        "surveys.Submission", on_delete=models.CASCADE, related_name="snapshots"
    )
    number = models.PositiveIntegerField("第几次提交")
    submitted_at = models.DateTimeField("提交时间")
    submitted_by = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answers = models.JSONField("答案")

    class Meta:
        ordering = ["submission", "number"]
        verbose_name = "提交记录"
        verbose_name_plural = "提交记录"
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="snapshot_number"),
        ]

    def __str__(self):
        return f"{self.submission} · 第{self.number}次提交"
