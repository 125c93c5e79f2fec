from django.contrib import admin

from reports.models import Recommendation, SubmissionScore


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["title", "dimension_code", "cause", "order"]
    list_editable = ["order"]


@admin.register(SubmissionScore)
class SubmissionScoreAdmin(admin.ModelAdmin):
    list_display = ["submission", "index", "grade", "main_cause", "straightlined", "excluded"]
    list_filter = ["round", "grade", "straightlined", "excluded"]
    list_select_related = ["submission__round", "submission__branch"]
    readonly_fields = [f.name for f in SubmissionScore._meta.fields if f.name != "excluded"]

    def has_add_permission(self, request):
        return False
