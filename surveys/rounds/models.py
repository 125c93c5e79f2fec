"""A Round (测评批次) asks the branches on its roster (RosterEntry) to answer one questionnaire
version between two dates; a branch may have its own later deadline; Reminders record 催报."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class Round(models.Model):
    """An assessment round. Its status follows from the clock, so no job is needed."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "未开始"
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    name = models.CharField("批次名称", max_length=100)
    questionnaire = models.ForeignKey(
        "surveys.Questionnaire",
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name="问卷版本",
    )
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    branches = models.ManyToManyField(
        "surveys.Branch", through="RosterEntry", related_name="rounds", verbose_name="参评支部"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = "测评批次"
        verbose_name_plural = "测评批次"
        constraints = [
            models.CheckConstraint(
                name="round_closes_after_opens",
                condition=Q(closes_at__gt=models.F("opens_at")),
                violation_error_message="截止时间必须晚于开始时间。",
            ),
            # The last line of defence: the form and the service compare names with spaces
            # collapsed and case ignored and say so in Chinese before this is reached.
            models.UniqueConstraint(
                Lower("name"),
                name="round_name_unique",
                violation_error_message="已有同名的测评批次，请换一个名称。",
            ),
        ]

    def __str__(self):
        return self.name

    def status_at(self, now=None):
        now = now or timezone.now()
        if now < self.opens_at:
            return self.Status.SCHEDULED
        if now >= self.closes_at:
            return self.Status.CLOSED
        return self.Status.OPEN

    @property
    def status(self):
        return self.status_at()


def effective_closes_at():
    """A roster entry's deadline in SQL, as RosterEntry.closes_at computes it in Python:
    the branch's own deadline when it is later than the round's, else the round's.
    (Not GREATEST: SQLite's returns NULL when the override is NULL.)"""
    return models.Case(
        models.When(closes_at_override__gt=models.F("round__closes_at"), then="closes_at_override"),
        default=models.F("round__closes_at"),
    )


class RosterEntryQuerySet(models.QuerySet):
    def open_at(self, now):
        """Entries whose branch may save and submit at `now` (RosterEntry.is_open)."""
        return (
            self.filter(round__opens_at__lte=now)
            .alias(deadline=effective_closes_at())
            .filter(deadline__gt=now)
        )


class RosterEntry(models.Model):
    """A branch that must answer a round, with an optional deadline of its own.

    The branch's own deadline only ever extends: when the round's deadline is later (the
    whole round was extended past it), the round's applies, and the override is kept but
    no longer in force (see has_own_deadline)."""

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="roster")
    branch = models.ForeignKey(
        "surveys.Branch", on_delete=models.PROTECT, related_name="roster_entries"
    )
    closes_at_override = models.DateTimeField("单独截止时间", null=True, blank=True)
    override_reason = models.CharField("延期原因", max_length=200, blank=True)

    objects = RosterEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "参评支部"
        verbose_name_plural = "参评支部"
        constraints = [
            models.UniqueConstraint(fields=["round", "branch"], name="roster_round_branch"),
        ]

    def __str__(self):
        return f"{self.round} · {self.branch}"

    @property
    def closes_at(self):
        """The deadline in force for this branch: the later of its own and the round's."""
        if self.has_own_deadline:
            return self.closes_at_override
        return self.round.closes_at

    @property
    def has_own_deadline(self):
        """Whether the branch has a deadline of its own in force (单独延期)."""
        override = self.closes_at_override
        return override is not None and override > self.round.closes_at

    @property
    def override_superseded(self):
        """A deadline of its own that the round's deadline has since caught up with."""
        return self.closes_at_override is not None and not self.has_own_deadline

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.round.opens_at <= now < self.closes_at


class Reminder(models.Model):
    """A 催报 sent to a branch for a round. At most one per branch and round in 24 hours."""

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="reminders")
    branch = models.ForeignKey("surveys.Branch", on_delete=models.CASCADE, related_name="reminders")
    sent_by = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField("发送时间", default=timezone.now, db_index=True)
    recipient = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders"
    )
    email = models.CharField("邮件地址", max_length=254, blank=True)
    message = models.TextField("内容")

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "催报记录"
        verbose_name_plural = "催报记录"
        indexes = [models.Index(fields=["round", "branch", "sent_at"])]

    def __str__(self):
        return f"{self.round} · {self.branch} · {self.sent_at:%Y-%m-%d %H:%M}"
