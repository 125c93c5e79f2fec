from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from surveys.audit import models as audit_models
from surveys.organisation import models as organisation_models
from surveys.questionnaires import models as questionnaires_models
from surveys.rounds import models as rounds_models
from surveys.submissions import models as submissions_models

admin.site.site_header = "融合 · 机关党建与业务融合测评 管理后台"
admin.site.site_title = "融合管理后台"
admin.site.index_title = "数据管理"


class BranchInline(admin.TabularInline):
    model = organisation_models.Branch
    extra = 0
    fields = ["code", "name", "member_count", "is_active"]


@admin.register(organisation_models.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    inlines = [BranchInline]


@admin.register(organisation_models.Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "member_count", "is_active"]
    list_filter = ["is_active", "unit"]
    search_fields = ["code", "name", "unit__name"]
    list_select_related = ["unit"]


@admin.register(organisation_models.User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "branch", "phone", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["branch"]
    search_fields = ["username", "first_name", "last_name", "phone", "branch__name"]
    autocomplete_fields = ["branch"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("测评角色", {"fields": ["role", "branch", "phone", "must_change_password"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("测评角色", {"fields": ["role", "branch", "phone"]}),
    )


class FrozenAwareInline:
    """An inline that turns read-only when its questionnaire is used by a round."""

    extra = 0

    def _editable(self, obj):
        return obj is None or not obj.is_frozen

    def has_add_permission(self, request, obj):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class GradeBandInline(FrozenAwareInline, admin.TabularInline):
    model = questionnaires_models.GradeBand
    fields = ["label", "min_score"]


class DimensionInline(FrozenAwareInline, admin.TabularInline):
    model = questionnaires_models.Dimension
    fields = ["order", "code", "name", "problem", "weight"]


class QuestionInline(FrozenAwareInline, admin.TabularInline):
    model = questionnaires_models.Question
    fields = [
        "order",
        "dimension",
        "code",
        "text",
        "kind",
        "reverse_keyed",
        "weight",
        "cause",
        "aspect",
        "required",
        "allow_na",
    ]
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the dimensions of the questionnaire being edited.
        if db_field.name == "dimension":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = questionnaires_models.Dimension.objects.filter(
                questionnaire_id=object_id
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(questionnaires_models.Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Versions used by a round are read-only here too; the office copies them instead."""

    list_display = ["code", "version", "title", "is_frozen_display", "cloned_from", "created_at"]
    list_select_related = ["cloned_from"]
    inlines = [DimensionInline, GradeBandInline, QuestionInline]
    readonly_fields = ["cloned_from", "source_sha256", "ahp_matrix", "ahp_cr"]

    @admin.display(description="状态")
    def is_frozen_display(self, obj):
        return "已冻结" if obj.is_frozen else "可编辑"

    # Without change permission the admin shows a frozen version view-only, inlines included.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(questionnaires_models.Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "short_text",
        "kind",
        "dimension",
        "reverse_keyed",
        "weight",
        "cause",
        "aspect",
        "required",
    ]
    list_filter = ["questionnaire", "dimension__name", "kind", "cause", "aspect", "reverse_keyed"]
    search_fields = ["code", "text"]
    list_select_related = ["dimension", "questionnaire"]

    @admin.display(description="题目")
    def short_text(self, obj):
        return obj.text[:40]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # New questions can only go into a version no round uses yet.
        if db_field.name == "questionnaire":
            kwargs["queryset"] = questionnaires_models.Questionnaire.objects.filter(
                rounds__isnull=True
            )
        elif db_field.name == "dimension":
            kwargs["queryset"] = questionnaires_models.Dimension.objects.filter(
                questionnaire__rounds__isnull=True
            ).select_related("questionnaire")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "dimension":
            # Every version has a 学用结合: say which version's.
            field.label_from_instance = lambda d: f"{d.questionnaire} · {d.name}"
        return field

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.questionnaire.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.questionnaire.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


class RosterEntryInline(admin.TabularInline):
    model = rounds_models.RosterEntry
    extra = 0
    autocomplete_fields = ["branch"]


@admin.register(rounds_models.Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "questionnaire", "opens_at", "closes_at"]
    list_select_related = ["questionnaire"]
    inlines = [RosterEntryInline]


class AnswerInline(admin.TabularInline):
    model = submissions_models.Answer
    extra = 0
    raw_id_fields = ["question"]


@admin.register(submissions_models.Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["round", "branch", "status", "version", "submitted_at", "submitted_by"]
    list_filter = ["status", "round"]
    list_select_related = ["round", "branch", "submitted_by"]
    search_fields = ["branch__name", "branch__unit__name"]
    raw_id_fields = ["submitted_by", "updated_by"]
    inlines = [AnswerInline]


@admin.register(submissions_models.SubmissionSnapshot)
class SubmissionSnapshotAdmin(admin.ModelAdmin):
    list_display = ["submission", "number", "submitted_at", "submitted_by"]
    raw_id_fields = ["submission", "submitted_by"]


@admin.register(audit_models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "round", "branch"]
    list_filter = ["action"]
    raw_id_fields = ["actor", "round", "branch", "submission"]
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):
        return False
