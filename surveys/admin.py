"""The Django admin: units, branches, accounts, questionnaires and rounds are edited here;
what branches submitted and what the app recorded about it (submissions, answers, snapshots,
audit events, stored scores) is only shown. Every change to those goes through the office's
pages and their services, which keep snapshots, stored scores, the data version and the audit
log in step; the admin offers no way around them."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import router

from surveys.audit import models as audit_models
from surveys.organisation import models as organisation_models
from surveys.questionnaires import models as questionnaires_models
from surveys.rounds import models as rounds_models
from surveys.submissions import models as submissions_models

admin.site.site_header = "融合 · 机关党建与业务融合测评 管理后台"
admin.site.site_title = "融合管理后台"
admin.site.index_title = "数据管理"

RECORD_NOTE = (
    "答卷、答案、提交记录和审计记录在这里只能查看，不能新增、修改或删除。"
    "需要修改时请在机关工委的页面上操作（如“退回”答卷、“计入统计”或“不计入统计”），"
    "这样得分、提交记录和审计日志才能保持一致。"
)

# What a delete must never take with it. Labels, not classes: reports' models are named
# without importing reports into surveys.
RECORDS = frozenset(
    {
        "surveys.Submission",
        "surveys.Answer",
        "surveys.SubmissionSnapshot",
        "surveys.AuditEvent",
        "reports.SubmissionScore",
        "reports.DimensionScore",
        "reports.UnitScore",
    }
)
# Blanking who submitted or last saved a submission loses it too. An audit event's links
# are SET_NULL by design: the event stays, with its note.
BLANKED_RECORDS = frozenset({"surveys.Submission", "surveys.SubmissionSnapshot"})


def deletion_touches_records(obj):
    """Whether deleting `obj` would delete a record (see RECORDS), be blocked by one, or
    blank who submitted a submission or snapshot."""
    collector = NestedObjects(using=router.db_for_write(type(obj), instance=obj))
    collector.collect([obj])
    if any(protected._meta.label in RECORDS for protected in collector.protected):
        return True
    if any(model._meta.label in RECORDS and objs for model, objs in collector.data.items()):
        return True
    return any(
        field.model._meta.label in BLANKED_RECORDS
        and any(objs.exists() if hasattr(objs, "exists") else objs for objs in batches)
        for (field, _value), batches in collector.field_updates.items()
    )


class KeepsRecordsOnDelete:
    """Refuses (403) to delete an object whose deletion would take submitted data, stored
    scores or audit records with it, or blank who submitted; the admin's own protected-
    object page would otherwise be the only guard, and only for PROTECT foreign keys."""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and deletion_touches_records(obj):
            return False
        return super().has_delete_permission(request, obj)


class RecordAdmin(admin.ModelAdmin):
    """Browse and search only: no add, change or delete, every field shown read-only."""

    note = RECORD_NOTE

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.get_fields(request, obj), "description": self.note})]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"subtitle": self.note, **(extra_context or {})})


class RecordInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BranchInline(admin.TabularInline):
    model = organisation_models.Branch
    extra = 0
    fields = ["code", "name", "member_count", "is_active"]


@admin.register(organisation_models.Unit)
class UnitAdmin(KeepsRecordsOnDelete, admin.ModelAdmin):
    list_display = ["code", "name", "order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    inlines = [BranchInline]


@admin.register(organisation_models.Branch)
class BranchAdmin(KeepsRecordsOnDelete, admin.ModelAdmin):
    list_display = ["code", "name", "unit", "member_count", "is_active"]
    list_filter = ["is_active", "unit"]
    search_fields = ["code", "name", "unit__name"]
    list_select_related = ["unit"]


@admin.register(organisation_models.User)
class UserAdmin(KeepsRecordsOnDelete, BaseUserAdmin):
    """A user who submitted can't be deleted (it would blank 提交人): deactivate instead."""

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
class QuestionnaireAdmin(KeepsRecordsOnDelete, admin.ModelAdmin):
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
class QuestionAdmin(KeepsRecordsOnDelete, admin.ModelAdmin):
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


class RosterEntryFormSet(forms.BaseInlineFormSet):
    """A branch with a submission in the round stays on its roster, with its branch: without
    the entry the submission belongs to no roster, drops out of the round's counts and the
    office's 退回 of it fails."""

    def clean(self):
        super().clean()
        branch_ids = [
            form.initial["branch"]
            for form in self.initial_forms
            if self._should_delete_form(form) or "branch" in form.changed_data
        ]
        if branch_ids and self.instance.submissions.filter(branch_id__in=branch_ids).exists():
            raise forms.ValidationError(
                "已有答卷的支部不能移出本批次的参评名单，也不能改成别的支部。"
            )


class RosterEntryInline(admin.TabularInline):
    model = rounds_models.RosterEntry
    formset = RosterEntryFormSet
    extra = 0
    autocomplete_fields = ["branch"]


@admin.register(rounds_models.Round)
class RoundAdmin(KeepsRecordsOnDelete, admin.ModelAdmin):
    list_display = ["name", "questionnaire", "opens_at", "closes_at"]
    list_select_related = ["questionnaire"]
    inlines = [RosterEntryInline]

    def get_readonly_fields(self, request, obj=None):
        # Answers point at the questions of the round's version: it can't change under them.
        if obj is not None and obj.submissions.exists():
            return ["questionnaire"]
        return []


class AnswerInline(RecordInline):
    model = submissions_models.Answer

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")


@admin.register(submissions_models.Submission)
class SubmissionAdmin(RecordAdmin):
    list_display = ["round", "branch", "status", "version", "submitted_at", "submitted_by"]
    list_filter = ["status", "round"]
    list_select_related = ["round", "branch", "submitted_by"]
    search_fields = ["branch__name", "branch__unit__name"]
    inlines = [AnswerInline]


@admin.register(submissions_models.SubmissionSnapshot)
class SubmissionSnapshotAdmin(RecordAdmin):
    list_display = ["submission", "number", "submitted_at", "submitted_by"]
    list_select_related = ["submission__round", "submission__branch", "submitted_by"]
    search_fields = ["submission__branch__name", "submission__branch__unit__name"]


@admin.register(audit_models.AuditEvent)
class AuditEventAdmin(RecordAdmin):
    list_display = ["at", "action", "actor", "round", "branch"]
    list_filter = ["action"]
    list_select_related = ["actor", "round", "branch"]
    search_fields = ["actor__username", "actor__last_name", "branch__name", "round__name"]
    date_hierarchy = "at"
