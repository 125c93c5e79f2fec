"""Forms for the office's questionnaire-version pages.

Plain forms rather than ModelForms: the model's check constraints would otherwise surface
with Django's English default messages, and the writes go through `surveys.questionnaires.services`.
"""

from fractions import Fraction

from django import forms
from django.core.exceptions import ValidationError

from surveys.core.numbers import plain_number
from surveys.questionnaires.models import AspectTag, CauseTag, Question
from surveys.questionnaires.services import (
    VersionError,
    format_band_lines,
    format_choice_lines,
    parse_band_lines,
    parse_choice_lines,
)


def _positive(value, what="权重"):
    if value is not None and value <= 0:
        raise ValidationError(f"{what}必须大于 0。")
    return value


class QuestionnaireInfoForm(forms.Form):
    title = forms.CharField(label="问卷名称", max_length=200)
    description = forms.CharField(
        label="说明（显示在填写页顶部）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    min_answered_ratio = forms.FloatField(
        label="维度最低作答比例",
        help_text="某维度作答的计分题少于此比例（0.5 即一半）时，该维度记为“数据不足”。",
    )

    def clean_min_answered_ratio(self):
        ratio = self.cleaned_data["min_answered_ratio"]
        if not 0 < ratio <= 1:
            raise ValidationError("维度最低作答比例须大于 0 且不大于 1。")
        return ratio

    @staticmethod
    def initial_for(questionnaire):
        return {
            "title": questionnaire.title,
            "description": questionnaire.description,
            "min_answered_ratio": questionnaire.min_answered_ratio,
        }


# Rows of a table: the column header is the label, so the inputs carry their own classes.
TEXT_CELL = forms.TextInput(attrs={"class": "form-control form-control-sm"})
NUMBER_CELL = forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"})


class DimensionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="维度名称", max_length=100, widget=TEXT_CELL)
    problem = forms.CharField(label="对应问题", max_length=100, required=False, widget=TEXT_CELL)
    weight = forms.FloatField(label="权重", widget=NUMBER_CELL)
    order = forms.IntegerField(label="排序", min_value=0, widget=NUMBER_CELL)

    def clean_weight(self):
        return _positive(self.cleaned_data["weight"])


DimensionFormSet = forms.formset_factory(DimensionForm, extra=0)


def dimension_initial(questionnaire):
    return [
        {
            "id": d.pk,
            "name": d.name,
            "problem": d.problem,
            "weight": plain_number(d.weight),
            "order": d.order,
        }
        for d in questionnaire.dimensions.order_by("order", "id")
    ]


class GradeBandForm(forms.Form):
    label = forms.CharField(label="等次", max_length=16, widget=TEXT_CELL)
    min_score = forms.FloatField(label="最低分", widget=NUMBER_CELL)

    def clean_min_score(self):
        low = self.cleaned_data["min_score"]
        if not 0 <= low <= 100:
            raise ValidationError("最低分须在 0–100 之间。")
        return low


# The report's grade words, best first: where a version uses them, a higher band must not
# carry a lower word (the charts colour and the recommendations read them by name).
GRADE_WORDS = ("好", "较好", "一般", "差")


class BaseGradeBandFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        bands = self.bands()
        labels = [b["label"] for b in bands]
        lows = [b["min_score"] for b in bands]
        if not bands:
            raise ValidationError("至少需要一个等次。")
        if len(set(labels)) != len(labels):
            self._mark_repeats("label", "与其他等次重名")
            raise ValidationError("等次名称不能重复。")
        if len(set(lows)) != len(lows):
            self._mark_repeats("min_score", "与其他等次的最低分相同")
            raise ValidationError("两个等次的最低分不能相同。")
        if min(lows) != 0:
            raise ValidationError("最低的一档的最低分必须为 0，使任何得分都有等次。")
        words = [label for label in labels if label in GRADE_WORDS]
        if words != sorted(words, key=GRADE_WORDS.index):
            order = " > ".join(f"{b['label']}≥{plain_number(b['min_score'])}" for b in bands)
            raise ValidationError(
                f"等次的高低与名称不一致（现为 {order}）："
                "最低分应按“好、较好、一般、差”从高到低排列。"
            )

    def _mark_repeats(self, field, message):
        """Put the error on each row that repeats another, so the office sees which."""
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        values = [f.cleaned_data[field] for f in kept]
        for form, value in zip(kept, values, strict=True):
            if values.count(value) > 1:
                form.add_error(field, message)

    def bands(self):
        """The kept bands, highest first."""
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        return sorted(
            ({"label": b["label"], "min_score": b["min_score"]} for b in kept),
            key=lambda b: -b["min_score"],
        )


