"""Build questionnaire POST data from the questionnaire itself, whatever its codes."""

import re

from surveys.models import Question


def answer_post(questionnaire, *, version, action="save", likert="4", skip=(), overrides=None):
    """A complete, valid POST for every question, less the codes in `skip`."""
    data = {"version": str(version), "action": action}
    for question in questionnaire.questions.all():
        if question.code in skip:
            continue
        name = f"q_{question.code}"
        if question.kind == Question.Kind.LIKERT:
            data[name] = likert
        elif question.kind == Question.Kind.YES_NO:
            data[name] = "1"
        elif question.kind == Question.Kind.NUMBER:
            data[name] = "3"
        elif question.kind == Question.Kind.CHOICE:
            data[name] = question.choices[0]["value"]
        else:
            data[name] = f"{question.code} 的做法：把党建和业务一起谋划。"
    data.update(overrides or {})
    return data


def first_question(questionnaire, kind):
    return questionnaire.questions.filter(kind=kind).order_by("dimension__order", "order").first()


def csrf_token_from(html):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)
