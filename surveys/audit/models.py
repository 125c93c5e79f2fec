"""The audit record: who did what, when, to which round, branch or submission."""

from django.db import models
from django.utils import timezone


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
        LOGIN_LOCKED = "login_locked", "登录被锁定"
        ACCOUNT_UNLOCKED = "account_unlocked", "解除登录锁定"
        EMAIL_CHANGED = "email_changed", "修改邮箱"
        EVIDENCE_ADDED = "evidence_added", "上传佐证材料"
        EVIDENCE_REMOVED = "evidence_removed", "删除佐证材料"
        VERIFIED = "verified", "考评答卷"
        ROUND_PUBLISHED = "round_published", "公示考评结果"
        APPEAL_LODGED = "appeal_lodged", "提出申诉"
        APPEAL_DECIDED = "appeal_decided", "处理申诉"
        RATER_GROUPS_ADDED = "rater_groups_added", "添加评议组"
        RATER_CODES_ISSUED = "rater_codes_issued", "发放评议码"
        BUSINESS_IMPORTED = "business_imported", "导入业务绩效"
        WARNING_RULES_CHANGED = "warning_rules_changed", "修改预警规则"
        TASK_CREATED = "task_created", "下达整改任务"
        TASK_REPORTED = "task_reported", "报告整改进展"
        TASK_WITHDRAWN = "task_withdrawn", "撤销整改任务"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "surveys.User", on_delete=models.SET_NULL, null=True, blank=True, verbose_name="操作人"
    )
    action = models.CharField("操作", max_length=32, choices=Action.choices)
    round = models.ForeignKey("surveys.Round", on_delete=models.SET_NULL, null=True, blank=True)
    branch = models.ForeignKey("surveys.Branch", on_delete=models.SET_NULL, null=True, blank=True)
    submission = models.ForeignKey(
        "surveys.Submission", on_delete=models.SET_NULL, null=True, blank=True
    )
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
