"""The questionnaire's radio options are written in Python (forms.OptionRadioSelect) for
speed; they must stay exactly what Django's templates would write, or the page's labels,
checked answers and scripts would break."""

import pytest
from django import forms

from surveys.questionnaires import selectors as questionnaires_selectors
from surveys.questionnaires.models import Question
from surveys.submissions.forms import (
    NA,
    OptionRadioSelect,
    QuestionnaireForm,
    field_name,
)


def _template_tag(radio):
    """What Django's own RadioSelect renders for this option, through the templates."""
    context = {"widget": {**radio.data, "wrap_label": False}}
    return forms.RadioSelect._render(
        radio.parent_widget, radio.template_name, context, radio.renderer
    )


def _radios(form):
    for name, field in form.fields.items():
        if isinstance(field.widget, OptionRadioSelect):
            yield from form[name]


@pytest.mark.django_db
@pytest.mark.parametrize("bound", [False, True])
def test_every_option_of_the_standard_questionnaire_renders_as_django_would(questionnaire, bound):
    _dimensions, questions = questionnaires_selectors.questionnaire_sections(questionnaire)
    answers = {}
    for question in questions:
        if question.kind == Question.Kind.LIKERT:
            answers[field_name(question)] = NA if question.allow_na else "4"
        elif question.kind == Question.Kind.YES_NO:
            answers[field_name(question)] = "0"
        elif question.kind == Question.Kind.CHOICE:
            answers[field_name(question)] = question.choices[-1]["value"]
    answers["version"] = "3"
    if bound:
        form = QuestionnaireForm(answers, questions=questions, require_complete=True)
        form.is_valid()
    else:
        form = QuestionnaireForm(initial=answers, questions=questions)
    radios = list(_radios(form))
    assert len(radios) > 50
    assert sum('checked' in radio.tag() for radio in radios) == sum(
        1 for name in answers if name != "version"
    )
    for radio in radios:
        assert radio.tag() == _template_tag(radio)


def test_odd_values_and_attributes_are_escaped_as_the_templates_escape_them():
    class Odd(forms.Form):
        pick = forms.ChoiceField(
            choices=[('a"<b>&', "甲"), ("plain", "乙")],
            widget=OptionRadioSelect(attrs={"data-x": 'q"\'<', "disabled": True, "hidden": False}),
        )

    form = Odd({"pick": 'a"<b>&'})
    radios = list(form["pick"])
    assert radios[0].tag() == _template_tag(radios[0])
    assert radios[1].tag() == _template_tag(radios[1])
    assert "checked" in radios[0].tag() and "&quot;&lt;b&gt;&amp;" in radios[0].tag()
    # The whole widget (not used by the page, but by anything else) still renders.
    assert str(form["pick"]).count('type="radio"') == 2
