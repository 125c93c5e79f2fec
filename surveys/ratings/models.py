"""Other voices beside the secretary's self-assessment: 党员评议 (a branch's Party members) and
群众评议 (the people a unit serves), answered anonymously with one-time codes.

Anonymity follows EvaP's model (docs/anonymity.md): a RaterCode records only *that* it was
used; what was answered (RaterResponse, RaterAnswer, RaterComment) carries no code, user, IP,
session or time, and has random UUID keys, so neither a column nor the order of ids links an
answer to a code or to the moment it arrived. A code is stored only as a keyed hash.
"""

import uuid

from django.db import models
from django.db.models import Q

from surveys.questionnaires.models import CauseTag


class Audience(models.TextChoices):
    MEMBERS = "members", "党员评议"
    PUBLIC = "public", "群众评议"


class RaterQuestionnaire(models.Model):
    """One version of a rater questionnaire (instruments/*.yaml), frozen once a group uses it."""

    code = models.CharField("问卷编码", max_length=32)
    version = models.PositiveIntegerField("版本号")
    audience = models.CharField("评议类型", max_length=16, choices=Audience.choices)
    title = models.CharField("问卷名称", max_length=200)
    description = models.TextField("问卷说明", blank=True)
    sha256 = models.CharField("文件摘要", max_length=64, blank=True)

    class Meta:
        ordering = ["audience", "code", "-version"]
        verbose_name = "评议问卷"
        verbose_name_plural = "评议问卷"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="rater_questionnaire_version")
        ]

    def __str__(self):
        return f"{self.title}（第{self.version}版）"


