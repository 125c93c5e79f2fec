"""The questionnaire as a Django form built from the questions (a questionnaire is data)."""

from decimal import Decimal

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from reports.scoring import NOT_APPLICABLE
from surveys.core.numbers import plain_number
from surveys.questionnaires.models import Question
from surveys.rounds.forms import datetime_field
from surveys.submissions.markers import marker
from surveys.submissions.values import answer_value

NA = "NA"
NA_LABEL = "不适用"
REQUIRED_MESSAGE = "此题为必答题，请作答后再提交。"

# Question has no integer flag. A number item counts things, and takes whole numbers only,
# when its unit is a counting word, or when it has no unit and every band starts at a whole
# number. A unit such as 小时, 万元 or % keeps decimals.
COUNT_UNITS = frozenset("次个人名篇项件条场期家户批")
# Without max_value, what Answer.number (max_digits=12, decimal_places=2) can hold.
LARGEST_NUMBER = 9_999_999_999


def counts_things(question):
    """Whether a number item takes whole numbers only (see COUNT_UNITS)."""
    if question.kind != Question.Kind.NUMBER:
        return False
    unit = question.unit_label.strip()
    if unit:
        return unit in COUNT_UNITS
    bands = question.bands or []
    return bool(bands) and all(float(b.get("min", 0)).is_integer() for b in bands)


def number_range(question):
    """The allowed range beside the box and in the messages, e.g. "0–60 的整数"."""
    kind = "整数" if counts_things(question) else "数"
    if question.max_value is None:
        return f"不小于 0 的{kind}"
    return f"0–{question.max_value} 的{kind}"


def _number_field(question, common):
    outside = f"请填写 {number_range(question)}。"
    if counts_things(question):
        return forms.IntegerField(
            min_value=0,
            max_value=question.max_value if question.max_value is not None else LARGEST_NUMBER,
            error_messages={
                "invalid": "请填写整数（如 3），不要填小数或其他字符。"
                f"可填 {number_range(question)}。",
                "min_value": outside,
                "max_value": outside,
            },
            **common,
        )
    return forms.DecimalField(
        min_value=Decimal(0),
        max_value=question.max_value if question.max_value is not None else LARGEST_NUMBER,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "invalid": f"请填写数字。可填 {number_range(question)}。",
            "min_value": outside,
            "max_value": outside,
            "max_decimal_places": "最多保留 %(max)s 位小数。",
            "max_digits": outside,
            "max_whole_digits": outside,
        },
        **common,
    )


class OptionRadioSelect(forms.RadioSelect):
    """RadioSelect whose options (`{{ radio.tag }}` on the questionnaire page) are written in
    Python, byte for byte what Django's radio_option.html would give.

    The page has about 110 options; through the template renderer each was three nested
    template renders (radio_option → input_option → input → attrs), about half of the
    questionnaire page's CPU under load (README, "Performance"). Anything else (a wrapping
    label, the whole widget) still goes through the templates."""

    # Set on the skeleton form of surveys/submissions/page.py: each option carries a marker
    # where " checked" goes, so one rendering stands for every answer.
    marked = False

    def _render(self, template_name, context, renderer=None):
        widget = context.get("widget", {})
        if template_name == self.option_template_name and not widget.get("wrap_label"):
            mark = marker("C", widget["name"], str(widget["value"])) if self.marked else ""
            return mark_safe(_input_html(widget, mark))
        return super()._render(template_name, context, renderer)


class MarkedCheckbox(forms.CheckboxInput):
    """The skeleton's 不适用 box: unticked, with a marker where " checked" goes."""

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        return mark_safe(html[:-1] + marker("N", name) + html[-1])


def _input_html(widget, mark=""):
    """django/forms/widgets/input.html with its attrs.html, in Python; `mark` goes where a
    last attribute would."""
    parts = [f'<input type="{conditional_escape(widget["type"])}"']
    parts.append(f' name="{conditional_escape(widget["name"])}"')
    if widget["value"] is not None:
        parts.append(f' value="{conditional_escape(str(widget["value"]))}"')
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{conditional_escape(str(value))}"')
    parts.append(mark)
    parts.append(">")
    return "".join(parts)


def field_name(question):
    return f"q_{question.code}"


def na_field_name(question):
    return f"na_{question.code}"


class QuestionnaireForm(forms.Form):
    """One field per question. A draft may be partial; a submission must be complete.

    Values are always validated (range, type), so a bad value never reaches the database,
    and the form re-renders with everything the secretary typed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, questions, require_complete=False, marked=False, **kwargs):
        """`marked`: the skeleton of surveys/submissions/page.py, unbound, with markers for
        the answers instead of answers."""
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.require_complete = require_complete
        for question in self.questions:
            name = field_name(question)
            self.fields[name] = field = self._field_for(question)
            if marked and isinstance(field.widget, OptionRadioSelect):
                field.widget.marked = True
            elif marked:
                self.initial[name] = marker("V", name)
            if question.kind == Question.Kind.NUMBER and question.allow_na:
                self.fields[na_field_name(question)] = forms.BooleanField(
                    required=False,
                    label=NA_LABEL,
                    widget=MarkedCheckbox if marked else forms.CheckboxInput,
                )

    def _field_for(self, question):
        common = {"required": False, "label": question.text, "help_text": question.help_text}
        kind = question.kind
        if kind == Question.Kind.LIKERT:
            choices = [(str(v), label) for v, label in Question.LIKERT_LABELS.items()]
            if question.allow_na:
                choices.append((NA, NA_LABEL))
            return forms.ChoiceField(choices=choices, widget=OptionRadioSelect, **common)
        if kind == Question.Kind.YES_NO:
            choices = [("1", "是"), ("0", "否")]
            if question.allow_na:
                choices.append((NA, NA_LABEL))
            return forms.ChoiceField(choices=choices, widget=OptionRadioSelect, **common)
        if kind == Question.Kind.NUMBER:
            return _number_field(question, common)
        if kind == Question.Kind.CHOICE:
            choices = [(c["value"], c["label"]) for c in question.choices]
            if question.allow_na:
                choices.append((NA, NA_LABEL))
            return forms.ChoiceField(choices=choices, widget=OptionRadioSelect, **common)
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
