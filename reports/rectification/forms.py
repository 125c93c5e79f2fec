"""Forms of rectification tasks: the office's new task, a secretary's progress report with
its evidence files."""

from django import forms
from django.utils import timezone

from reports.rectification import services
from reports.rectification.models import RectificationTask
from surveys.evidence.forms import EvidenceFormMixin, evidence_field
from surveys.organisation.models import Branch, Unit
from surveys.questionnaires.models import Question

# After refused files: a browser never keeps chosen files on a re-shown page.
RESELECT = "您填写的说明已保留；请重新选择要上传的文件后再提交。"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaskForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), error_messages={"required": "请选择单位。"}
    )
    branch = forms.ModelChoiceField(
        label="党支部",
        queryset=Branch.objects.none(),
        required=False,
        empty_label="（全单位）",
        help_text="不选则下达给全单位，单位内各支部书记都能看到并报告进展。",
    )
    title = forms.CharField(
        label="整改事项",
        max_length=200,
        error_messages={"required": "请填写整改事项。"},
    )
    detail = forms.CharField(
        label="具体要求", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_date = forms.DateField(
        label="完成时限",
        widget=DATE_WIDGET,
        input_formats=["%Y-%m-%d"],
        error_messages={"required": "请填写完成时限。", "invalid": "请填写有效的日期。"},
    )
    dimension_code = forms.ChoiceField(label="关联维度", required=False)
    question_codes = forms.MultipleChoiceField(
        label="关联题目",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="下一轮测评后，单位页将显示这些题目整改前后的得分变化。按住 Ctrl 可多选。",
    )

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("order", "code")
        self.fields["branch"].queryset = Branch.objects.select_related("unit").order_by(
            "unit__order", "code"
        )
        self.fields["branch"].label_from_instance = lambda b: f"{b.unit.name} · {b.name}"
        dimensions = round_.questionnaire.dimensions.order_by("order")
        self.fields["dimension_code"].choices = [("", "（不关联）")] + [
            (d.code, d.name) for d in dimensions
        ]
        questions = (
            Question.objects.filter(questionnaire=round_.questionnaire)
            .exclude(kind=Question.Kind.TEXT)
            .order_by("dimension__order", "order", "id")
        )
        self.fields["question_codes"].choices = [
            (q.code, f"{q.code} {q.text[:40]}") for q in questions
        ]

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError("完成时限不能早于今天。")
        return due

    def clean(self):
        data = super().clean()
        unit, branch = data.get("unit"), data.get("branch")
        if unit and branch and branch.unit_id != unit.pk:
            self.add_error("branch", f"“{branch.name}”不属于“{unit.name}”。")
        return data


class ProgressForm(EvidenceFormMixin, forms.Form):
    reselect = RESELECT

    status = forms.ChoiceField(
        label="进展",
        choices=[
            (RectificationTask.Status.IN_PROGRESS, "整改中"),
            (RectificationTask.Status.DONE, "已完成"),
        ],
        widget=forms.RadioSelect,
        initial=RectificationTask.Status.IN_PROGRESS,
        error_messages={"required": "请选择进展。"},
    )
    note = forms.CharField(
        label="进展说明",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写进展说明：做了什么、效果如何。"},
    )
    evidence = evidence_field(services.LIMITS_TEXT)

    def prepare_evidence(self, uploads):
        return services.prepare_files(uploads)