class RaterItem(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", "五级量表"
        SATISFACTION = "satisfaction", "总体满意度"
        TEXT = "text", "文字"

    questionnaire = models.ForeignKey(
        RaterQuestionnaire, on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField("题目编码", max_length=32)
    order = models.PositiveIntegerField("顺序")
    text = models.CharField("题目内容", max_length=500)
    kind = models.CharField("题型", max_length=16, choices=Kind.choices)
    # The main instrument's dimension code (xueyong / zuzhi / huoli) and name, so the raters'
    # scores sit beside the self-assessment's dimension by dimension.
    dimension_code = models.CharField("维度编码", max_length=32, blank=True)
    dimension_name = models.CharField("维度名称", max_length=100, blank=True)
    cause = models.CharField("成因", max_length=16, choices=CauseTag.choices, blank=True)
    reverse = models.BooleanField("反向计分", default=False)
    required = models.BooleanField("必答", default=True)

    class Meta:
        ordering = ["questionnaire", "order"]
        verbose_name = "评议题目"
        verbose_name_plural = "评议题目"
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="rater_item_code"),
            models.CheckConstraint(
                name="rater_scale_item_tagged",
                condition=~Q(kind="scale") | (~Q(dimension_code="") & ~Q(cause="")),
                violation_error_message="计分题必须标注维度和成因。",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"


class RatingSettings(models.Model):
    """A round's rater settings: how many raters a group needs before its results show."""

    round = models.OneToOneField(
        "surveys.Round", on_delete=models.CASCADE, related_name="rating_settings"
    )
    min_raters = models.PositiveSmallIntegerField("最少评议人数", default=5)
    # The composite index: how much each source counts (percent, summing to 100).
    weight_self = models.PositiveSmallIntegerField("自评权重", default=30)
    weight_members = models.PositiveSmallIntegerField("党员评议权重", default=40)
    weight_public = models.PositiveSmallIntegerField("群众评议权重", default=30)
    # 自评偏高 when the self-assessment exceeds another source by more than this (points).
    gap_margin = models.FloatField("自评偏高阈值", default=10)

    class Meta:
        verbose_name = "评议设置"
        verbose_name_plural = "评议设置"
        constraints = [
            models.CheckConstraint(
                name="rating_min_raters_at_least_2",
                condition=Q(min_raters__gte=2),
                violation_error_message="最少评议人数不能少于 2 人。",
            ),
            models.CheckConstraint(
                name="rating_weights_sum_100",
                condition=Q(
                    weight_self__gte=0,
                    weight_members__gte=0,
                    weight_public__gte=0,
                )
                & Q(weight_self=100 - models.F("weight_members") - models.F("weight_public")),
                violation_error_message="三方权重之和必须为 100。",
            ),
            models.CheckConstraint(
                name="rating_gap_margin_range",
                condition=Q(gap_margin__gte=0, gap_margin__lte=100),
                violation_error_message="自评偏高阈值应在 0 至 100 分之间。",
            ),
        ]

    def __str__(self):
        return f"{self.round} · 至少 {self.min_raters} 人"


class RaterGroup(models.Model):
    """The raters of one branch (党员评议) or one unit (群众评议) in a round."""

    round = models.ForeignKey(
        "surveys.Round", on_delete=models.CASCADE, related_name="rater_groups"
    )
    audience = models.CharField("评议类型", max_length=16, choices=Audience.choices)
    branch = models.ForeignKey(
        "surveys.Branch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "surveys.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    questionnaire = models.ForeignKey(
        RaterQuestionnaire, on_delete=models.PROTECT, related_name="groups"
    )
    # Counted at submit time and linked to nothing: how many sheets gave every scale item
    # the same answer.
    straight_lined = models.PositiveIntegerField("整齐划一答卷数", default=0)

    class Meta:
        ordering = ["round", "audience", "unit__order", "branch__code", "id"]
        verbose_name = "评议组"
        verbose_name_plural = "评议组"
        constraints = [
            models.CheckConstraint(
                name="rater_group_target",
                condition=(
                    Q(audience="members", branch__isnull=False, unit__isnull=True)
                    | Q(audience="public", unit__isnull=False, branch__isnull=True)
                ),
                violation_error_message="党员评议须对应支部，群众评议须对应单位。",
            ),
            models.UniqueConstraint(
                fields=["round", "branch"],
                condition=Q(audience="members"),
                name="rater_group_round_branch",
            ),
            models.UniqueConstraint(
                fields=["round", "unit"],
                condition=Q(audience="public"),
                name="rater_group_round_unit",
            ),
        ]

    def __str__(self):
        return f"{self.get_audience_display()} · {self.target_name}"

    @property
    def target_name(self):
        return self.branch.name if self.branch_id else self.unit.name


class RaterCode(models.Model):
    """A one-time code: only its keyed hash, and whether it has been used. Nothing here or
    in the answers says which response it produced."""

    group = models.ForeignKey(RaterGroup, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField("评议码摘要", max_length=64, unique=True)
    used = models.BooleanField("已使用", default=False)

    class Meta:
        verbose_name = "评议码"
        verbose_name_plural = "评议码"

    def __str__(self):
        return f"{self.group} · {'已使用' if self.used else '未使用'}"


class RaterResponse(models.Model):
    """One rater's sheet: a random id and its group, nothing else."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(RaterGroup, on_delete=models.CASCADE, related_name="responses")

    class Meta:
        ordering = ["id"]
        verbose_name = "评议答卷"
        verbose_name_plural = "评议答卷"

    def __str__(self):
        return f"{self.group_id} · {self.pk}"


class RaterAnswer(models.Model):
    """One scored or satisfaction answer: a value, or 不了解 (left out of the denominator)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(RaterResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(RaterItem, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField("答案", null=True, blank=True)
    unknown = models.BooleanField("不了解", default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = "评议答案"
        verbose_name_plural = "评议答案"
        constraints = [
            models.CheckConstraint(
                name="rater_answer_value_or_unknown",
                condition=Q(unknown=True, value__isnull=True)
                | Q(unknown=False, value__gte=1, value__lte=5),
                violation_error_message="请选择一个选项或“不了解”。",
            ),
            models.UniqueConstraint(fields=["response", "item"], name="rater_answer_once"),
        ]

    def __str__(self):
        return f"{self.item_id}: {'不了解' if self.unknown else self.value}"


class RaterComment(models.Model):
    """A free-text answer, kept apart from the sheet it came with (it names its group only),
    so wording can't be joined to a rater's scores."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(RaterGroup, on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey(RaterItem, on_delete=models.PROTECT, related_name="comments")
    text = models.TextField("意见建议")

    class Meta:
        ordering = ["text", "id"]  # by content: unrelated to arrival
        verbose_name = "评议意见"
        verbose_name_plural = "评议意见"

    def __str__(self):
        return self.text[:30]
