"""The secretary's home page and branch report: a submitted task no longer looks like an
alarm, and the report says what its main cause means."""

import pytest
from django.urls import reverse

from reports.charts.profile import CAUSE_NOTES
from reports.models import SubmissionScore
from surveys.questionnaires.models import CauseTag
from surveys.submissions.models import Submission
from tests.helpers import answer_post

pytestmark = pytest.mark.django_db


def test_home_shows_the_submitted_state_instead_of_the_deadline(
    client_a, questionnaire, open_round
):
    home = reverse("home")
    assert "距截止还有" in client_a.get(home).content.decode()

    client_a.post(
        reverse("questionnaire", args=[open_round.pk]),
        answer_post(questionnaire, version=0, action="submit"),
    )
    html = client_a.get(home).content.decode()
    assert "距截止还有" not in html
    assert f'id="submitted-{open_round.pk}"' in html and "提交" in html
    current = html.split('id="current-title"', 1)[1].split('id="past-title"', 1)[0]
    assert ">已提交</span>" not in current, "said once, in words, not again as a badge"


@pytest.mark.parametrize("tag", list(CauseTag))
def test_branch_report_explains_the_main_cause(client_a, questionnaire, open_round, tag):
    client_a.post(
        reverse("questionnaire", args=[open_round.pk]),
        answer_post(questionnaire, version=0, action="submit"),
    )
    submission = Submission.objects.get()
    SubmissionScore.objects.filter(submission=submission).update(main_cause=tag.value)

    html = client_a.get(reverse("branch_report", args=[submission.pk])).content.decode()
    line = html.split('id="main-cause"', 1)[1].split("</div>", 1)[0]
    assert f"<strong>{tag.label}</strong>（{CAUSE_NOTES[tag.label]}）" in line