GradeBandFormSet = forms.formset_factory(
    GradeBandForm, formset=BaseGradeBandFormSet, extra=1, can_delete=True
)


def grade_band_initial(questionnaire):
    return [
        {"label": b.label, "min_score": plain_number(b.min_score)}
        for b in questionnaire.grade_bands.all()
    ]


BLANK = [("", "—")]
ASPECT_CHOICES = [(tag.value, tag.label) for tag in AspectTag]


class QuestionForm(forms.Form):
    dimension = forms.ModelChoiceField(label="维度", queryset=None, empty_label=None)
    code = forms.CharField(label="题目编码", max_length=32, help_text="整份问卷内不得重复。")
    text = forms.CharField(label="题目", widget=forms.Textarea(attrs={"rows": 3}))
    help_text = forms.CharField(
        label="填写说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label="题型", choices=Question.Kind.choices)
    reverse_keyed = forms.BooleanField(
        label="反向计分（题目描述的是问题本身，“完全符合”得 0 分）", required=False
    )
    weight = forms.FloatField(label="权重", initial=1)
    cause = forms.ChoiceField(label="成因", choices=BLANK + CauseTag.choices, required=False)
    aspect = forms.ChoiceField(label="融合方面", choices=BLANK + ASPECT_CHOICES, required=False)
    required = forms.BooleanField(label="必答", required=False, initial=True)
    allow_na = forms.BooleanField(label="允许选“不适用”", required=False)
    # Not required: a page that does not show the choice keeps the question's rule.
    evidence = forms.ChoiceField(
        label="佐证材料",
        choices=Question.Evidence.choices,
        required=False,
        help_text="可上传：支部书记可附照片、会议记录等；必须上传：未附材料不能提交。",
    )
    order = forms.IntegerField(label="排序（维度内）", min_value=0, initial=1)
    bands = forms.CharField(
        label="数值分档",
        required=False,
        # An example, said to be one: a bare "0:0 …" in the box read as bands already set.
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "例如：\n0:0\n2:50\n4:80"}),
        help_text="数值题用：每行一档，写成“下限:得分”；下限从 0 开始逐档增大，得分 0–100。",
    )
    choices = forms.CharField(
        label="选项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "例如：\na:已建立:100\nb:未建立:0"}),
        help_text="单选题用：每行一个选项，写成“编码:文字:得分”，得分 0–100。",
    )
    unit_label = forms.CharField(label="计量单位", max_length=16, required=False)
    max_value = forms.IntegerField(label="最大值", min_value=1, required=False)

    def __init__(self, *args, questionnaire, question=None, **kwargs):
        if question is not None:
            kwargs["initial"] = self.initial_for(question) | (kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        self.questionnaire, self.question = questionnaire, question
        self.fields["dimension"].queryset = questionnaire.dimensions.order_by("order", "id")

    @staticmethod
    def initial_for(question):
        return {
            "dimension": question.dimension_id,
            "code": question.code,
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind,
            "reverse_keyed": question.reverse_keyed,
            "weight": plain_number(question.weight),
            "cause": question.cause,
            "aspect": question.aspect,
            "required": question.required,
            "allow_na": question.allow_na,
            "evidence": question.evidence,
            "order": question.order,
            "bands": format_band_lines(question.bands),
            "choices": format_choice_lines(question.choices),
            "unit_label": question.unit_label,
            "max_value": question.max_value,
        }

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        others = self.questionnaire.questions.filter(code=code)
        if self.question is not None:
            others = others.exclude(pk=self.question.pk)
        if others.exists():
            raise ValidationError(f"题目编码“{code}”已被本问卷的其他题目使用。")
        return code


    def clean_evidence(self):
        rule = self.cleaned_data["evidence"]
        if rule:
            return rule
        return self.question.evidence if self.question else Question.Evidence.NONE

    def clean_weight(self):
        return _positive(self.cleaned_data["weight"])

    def clean_bands(self):
        try:
            return parse_band_lines(self.cleaned_data["bands"])
        except VersionError as exc:
            raise ValidationError(str(exc)) from None

    def clean_choices(self):
        try:
            return parse_choice_lines(self.cleaned_data["choices"])
        except VersionError as exc:
            raise ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        if kind == Question.Kind.TEXT:
            data["cause"] = data["aspect"] = ""
        else:
            for field, what in (("cause", "成因"), ("aspect", "融合方面")):
                if field in data and not data[field]:
                    self.add_error(field, f"计分题必须选择{what}。")
        if data.get("reverse_keyed") and kind not in (Question.Kind.LIKERT, Question.Kind.YES_NO):
            self.add_error("reverse_keyed", "只有五级量表题和是/否题可以反向计分。")
        # Settings that belong to another kind are dropped rather than refused, so that
        # changing a question's kind needs no clearing of now-hidden fields.
        if kind == Question.Kind.NUMBER:
            if "bands" in data and not data["bands"]:
                self.add_error("bands", "数值题必须设置分档。")
        else:
            data["bands"], data["max_value"] = [], None
        if kind == Question.Kind.CHOICE:
            if "choices" in data and not data["choices"]:
                self.add_error("choices", "单选题至少需要两个选项。")
        else:
            data["choices"] = []
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label="问卷文件（.xlsx 或 .json）",
        help_text="导入后生成一个新的问卷版本，不会覆盖已有版本。",
    )


