"""A Questionnaire version (问卷) with its Dimensions (维度), Questions (题目) and grade bands.
A version is data: editable by the office until a round uses it, frozen after."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class CauseTag(models.TextChoices):
    HOLLOWED = "xuhua", "虚化"
    WEAKENED = "ruohua", "弱化"
    SPLIT = "fenhua", "分化"


class AspectTag(models.TextChoices):
    GOAL = "goal", "目标融合"
    MECHANISM = "mechanism", "机制融合"
    CARRIER = "carrier", "载体融合"


class Questionnaire(models.Model):
    """One version of an instrument. Frozen once a round uses it."""

    code = models.CharField("问卷编码", max_length=32)
    version = models.PositiveIntegerField("版本号")
    title = models.CharField("问卷名称", max_length=200)
    description = models.TextField("说明", blank=True)
    min_answered_ratio = models.FloatField(
        "维度最低作答比例",
        default=0.5,
        help_text="某维度作答的计分题少于此比例时，该维度记为“数据不足”。",
    )
    source_sha256 = models.CharField("来源文件摘要", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    cloned_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clones",
        verbose_name="复制自",
    )
    # The pairwise-comparison matrix the dimension weights were last derived from (AHP).
    ahp_matrix = models.JSONField("层次分析判断矩阵", null=True, blank=True)
    ahp_cr = models.FloatField("一致性比率 CR", null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = "问卷"
        verbose_name_plural = "问卷"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_code_version"),
            models.CheckConstraint(
                name="questionnaire_ratio_range",
                condition=Q(min_answered_ratio__gt=0) & Q(min_answered_ratio__lte=1),
            ),
        ]

    def __str__(self):
        return f"{self.title}（第{self.version}版）"

    @property
    def is_frozen(self):
        return self.rounds.exists()


class GradeBand(models.Model):
    """Lower bound of a grade: a score ≥ min_score and below the next band gets this label."""

    questionnaire = models.ForeignKey(
        "surveys.Questionnaire", on_delete=models.CASCADE, related_name="grade_bands"
    )
    label = models.CharField("等次", max_length=16)
    min_score = models.FloatField("最低分")

    class Meta:
        ordering = ["questionnaire", "-min_score"]
        verbose_name = "等次划分"
        verbose_name_plural = "等次划分"
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "label"], name="grade_label_unique"),
            models.CheckConstraint(
                name="grade_min_range", condition=Q(min_score__gte=0) & Q(min_score__lte=100)
            ),
        ]

    def __str__(self):
        return f"{self.label} ≥ {self.min_score:g}"


class Dimension(models.Model):
    questionnaire = models.ForeignKey(
        "surveys.Questionnaire", on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.CharField("维度编码", max_length=32)
    name = models.CharField("维度名称", max_length=100)
    problem = models.CharField("对应问题", max_length=100, blank=True)
    description = models.TextField("说明", blank=True)
    weight = models.FloatField("权重", default=1.0)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["questionnaire", "order", "id"]
        verbose_name = "维度"
        verbose_name_plural = "维度"
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="dimension_code_unique"),
            models.CheckConstraint(name="dimension_weight_positive", condition=Q(weight__gt=0)),
        ]

    def __str__(self):
        return self.name


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", "五级量表"
        YES_NO = "yes_no", "是/否"
        NUMBER = "number", "数值"
        CHOICE = "choice", "单选"
        TEXT = "text", "文字"

    class Evidence(models.TextChoices):
        """Whether the secretary attaches 佐证材料 (photos, minutes, documents) to the answer."""

        NONE = "none", "不需要"
        ALLOWED = "allowed", "可上传"
        REQUIRED = "required", "必须上传"

    SCORED_KINDS = (Kind.LIKERT, Kind.YES_NO, Kind.NUMBER, Kind.CHOICE)
    LIKERT_LABELS = {1: "完全不符合", 2: "比较不符合", 3: "一般", 4: "比较符合", 5: "完全符合"}

    questionnaire = models.ForeignKey(
        "surveys.Questionnaire", on_delete=models.CASCADE, related_name="questions"
    )
    dimension = models.ForeignKey(
        "surveys.Dimension", on_delete=models.CASCADE, related_name="questions", verbose_name="维度"
    )
    code = models.CharField("题目编码", max_length=32)
    text = models.TextField("题目")
    help_text = models.TextField("填写说明", blank=True)
    kind = models.CharField("题型", max_length=16, choices=Kind.choices)
    reverse_keyed = models.BooleanField("反向计分", default=False)
    weight = models.FloatField("权重", default=1.0)
    cause = models.CharField("成因", max_length=16, choices=CauseTag.choices, blank=True)
    aspect = models.CharField("融合方面", max_length=16, choices=AspectTag.choices, blank=True)
    # Number items: [{"min": 0, "score": 0}, {"min": 4, "score": 100}] — a value ≥ min
    # gets that score (the highest matching band wins).
    bands = models.JSONField("数值分档", default=list, blank=True)
    # Single-choice items: [{"value": "a", "label": "…", "score": 100}].
    choices = models.JSONField("选项", default=list, blank=True)
    unit_label = models.CharField("单位", max_length=16, blank=True)
    max_value = models.PositiveIntegerField("最大值", null=True, blank=True)
    required = models.BooleanField("必答", default=True)
    allow_na = models.BooleanField("允许“不适用”", default=False)
    evidence = models.CharField(
        "佐证材料", max_length=16, choices=Evidence.choices, default=Evidence.NONE
    )
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["questionnaire", "dimension__order", "order", "id"]
        verbose_name = "题目"
        verbose_name_plural = "题目"
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique"),
            models.CheckConstraint(name="question_weight_positive", condition=Q(weight__gt=0)),
            models.CheckConstraint(
                name="question_scored_has_tags",
                condition=Q(kind="text") | (~Q(cause="") & ~Q(aspect="")),
                violation_error_message="计分题必须标注成因和融合方面。",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:30]}"

    @property
    def takes_evidence(self):
        return self.evidence != self.Evidence.NONE

    @property
    def is_scored(self):
        return self.kind in self.SCORED_KINDS
