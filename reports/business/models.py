"""The county's business-performance assessment (业务绩效) of each unit, per round, as the
office imports it: the other half of "以业务成效检验党建成效"."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class BusinessResult(models.Model):
    round = models.ForeignKey(
        "surveys.Round", on_delete=models.CASCADE, related_name="business_results"
    )
    unit = models.ForeignKey("surveys.Unit", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField("业务考核得分")
    full_mark = models.FloatField("满分", default=100.0)
    rank = models.PositiveIntegerField("业务考核名次", null=True, blank=True)
    grade = models.CharField("业务考核等次", max_length=16, blank=True)
    imported_at = models.DateTimeField("导入时间", default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "业务绩效"
        verbose_name_plural = "业务绩效"
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="business_result_once"),
            models.CheckConstraint(
                condition=models.Q(full_mark__gt=0)
                & models.Q(score__gte=0)
                & models.Q(score__lte=models.F("full_mark")),
                name="business_score_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.unit_id}: {self.score}/{self.full_mark}"

    @property
    def percent(self) -> float:
        """The score on 0–100, whatever the full mark (U₂ × 100 of docs/coupling.md)."""
        return self.score / self.full_mark * 100.0
