from django.contrib import admin

from reports.models import Recommendation, SubmissionScore
from surveys.admin import RecordAdmin


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["title", "dimension_code", "cause", "order"]
    list_editable = ["order"]


@admin.register(SubmissionScore)
class SubmissionScoreAdmin(RecordAdmin):
    """Stored scores are written by reports/store.py only. Ticking 不计入统计 here would leave
    the unit means, the data version and the audit log behind: the unit report's
    计入统计 / 不计入统计 button goes through the service that keeps them in step."""

    note = (
        "答卷得分由系统在提交时计算，这里只能查看。"
        "要让一份答卷“不计入统计”或恢复“计入统计”，请在机关工委的单位报告页面上操作，"
        "这样单位得分、统计数据版本和审计日志才能保持一致。"
    )
    list_display = ["submission", "index", "grade", "main_cause", "straightlined", "excluded"]
    list_filter = ["round", "grade", "straightlined", "excluded"]
    list_select_related = ["submission__round", "submission__branch"]
    search_fields = ["branch__name", "unit__name"]
