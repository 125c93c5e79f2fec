"""The warning rules the office sets for a round (the defaults of reports.warnings.rules
apply to a round without a row)."""

from django.db import models

from reports.warnings import rules


class WarningRules(models.Model):
    round = models.OneToOneField(
        "surveys.Round", on_delete=models.CASCADE, related_name="warning_rules", primary_key=True
    )
    red_grades = models.CharField(
        "红灯等次", max_length=64, blank=True, default="差", help_text="用顿号或逗号分隔，如“差”"
    )
    red_both_weak = models.BooleanField("双弱亮红灯", default=True)
    falls = models.PositiveSmallIntegerField(
        "连续下降几轮亮黄灯", default=2, help_text="0 表示不按下降亮灯"
    )
    dimension_floor = models.FloatField(
        "维度低于此分亮黄灯", null=True, blank=True, default=60.0, help_text="留空表示不按维度亮灯"
    )
    self_high_margin = models.FloatField(
        "自评高出其他评价超过此分亮黄灯",
        null=True,
        blank=True,
        default=10.0,
        help_text="留空表示不按自评偏高亮灯",
    )

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"

    def __str__(self):
        return f"预警规则 {self.round_id}"

    def as_rules(self) -> rules.Rules:
        listed = self.red_grades.replace("，", ",").replace("、", ",").split(",")
        grades = tuple(g.strip() for g in listed if g.strip())
        return rules.Rules(
            red_grades=grades,
            red_both_weak=self.red_both_weak,
            falls=self.falls,
            dimension_floor=self.dimension_floor,
            self_high_margin=self.self_high_margin,
        )