# Saaty's 1–9 scale as the office reads it: the row's dimension compared with the column's.
SAATY_WORDS = {1: "同等重要", 3: "稍微重要", 5: "明显重要", 7: "强烈重要", 9: "极端重要"}


def _saaty_choices():
    choices = []
    for k in range(9, 0, -1):
        choices.append((str(k), f"{k} {SAATY_WORDS.get(k, '介于相邻两级之间')}"))
    for k in range(2, 10):
        word = SAATY_WORDS.get(k, "介于相邻两级之间").replace("重要", "不重要")
        choices.append((f"1/{k}", f"1/{k} {word}"))
    return choices


SAATY_CHOICES = _saaty_choices()


def judgement_field_name(i, j):
    return f"a_{i}_{j}"


class AhpForm(forms.Form):
    """One select per pair above the diagonal; the rest of the matrix follows from them."""

    def __init__(self, *args, dimensions, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimensions = list(dimensions)
        n = len(self.dimensions)
        for i in range(n):
            for j in range(i + 1, n):
                self.fields[judgement_field_name(i, j)] = forms.ChoiceField(
                    label=f"“{self.dimensions[i].name}”相对“{self.dimensions[j].name}”",
                    choices=SAATY_CHOICES,
                    initial="1",
                )

    def judgements(self):
        n = len(self.dimensions)
        return {
            (i, j): self.cleaned_data[judgement_field_name(i, j)]
            for i in range(n)
            for j in range(i + 1, n)
        }

    def value(self, i, j):
        """The entry shown for (i, j): the posted one, else the initial one."""
        name = judgement_field_name(i, j)
        raw = self[name].value()
        return raw if raw is not None else "1"

    def matrix_rows(self):
        """Rows of cells for the template: a select above the diagonal, text elsewhere."""
        n = len(self.dimensions)
        rows = []
        for i, dimension in enumerate(self.dimensions):
            cells = []
            for j in range(n):
                if i == j:
                    cells.append({"kind": "diagonal", "text": "1"})
                elif i < j:
                    cells.append({"kind": "input", "field": self[judgement_field_name(i, j)]})
                else:
                    cells.append(
                        {
                            "kind": "mirror",
                            "source": judgement_field_name(j, i),
                            "text": _reciprocal(self.value(j, i)),
                        }
                    )
            rows.append({"dimension": dimension, "cells": cells})
        return rows


def _reciprocal(raw):
    try:
        return str(1 / Fraction(str(raw)))
    except (ValueError, ZeroDivisionError):
        return "—"
