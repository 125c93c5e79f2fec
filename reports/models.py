"""Scores stored when a submission is submitted, so dashboards aggregate numbers in SQL
instead of re-reading every answer. Written only by reports/store.py."""

from django.db import models
from django.utils import timezone

# The reports features' models, re-exported so they share the one app label "reports".
from reports.business.models import BusinessResult as BusinessResult
from reports.jobs.models import ReportJob as ReportJob
from reports.rectification.models import RectificationTask as RectificationTask
from reports.rectification.models import TaskEvidence as TaskEvidence
from reports.rectification.models import TaskUpdate as TaskUpdate
from reports.warnings.models import WarningRules as WarningRules


class SubmissionScore(models.Model):
    submission = models.OneToOneField(
        "surveys.Submission", on_delete=models.CASCADE, related_name="score", primary_key=True
    )
    # Copied from the submission so that a round's dashboard is one GROUP BY without joins.
    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey("surveys.Branch", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("surveys.Unit", on_delete=models.CASCADE, related_name="+")
    index = models.FloatField("融合度指数", null=True)
    grade = models.CharField("等次", max_length=16, blank=True)
    cause_xuhua = models.FloatField("虚化", null=True)
    cause_ruohua = models.FloatField("弱化", null=True)
    cause_fenhua = models.FloatField("分化", null=True)
    main_cause = models.CharField("主要成因", max_length=16, blank=True)
    aspect_goal = models.FloatField("目标融合", null=True)
    aspect_mechanism = models.FloatField("机制融合", null=True)
    aspect_carrier = models.FloatField("载体融合", null=True)
    straightlined = models.BooleanField("疑似应付式作答", default=False)
    excluded = models.BooleanField("不计入统计", default=False)
    # The self-assessed numbers beside the counted ones: when the office has set a verified
    # value for any item (考评), index, grade and the dimension scores above are the verified
    # ones and `verified` is true; otherwise they equal the self-assessed ones.
    self_index = models.FloatField("自评融合度指数", null=True)
    self_grade = models.CharField("自评等次", max_length=16, blank=True)
    # Dimension code -> self-assessed score (None: 数据不足).
    self_dimensions = models.JSONField("自评分维度得分", default=dict)
    verified = models.BooleanField("已考评调整", default=False)
    scored_at = models.DateTimeField("计分时间", default=timezone.now)

    class Meta:
        verbose_name = "答卷得分"
        verbose_name_plural = "答卷得分"
        indexes = [models.Index(fields=["round", "unit"])]

    def __str__(self):
        return f"{self.submission} {self.index}"


class DimensionScore(models.Model):
    score_of = models.ForeignKey(
        SubmissionScore, on_delete=models.CASCADE, related_name="dimension_scores"
    )
    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("surveys.Unit", on_delete=models.CASCADE, related_name="+")
    dimension = models.ForeignKey("surveys.Dimension", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField("得分", null=True)

    class Meta:
        verbose_name = "维度得分"
        verbose_name_plural = "维度得分"
        constraints = [
            models.UniqueConstraint(fields=["score_of", "dimension"], name="dimension_score_once"),
        ]
        indexes = [models.Index(fields=["round", "unit", "dimension"])]

    def __str__(self):
        return f"{self.dimension_id}: {self.score}"


class UnitScore(models.Model):
    """A unit's means over its counted branches in one round (unit score = mean of its
    branches' scores, docs/scoring.md). Kept by reports/store.py whenever a score is stored or
    excluded, so a round's dashboard and its history read one row per unit and round."""

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("surveys.Unit", on_delete=models.CASCADE, related_name="+")
    index = models.FloatField("融合度指数", null=True)
    cause_xuhua = models.FloatField("虚化", null=True)
    cause_ruohua = models.FloatField("弱化", null=True)
    cause_fenhua = models.FloatField("分化", null=True)
    # Dimension code -> mean score (None: 数据不足); codes match across questionnaire versions.
    dimensions = models.JSONField("分维度得分", default=dict)
    branches_scored = models.PositiveIntegerField("参评支部数", default=0)
    straightlined = models.PositiveIntegerField("疑似应付式作答数", default=0)

    class Meta:
        verbose_name = "单位得分"
        verbose_name_plural = "单位得分"
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="unit_score_once"),
        ]

    def __str__(self):
        return f"{self.unit_id} @ {self.round_id}: {self.index}"


class ScoresVersion(models.Model):
    """One row whose number goes up in every transaction that changes stored scores (or
    what the reports show beside them). Cached pages and charts are keyed by it. A counter,
    not a timestamp: concurrent commits can finish out of timestamp order."""

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "统计数据版本"
        verbose_name_plural = "统计数据版本"

    def __str__(self):
        return str(self.value)


class Recommendation(models.Model):
    """A countermeasure from the report, shown when a dimension is weak or a cause is main.

    Texts are data, loaded from reports/recommendations.yaml and editable in the admin."""

    dimension_code = models.CharField("针对维度编码", max_length=32, blank=True)
    cause = models.CharField("针对成因", max_length=16, blank=True)
    title = models.CharField("对策", max_length=200)
    actions = models.TextField("具体举措（每行一条）")
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "对策建议"
        verbose_name_plural = "对策建议"
        constraints = [
            models.CheckConstraint(
                name="recommendation_has_target",
                condition=~models.Q(dimension_code="") | ~models.Q(cause=""),
                violation_error_message="请填写针对的维度或成因。",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def action_list(self):
        return [line.strip() for line in self.actions.splitlines() if line.strip()]
