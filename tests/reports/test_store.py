"""Scores are stored when a submission is submitted, and a round can be re-scored."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports import scoring
from reports.models import DimensionScore, SubmissionScore
from reports.store import rescore_round, scoring_model
from surveys.questionnaires.models import Question
from tests.helpers import answer_post, submit

pytestmark = pytest.mark.django_db


def test_submit_stores_scores_in_the_same_transaction(
    client, secretary_a, open_round, questionnaire
):
    submission = submit(client, secretary_a, open_round, questionnaire, likert="4")
    stored = SubmissionScore.objects.get(submission=submission)
    # Every Likert answer is 4: plain items score 75, reverse-keyed ones 25; facts answer 3
    # and yes; the stored numbers are exactly what the scoring module computes.
    model = scoring_model(questionnaire)
    answers = {}
    for q in questionnaire.questions.all():
        answers[q.code] = {"likert": 4, "yes_no": True, "number": 3}.get(q.kind)
    expected = scoring.score_submission(model, answers)
    assert stored.index == pytest.approx(expected.index)
    assert stored.grade == expected.grade
    assert stored.main_cause == expected.main_cause
    assert stored.unit_id == secretary_a.branch.unit_id
    assert stored.straightlined is True  # all Likert answers identical
    dims = dict(
        DimensionScore.objects.filter(score_of=stored).values_list("dimension__code", "score")
    )
    assert dims == pytest.approx(expected.dimensions)


def test_draft_has_no_scores(client, secretary_a, open_round, questionnaire):
    client.force_login(secretary_a)
    client.post(
        reverse("questionnaire", args=[open_round.pk]), answer_post(questionnaire, version=0)
    )
    assert not SubmissionScore.objects.exists()


def test_rescore_reports_what_changed_and_keeps_exclusion(
    client, secretary_a, secretary_b, open_round, questionnaire
):
    first = submit(client, secretary_a, open_round, questionnaire, likert="5")
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    SubmissionScore.objects.filter(submission=first).update(excluded=True)

    unchanged = rescore_round(open_round)
    assert unchanged.scored == 2 and unchanged.changed == []

    # The office makes one item count three times as much: scores move, and the report says so.
    Question.objects.filter(
        questionnaire=questionnaire, kind=Question.Kind.LIKERT, reverse_keyed=True
    ).update(weight=3)
    report = rescore_round(open_round)
    assert report.scored == 2
    assert {row[0] for row in report.changed} == {"县水利局机关党支部", "县财政局机关党支部"}
    assert SubmissionScore.objects.get(submission=first).excluded is True


def test_rescore_command_prints_changes(client, secretary_a, open_round, questionnaire, capsys):
    submit(client, secretary_a, open_round, questionnaire)
    SubmissionScore.objects.update(index=1.0)
    call_command("rescore", open_round.pk)
    out = capsys.readouterr().out
    assert "重新计算 1 份答卷，1 份得分或等次有变化" in out
    assert "县水利局机关党支部：1.00" in out


def test_vectorised_rescore_equals_submit_time_scores(
    client, secretary_a, secretary_b, open_round, questionnaire
):
    submit(client, secretary_a, open_round, questionnaire, likert="3")
    submit(client, secretary_b, open_round, questionnaire, likert="5", answers={"HLF2": "NA"})
    at_submit = dict(SubmissionScore.objects.values_list("submission_id", "index"))
    rescore_round(open_round)
    assert dict(SubmissionScore.objects.values_list("submission_id", "index")) == at_submit
