"""Build questionnaire POST data from the questionnaire itself, whatever its codes; run
writers at the same moment on real threads."""

import re
import threading

from django.db import connection
from django.urls import reverse

from surveys.questionnaires.models import Question
from surveys.submissions.models import Submission


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


def values_for(questionnaire, likert):
    values = {}
    for question in questionnaire.questions.all():
        values[question.code] = {
            "likert": likert,
            "yes_no": True,
            "number": 2,
            "text": "做法",
        }.get(question.kind, question.choices[0]["value"] if question.choices else None)
    return values


def run_concurrently(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def worker(i, job):
        try:
            barrier.wait()
            outcomes[i] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def submit(client, user, round_, questionnaire, likert="4", *, action="submit", answers=None):
    """`user` fills in the whole questionnaire page and saves or submits it, as a secretary
    would; `answers` maps question codes to values that differ from the defaults. Logs the
    client out again and returns the branch's submission."""
    client.force_login(user)
    data = answer_post(
        questionnaire,
        version=0,
        action=action,
        likert=likert,
        overrides={f"q_{code}": value for code, value in (answers or {}).items()},
    )
    response = client.post(reverse("questionnaire", args=[round_.pk]), data)
    assert response.status_code == 302
    client.logout()
    return Submission.objects.get(round=round_, branch=user.branch)
