"""Forms of the office's round pages: create or edit a round, extend a deadline."""

from django import forms
from django.db.models import Count
from django.utils import timezone

from surveys.organisation.models import Branch, Unit
from surveys.questionnaires.models import Questionnaire
from surveys.rounds.models import Round
from surveys.rounds.services import (
    round_name_normalised,
    round_name_taken,
    round_name_taken_message,
)

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def datetime_field(label, **kwargs):
    return forms.DateTimeField(
        label=label, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS, **kwargs
    )


class BranchChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, branch):
        return f"{branch.unit.name} · {branch.name}"


class QuestionnaireChoiceField(forms.ModelChoiceField):
    """Versions labelled with their state, so that using an unreviewed draft is a choice."""

    def label_from_instance(self, questionnaire):
        if questionnaire.round_count:
            state = f"已用于 {questionnaire.round_count} 个批次"
        else:
            state = "草稿，未使用"
        return f"第{questionnaire.version}版 · {state} · {questionnaire.title}"


def default_questionnaire():
    """The version the latest round used; else the newest one in use; else the newest."""
    latest_round = Round.objects.order_by("-opens_at", "-id").first()
    if latest_round is not None:
        return latest_round.questionnaire
    newest = Questionnaire.objects.order_by("-created_at", "-id")
    return newest.filter(rounds__isnull=False).first() or newest.first()


class RoundForm(forms.Form):
    name = forms.CharField(label="批次名称", max_length=100)
    questionnaire = QuestionnaireChoiceField(
        label="问卷版本",
        queryset=Questionnaire.objects.annotate(round_count=Count("rounds")).order_by(
            "code", "-version"
        ),
        help_text="默认为最近一个批次使用的版本。选用未使用过的草稿版本后，该版本即被冻结、不能再修改。",
    )
    opens_at = datetime_field("开始时间")
    closes_at = datetime_field("截止时间")
    roster_mode = forms.ChoiceField(
        label="参评范围",
        choices=[("all", "全部启用的党支部"), ("chosen", "指定单位或党支部")],
        widget=forms.RadioSelect,
        initial="all",
    )
    units = forms.ModelMultipleChoiceField(
        label="指定单位（其下全部启用的支部参评）",
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    branches = BranchChoiceField(
        label="指定党支部",
        queryset=Branch.objects.filter(is_active=True).select_related("unit"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, round_=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round_  # the round being edited, whose own name is not a clash
        default = default_questionnaire()
        if default is not None:
            self.fields["questionnaire"].initial = default.pk
            self.fields["questionnaire"].empty_label = None

    def clean_name(self):
        name = round_name_normalised(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("请填写批次名称。")
        if round_name_taken(name, exclude_pk=self.round.pk if self.round else None):
            raise forms.ValidationError(round_name_taken_message(name))
        return name

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", "截止时间必须晚于开始时间。")
        if cleaned.get("roster_mode") == "chosen" and not (
            cleaned.get("units") or cleaned.get("branches")
        ):
            self.add_error("roster_mode", "请至少选择一个单位或党支部。")
        return cleaned

    def roster(self):
        """The chosen branches, or None for "every active branch"."""
        if self.cleaned_data["roster_mode"] == "all":
            return None
        chosen = {b.pk: b for b in self.cleaned_data["branches"]}
        for branch in Branch.objects.filter(unit__in=self.cleaned_data["units"], is_active=True):
            chosen[branch.pk] = branch
        return list(chosen.values())

    @classmethod
    def initial_for(cls, round_):
        branch_ids = list(round_.roster.values_list("branch_id", flat=True))
        every_active = set(Branch.objects.filter(is_active=True).values_list("pk", flat=True))
        return {
            "name": round_.name,
            "questionnaire": round_.questionnaire_id,
            "opens_at": timezone.localtime(round_.opens_at),
            "closes_at": timezone.localtime(round_.closes_at),
            "roster_mode": "all" if set(branch_ids) == every_active else "chosen",
            "branches": branch_ids,
        }


class ExtendForm(forms.Form):
    """延期: a new deadline (the form starts at the current one, so the office changes a
    date rather than typing one) and the reason, which is required."""

    closes_at = datetime_field("新的截止时间", error_messages={"required": "请填写新的截止时间。"})
    reason = forms.CharField(
        label="延期原因",
        max_length=200,
        error_messages={"required": "请填写延期原因。"},
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )

    @classmethod
    def for_deadline(cls, closes_at):
        """The form as the round page shows it: starting at the round's current deadline."""
        return cls(initial={"closes_at": timezone.localtime(closes_at)})
