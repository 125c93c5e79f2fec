"""The questionnaire page writes its sections from a skeleton rendered once per process
(surveys/submissions/page.py). Whatever the answers, that must be byte for byte what the
template writes — or a secretary would see answers that are not hers, or none."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from surveys.core import memo
from surveys.questionnaires import selectors as questionnaires_selectors
from surveys.questionnaires.models import Question
from surveys.submissions import page
from surveys.submissions.forms import NA, QuestionnaireForm, field_name, na_field_name
from tests.helpers import answer_post


def _through_template(form, dimensions, round_, can_save):
    return render_to_string(
        "surveys/submissions/_sections.html",
        {"sections": page.sections_for(form, dimensions), "round": round_, "can_save": can_save},
    )


def _odd_questionnaire(questionnaire):
    """Every kind, 不适用 on numbers and Likert items, text that needs escaping."""
    questionnaire.questions.filter(kind__in=["number", "likert"]).update(allow_na=True)
    first = questionnaire.questions.order_by("dimension__order", "order").first()
    first.text = 'A <b>"quoted"</b> & odd item'
    first.help_text = "<script>alert(1)</script>"
    first.save()


def _answers(questions, variant):
    initial = {"version": 4}
    for i, question in enumerate(questions):
        name = field_name(question)
        if question.kind == Question.Kind.LIKERT:
            initial[name] = NA if (variant and i % 3 == 0) else str(1 + (i + variant) % 5)
        elif question.kind == Question.Kind.YES_NO:
            initial[name] = "1" if (i + variant) % 2 else "0"
        elif question.kind == Question.Kind.NUMBER:
            if variant and i % 2:
                initial[na_field_name(question)] = True
            else:
                initial[name] = [Decimal("12.5"), "7", 0][variant % 3]
        elif question.kind == Question.Kind.CHOICE:
            initial[name] = question.choices[(i + variant) % len(question.choices)]["value"]
        else:
            initial[name] = ['<a href="x">链接</a> & 5 > 3', "第二行\n第三行", ""][variant % 3]
    return initial


@pytest.mark.django_db
@pytest.mark.parametrize("can_save", [True, False])
@pytest.mark.parametrize("variant", [None, 0, 1, 2])
def test_the_skeleton_writes_what_the_template_writes(questionnaire, open_round, can_save, variant):
    _odd_questionnaire(questionnaire)
    dimensions, questions = questionnaires_selectors.questionnaire_sections(questionnaire)
    initial = {} if variant is None else _answers(questions, variant)
    form = QuestionnaireForm(initial=initial, questions=questions)

    fast = page.sections_html(form, dimensions, round_=open_round, can_save=can_save)

    slow = _through_template(form, dimensions, open_round, can_save)
    assert fast == slow
    if variant is not None:
        assert fast.count(" checked") > 20
    assert "\x00" not in fast


@pytest.mark.django_db
def test_a_re_shown_post_goes_through_the_template(questionnaire, open_round):
    _dimensions, questions = questionnaires_selectors.questionnaire_sections(questionnaire)
    form = QuestionnaireForm({"version": "0"}, questions=questions, require_complete=True)
    form.is_valid()
    assert page.sections_html(form, _dimensions, round_=open_round, can_save=True) is None


@pytest.mark.django_db
def test_the_page_shows_each_secretary_her_own_saved_answers(
    client, questionnaire, open_round, secretary_a, secretary_b
):
    """Two secretaries, one process, one skeleton: each sees her own answers."""
    url = reverse("questionnaire", args=[open_round.pk])
    for user, likert in ((secretary_a, "2"), (secretary_b, "5")):
        client.force_login(user)
        client.post(url, answer_post(questionnaire, version=0, likert=likert))
    memo.clear_all()
    pages = {}
    for user in (secretary_a, secretary_b):
        client.force_login(user)
        pages[user.username] = client.get(url).content.decode()
    likert = questionnaire.questions.filter(kind="likert").first()
    name = field_name(likert)
    for username, value in ((secretary_a.username, "2"), (secretary_b.username, "5")):
        html = pages[username]
        checked = [
            chunk
            for chunk in html.split("<input")
            if f'name="{name}"' in chunk and " checked" in chunk.split(">")[0]
        ]
        assert len(checked) == 1
        assert f'value="{value}"' in checked[0]


@pytest.mark.django_db
def test_the_page_is_written_from_the_skeleton_and_a_changed_question_forgets_it(
    client_a, questionnaire, open_round
):
    url = reverse("questionnaire", args=[open_round.pk])
    assert len(page._skeletons) == 0
    first = client_a.get(url).content.decode()
    assert len(page._skeletons) == 1  # the GET built one, and the next reuses it
    question = questionnaire.questions.order_by("dimension__order", "order").first()
    question.text = "改过的题目文字"
    question.save()  # the admin or a shell, say: every memo is forgotten
    assert len(page._skeletons) == 0
    assert questionnaires_selectors.frozen_sections(questionnaire)[1][0].text == "改过的题目文字"
    again = client_a.get(url).content.decode()
    assert "改过的题目文字" in again and "改过的题目文字" not in first


@pytest.mark.django_db
def test_a_nul_in_a_shown_text_sends_the_page_through_the_template(questionnaire, open_round):
    dimensions, questions = questionnaires_selectors.questionnaire_sections(questionnaire)
    # In memory only: PostgreSQL refuses to store a NUL at all; SQLite would keep it.
    dimensions[0].description = "说明\x00里有一个空字符"
    form = QuestionnaireForm(initial={}, questions=questions)
    assert page.sections_html(form, dimensions, round_=open_round, can_save=True) is None
