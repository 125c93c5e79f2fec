"""The questionnaire page's sections, written from a skeleton.

The sections (_sections.html: about 36 items, 110 radio options) depend on the questions,
the round and whether the page can save — and on the secretary's answers. Through the
template engine they are most of the page's CPU, on every GET of a deadline evening. So they
are rendered once per process and questionnaire version with markers where an answer goes
(`skeleton`), and each GET only splices the answers in (`fill`).

A marker is NUL-delimited text that no rendered question text contains:
  C|name|value   " checked" if the field's answer is this option
  N|name         " checked" if the 不适用 box is ticked
  V|name         the field's value, as {{ value|default_if_none:'' }} writes it
Only an unbound form without errors is written this way; a re-shown POST (errors, typed
values) goes through the template. tests/surveys/submissions/test_page_skeleton.py holds the
two byte for byte equal."""

from django import forms
from django.template import Context
from django.template.base import render_value_in_context
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from surveys.core.memo import Memo
from surveys.questionnaires.models import Question
from surveys.submissions.forms import (
    QuestionnaireForm,
    counts_things,
    field_name,
    na_field_name,
    number_range,
)
from surveys.submissions.markers import MARK

_skeletons = Memo(size=64)  # (questionnaire, round, can_save) -> parts


def sections_for(form, dimensions):
    """Group bound fields per dimension and kind, for _sections.html."""
    sections = []
    for dimension in dimensions:
        section = {"dimension": dimension, "likert": [], "facts": [], "texts": []}
        for question in dimension.questions.all():
            item = {
                "question": question,
                "field": form[field_name(question)],
                "na_field": form[na_field_name(question)]
                if na_field_name(question) in form.fields
                else None,
                "integer": counts_things(question),
                "range": number_range(question) if question.kind == Question.Kind.NUMBER else "",
            }
            if question.kind == Question.Kind.LIKERT:
                section["likert"].append(item)
            elif question.kind == Question.Kind.TEXT:
                section["texts"].append(item)
            else:
                section["facts"].append(item)
        section["likert_has_na"] = any(i["question"].allow_na for i in section["likert"])
        sections.append(section)
    return sections


def sections_html(form, dimensions, *, round_, can_save):
    """The sections' markup for this form, or None when it must go through the template
    (a bound form: it may carry errors and what was typed)."""
    if form.is_bound:
        return None
    key = (round_.questionnaire_id, round_.pk, bool(can_save))
    parts = _skeletons.get(key, lambda: skeleton(form.questions, dimensions, round_, can_save))
    if parts is None:
        return None
    return mark_safe(fill(parts, form))


def skeleton(questions, dimensions, round_, can_save):
    """The sections rendered with a marker wherever an answer goes, split at the markers:
    [text, marker, text, marker, …, text]; None if a text the sections show holds a NUL."""
    texts = [t for d in dimensions for t in (d.name, d.problem, d.description, d.code)]
    for question in questions:
        texts += [question.code, question.text, question.help_text, question.unit_label]
        texts += [str(c.get("value", "")) + str(c.get("label", "")) for c in question.choices or []]
    if any(MARK in (t or "") for t in texts):
        return None
    form = QuestionnaireForm(questions=questions, marked=True)
    html = render_to_string(
        "surveys/submissions/_sections.html",
        {"sections": sections_for(form, dimensions), "round": round_, "can_save": can_save},
    )
    return html.split(MARK)


def fill(parts, form):
    """The skeleton with this form's answers in it, byte for byte what _sections.html
    would write for the form."""
    context = Context()
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            out.append(part)
            continue
        kind, name, *rest = part.split("|", 2)
        bound = form[name]
        if kind == "V":
            value = bound.value()
            out.append("" if value is None else render_value_in_context(value, context))
        elif kind == "C":
            if rest[0] in bound.field.widget.format_value(bound.value()):
                out.append(" checked")
        elif kind == "N":
            if forms.CheckboxInput().check_test(bound.value()):
                out.append(" checked")
    return "".join(out)
