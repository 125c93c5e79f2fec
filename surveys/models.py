"""Organisation, questionnaires, rounds and submissions.

Words follow DOMAIN.md: a Unit (机关单位) has Branches (党支部); a Round (测评批次) asks the
branches on its roster to answer one Questionnaire version; a Submission (答卷) holds one
Answer per Question.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Unit(models.Model):
    code = models.CharField("单位编码", max_length=32, unique=True)
    name = models.CharField("单位名称", max_length=100)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "机关单位"
        verbose_name_plural = "机关单位"

    def __str__(self):
        return self.name


class Branch(models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="branches", verbose_name="所属单位"
    )
    code = models.CharField("支部编码", max_length=32, unique=True)
    name = models.CharField("支部名称", max_length=100)
    member_count = models.PositiveIntegerField("党员人数", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["unit__order", "unit__code", "code"]
        verbose_name = "党支部"
        verbose_name_plural = "党支部"

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who logs in. A secretary belongs to exactly one branch; office staff to none."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", "支部书记"
        OFFICE = "office", "机关工委"

    role = models.CharField("角色", max_length=16, choices=Role.choices, blank=True)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="secretaries",
        verbose_name="所在支部",
    )
    phone = models.CharField("联系电话", max_length=32, blank=True)
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="secretary_has_branch",
                condition=~Q(role="secretary") | Q(branch__isnull=False),
                violation_error_message="支部书记必须属于一个党支部。",
            ),
            models.CheckConstraint(
                name="only_secretary_has_branch",
                condition=Q(role="secretary") | Q(branch__isnull=True),
                violation_error_message="只有支部书记可以关联党支部。",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        # Chinese order, surname first: not AbstractUser.get_full_name's "given surname".
        return f"{self.last_name}{self.first_name}".strip() or self.username

    @property
    def is_secretary(self):
        return self.role == self.Role.SECRETARY and self.branch_id is not None

    @property
    def is_office(self):
        return self.role == self.Role.OFFICE or self.is_superuser


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
        Questionnaire, on_delete=models.CASCADE, related_name="grade_bands"
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
        Questionnaire, on_delete=models.CASCADE, related_name="dimensions"
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

    SCORED_KINDS = (Kind.LIKERT, Kind.YES_NO, Kind.NUMBER, Kind.CHOICE)
    LIKERT_LABELS = {1: "完全不符合", 2: "比较不符合", 3: "一般", 4: "比较符合", 5: "完全符合"}

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="questions", verbose_name="维度"
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
    def is_scored(self):
        return self.kind in self.SCORED_KINDS


class Round(models.Model):
    """An assessment round. Its status follows from the clock, so no job is needed."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "未开始"
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    name = models.CharField("批次名称", max_length=100)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds", verbose_name="问卷版本"
    )
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    branches = models.ManyToManyField(
        Branch, through="RosterEntry", related_name="rounds", verbose_name="参评支部"
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

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="roster")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="roster_entries")
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


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="submissions")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Optimistic locking: every save bumps it; a save carrying an older number is stale.
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        User,
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

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
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

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveIntegerField("第几次提交")
    submitted_at = models.DateTimeField("提交时间")
    submitted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
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


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        DRAFT_SAVED = "draft_saved", "保存草稿"
        SUBMITTED = "submitted", "提交答卷"
        RETURNED = "returned", "退回答卷"
        REMINDED = "reminded", "催报"
        ROUND_CREATED = "round_created", "创建批次"
        ROUND_CHANGED = "round_changed", "修改批次"
        QUESTIONNAIRE_LOADED = "questionnaire_loaded", "载入问卷"
        IMPORTED = "imported", "批量导入"
        PASSWORD_RESET = "password_reset", "重置密码"
        PASSWORD_CHANGED = "password_changed", "修改密码"
        QUESTIONNAIRE_CHANGED = "questionnaire_changed", "修改问卷"
        BRANCH_CHANGED = "branch_changed", "调整支部"
        SECRETARY_CHANGED = "secretary_changed", "更换支部书记"
        SCORE_EXCLUDED = "score_excluded", "答卷不计入统计"
        SCORE_RESTORED = "score_restored", "答卷恢复计入统计"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="操作人"
    )
    action = models.CharField("操作", max_length=32, choices=Action.choices)
    round = models.ForeignKey(Round, on_delete=models.SET_NULL, null=True, blank=True)
    branch = models.ForeignKey(Branch, on_delete=models.SET_NULL, null=True, blank=True)
    submission = models.ForeignKey(Submission, on_delete=models.SET_NULL, null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class SecretaryAssignment(models.Model):
    """Who was a branch's secretary, and when. The branch's submissions stay with the branch."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        ordering = ["branch", "-started_at"]
        verbose_name = "支部书记任职记录"
        verbose_name_plural = "支部书记任职记录"
        constraints = [
            models.UniqueConstraint(
                fields=["branch"],
                condition=Q(ended_at__isnull=True),
                name="one_current_secretary_per_branch",
            ),
        ]

    def __str__(self):
        return f"{self.branch} · {self.user}"


class Reminder(models.Model):
    """A 催报 sent to a branch for a round. At most one per branch and round in 24 hours."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminders")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="reminders")
    sent_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    sent_at = models.DateTimeField("发送时间", default=timezone.now, db_index=True)
    recipient = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders"
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
