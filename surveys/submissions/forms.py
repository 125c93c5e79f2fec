"""The questionnaire as a Django form built from the questions (a questionnaire is data)."""

from decimal import Decimal

from django import forms

from reports.scoring import NOT_APPLICABLE
from surveys.core.numbers import plain_number
from surveys.questionnaires.models import Question
from surveys.rounds.forms import datetime_field
from surveys.submissions.values import answer_value

NA = "NA"
NA_LABEL = "不适用"
REQUIRED_MESSAGE = "此题为必答题，请作答后再提交。"


def field_name(question):
    return f"q_{question.code}"


def na_field_name(question):
    return f"na_{question.code}"


class QuestionnaireForm(forms.Form):
    """One field per question. A draft may be partial; a submission must be complete.

    Values are always validated (range, type), so a bad value never reaches the database,
    and the form re-renders with everything the secretary typed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, questions, require_complete=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.require_complete = require_complete
        for question in self.questions:
            self.fields[field_name(question)] = self._field_for(question)
            if question.kind == Question.Kind.NUMBER and question.allow_na:
                self.fields[na_field_name(question)] = forms.BooleanField(
                    required=False, label=NA_LABEL
                )

    def _field_for(self, question):
        common = {"required": False, "label": question.text, "help_text": question.help_text}
        kind = question.kind
        if kind == Question.Kind.LIKERT:
            choices = [(str(v), label) for v, label in Question.LIKERT_LABELS.items()]
            if question.allow_na:
                choices.append((NA, NA_LABEL))
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        if kind == Question.Kind.YES_NO:
            choices = [("1", "是"), ("0", "否")]
            if question.allow_na:
                choices.append((NA, NA_LABEL))
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        if kind == Question.Kind.NUMBER:
            return forms.DecimalField(
                min_value=Decimal(0),
                max_value=question.max_value,
                max_digits=12,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
                error_messages={
                    "invalid": "请输入数字。",
                    "min_value": "不能小于 %(limit_value)s。",
                    "max_value": "不能大于 %(limit_value)s。",
                },
                **common,
            )
        if kind == Question.Kind.CHOICE:
            choices = [(c["value"], c["label"]) for c in question.choices]
            if question.allow_na:
                choices.append((NA, NA_LABEL))
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.CharField(
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={
                "max_length": "最多填写 %(limit_value)d 字（当前 %(show_value)d 字）。"
            },
            **common,
        )

    def clean(self):
        cleaned = super().clean()
        if self.require_complete:
            for question in self.questions:
                if question.required and self.value_for(question, cleaned) is None:
                    name = field_name(question)
                    if name not in self.errors:
                        self.add_error(name, REQUIRED_MESSAGE)
        return cleaned

    def value_for(self, question, cleaned=None):
        """The cleaned value of one question, in the service's shape."""
        cleaned = self.cleaned_data if cleaned is None else cleaned
        raw = cleaned.get(field_name(question))
        if cleaned.get(na_field_name(question)) or raw == NA:
            return NOT_APPLICABLE
        if raw in (None, ""):
            return None
        kind = question.kind
        if kind == Question.Kind.LIKERT:
            return int(raw)
        if kind == Question.Kind.YES_NO:
            return raw == "1"
        if kind == Question.Kind.TEXT:
            return raw.strip() or None
        return raw

    def values(self):
        return {q.code: self.value_for(q) for q in self.questions}


def initial_from_answers(questions, answers):
    """Form initial data from saved Answer rows, keyed by question id."""
    initial = {}
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        name = field_name(question)
        value = answer_value(answer)
        if value is NOT_APPLICABLE:
            if question.kind == Question.Kind.NUMBER:
                initial[na_field_name(question)] = True
            else:
                initial[name] = NA
        elif value is None:
            continue
        elif question.kind == Question.Kind.LIKERT:
            initial[name] = str(value)
        elif question.kind == Question.Kind.YES_NO:
            initial[name] = "1" if value else "0"
        elif question.kind == Question.Kind.NUMBER:
            initial[name] = plain_number(value)
        else:
            initial[name] = value
    return initial


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回原因（支部书记可见）",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "请填写退回原因，支部书记会看到它。"},
    )
    closes_at = datetime_field("补报截止时间（该支部填报时间已过时必填）", required=False)
