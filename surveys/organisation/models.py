"""The organisation: Units (机关单位), their Branches (党支部), the accounts (secretaries, the
office, administrators) and who was secretary of which branch when."""

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
        "surveys.Unit", on_delete=models.PROTECT, related_name="branches", verbose_name="所属单位"
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
        "surveys.Branch",
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


class SecretaryAssignment(models.Model):
    """Who was a branch's secretary, and when. The branch's submissions stay with the branch."""

    branch = models.ForeignKey(
        "surveys.Branch", on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey("surveys.User", on_delete=models.CASCADE, related_name="assignments")
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
