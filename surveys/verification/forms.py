"""The office's review form (a verified value and its reason per scored item), the
publication form, and the branch's appeal and the office's decision."""

from decimal import Decimal, InvalidOperation

from django import forms

from surveys.evidence.forms import EvidenceFormMixin, evidence_field
from surveys.questionnaires.models import Question
from surveys.verification import services
from surveys.verification.models import DEFAULT_APPEAL_DAYS, DEFAULT_OVERCLAIM_MARGIN, Appeal
from surveys.verification.services import MAX_APPEAL, MAX_APPEAL_DAYS, MAX_REASON

KEEP = ("", "— 不调整（按自评）—")
# After refused files: a browser never keeps chosen files on a re-shown page.
RESELECT = "您填写的申诉理由已保留；请重新选择要附上的文件后再提交。"


def value_choices(question):
    """The values the office may set for an item, as (form value, label)."""
    if question.kind == Question.Kind.LIKERT:
        options = [(str(k), f"{k} {v}") for k, v in Question.LIKERT_LABELS.items()]
    elif question.kind == Question.Kind.YES_NO:
        options = [("1", "是"), ("0", "否")]
    elif question.kind == Question.Kind.CHOICE:
        options = [(c["value"], c.get("label", c["value"])) for c in question.choices]
    else:
        options = []
    if question.allow_na:
        options.append(("NA", "不适用"))
    return options


def to_form(question, value):
    """A verified/answer JSON value as the form's string."""
    if value is None:
        return ""
    if value == "NA":
        return "NA"
    if question.kind == Question.Kind.YES_NO:
        return "1" if value else "0"
    if question.kind == Question.Kind.NUMBER:
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def to_json(question, text):
    """The form's string as the JSON value a VerifiedAnswer keeps."""
    if text == "NA":
        return "NA"
    if question.kind == Question.Kind.LIKERT:
        return int(text)
    if question.kind == Question.Kind.YES_NO:
        return text == "1"
    if question.kind == Question.Kind.NUMBER:
        return float(text)
    return text


def value_label(question, value):
    """How a value reads on the page (the option's label, 是/否, 不适用, the number)."""
    text = to_form(question, value)
    if text == "":
        return "未作答"
    return dict(value_choices(question)).get(text, text)


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            q = item.question
            if q.kind == Question.Kind.NUMBER:
                field = forms.CharField(
                    required=False,
                    max_length=14,
                    label="考评值",
                    widget=forms.TextInput(
                        attrs={"class": "form-control form-control-sm", "inputmode": "decimal"}
                    ),
                )
            else:
                field = forms.ChoiceField(
                    required=False,
                    choices=[KEEP, *value_choices(q)],
                    label="考评值",
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )
            self.fields[f"v_{q.code}"] = field
            self.fields[f"r_{q.code}"] = forms.CharField(
                required=False,
                max_length=MAX_REASON,
                label="考评依据",
                widget=forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 2}),
            )
            if item.verified is not None:
                self.initial[f"v_{q.code}"] = to_form(q, item.verified.value)
                self.initial[f"r_{q.code}"] = item.verified.reason

    def clean(self):
        data = super().clean()
        for item in self.items:
            q = item.question
            value = (data.get(f"v_{q.code}") or "").strip()
            reason = (data.get(f"r_{q.code}") or "").strip()
            if value and q.kind == Question.Kind.NUMBER and value != "NA":
                try:
                    number = Decimal(value)
                except InvalidOperation:
                    number = None
                if number is None or not number.is_finite() or number < 0:
                    self.add_error(f"v_{q.code}", "请填写不小于 0 的数字。")
                    continue
                if q.max_value is not None and number > q.max_value:
                    self.add_error(f"v_{q.code}", f"请填写不大于 {q.max_value} 的数字。")
                    continue
            if value and not reason:
                self.add_error(f"r_{q.code}", "请填写考评依据（为什么调整这一题）。")
            elif reason and not value and item.verified is None:
                self.add_error(f"v_{q.code}", "填写了考评依据，请同时选择考评值。")
        return data

    def changes(self):
        """Question -> (JSON value, reason) for what changed, or None to drop a value."""
        result = {}
        for item in self.items:
            q = item.question
            value = (self.cleaned_data.get(f"v_{q.code}") or "").strip()
            reason = (self.cleaned_data.get(f"r_{q.code}") or "").strip()
            if not value:
                if item.verified is not None:
                    result[q] = None
                continue
            new = to_json(q, value)
            old = item.verified
            if old is None or old.value != new or old.reason != reason:
                result[q] = (new, reason)
        return result


class PublishForm(forms.Form):
    appeal_days = forms.IntegerField(
        label="申诉期（天）",
        min_value=1,
        max_value=MAX_APPEAL_DAYS,
        initial=DEFAULT_APPEAL_DAYS,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    overclaim_margin = forms.FloatField(
        label="自评偏高阈值（分）",
        min_value=0,
        max_value=100,
        initial=DEFAULT_OVERCLAIM_MARGIN,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.5"}),
    )


class AppealForm(EvidenceFormMixin, forms.Form):
    reselect = RESELECT

    text = forms.CharField(
        label="申诉理由",
        max_length=MAX_APPEAL,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        error_messages={"required": "请写明申诉理由。"},
    )
    evidence = evidence_field(services.APPEAL_LIMITS_TEXT, attrs={"class": "form-control"})

    def prepare_evidence(self, uploads):
        return services.prepare_appeal_files(uploads)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理结果",
        choices=[(Appeal.Status.UPHELD, "维持"), (Appeal.Status.ADJUSTED, "调整")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="处理理由", max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3})
    )
    code = forms.ChoiceField(label="调整的题目", required=False)
    value = forms.CharField(label="调整后的考评值", required=False, max_length=32)

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {q.code: q for q in questions}
        self.fields["code"].choices = [("", "—")] + [
            (q.code, f"{q.code} {q.text[:30]}") for q in questions
        ]

    def clean(self):
        data = super().clean()
        if data.get("decision") != Appeal.Status.ADJUSTED:
            return data
        question = self.questions.get(data.get("code") or "")
        raw = (data.get("value") or "").strip()
        if question is None:
            self.add_error("code", "调整时请选择要调整的题目。")
            return data
        allowed = dict(value_choices(question))
        if question.kind == Question.Kind.NUMBER and raw != "NA":
            try:
                number = Decimal(raw)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite() or number < 0:
                self.add_error("value", "请填写不小于 0 的数字。")
                return data
        elif raw not in allowed:
            options = "、".join(allowed)
            self.add_error("value", f"请填写这一题的一个选项值：{options}。")
            return data
        data["question"] = question
        data["json_value"] = to_json(question, raw)
        return data
