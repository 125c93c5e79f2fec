"""The Django admin is no side door: what branches submitted and what the app recorded about
it are shown read-only, and nothing that would take them with it can be deleted there.

- root: a superuser, the administrator of docs/domain.md; may do everything the admin offers.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reports.models import SubmissionScore
from surveys.audit.models import AuditEvent
from surveys.organisation.models import Branch, Unit, User
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Answer, Submission, SubmissionSnapshot
from tests.conftest import PASSWORD, make_round
from tests.helpers import submit

pytestmark = pytest.mark.django_db

NOTE = "只能查看"


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def submitted(client, secretary_a, open_round, questionnaire):
    return submit(client, secretary_a, open_round, questionnaire)


@pytest.fixture
def root_client(client, root, submitted):
    client.force_login(root)
    return client


def url(name, obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=[obj.pk])


def list_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


class _Fields(HTMLParser):
    """What a browser would post back from the page's forms, unchanged."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(response):
    parser = _Fields()
    parser.feed(response.content.decode())
    return parser.data


def answer_values(submission):
    return list(
        Answer.objects.filter(submission=submission)
        .order_by("pk")
        .values_list("likert", "flag", "number", "choice", "text", "not_applicable")
    )


# ------------------------------------------------ records: view, never change -------


def test_a_submitted_submission_shows_read_only_and_a_post_changes_nothing(root_client, submitted):
    answers = answer_values(submitted)
    answer = submitted.answers.exclude(likert=None).first()

    page = root_client.get(url("change", submitted))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="_save"' not in body and 'name="answers-0-likert"' not in body
    assert NOTE in body and "退回" in body

    response = root_client.post(
        url("change", submitted),
        {
            "round": submitted.round_id,
            "branch": submitted.branch_id,
            "status": Submission.Status.DRAFT,
            "version": submitted.version,
            "answers-TOTAL_FORMS": "1",
            "answers-INITIAL_FORMS": "1",
            "answers-0-id": answer.pk,
            "answers-0-submission": submitted.pk,
            "answers-0-question": answer.question_id,
            "answers-0-likert": "1" if answer.likert != 1 else "5",
            "_save": "保存",
        },
    )
    assert response.status_code == 403
    fresh = Submission.objects.get(pk=submitted.pk)
    assert (fresh.status, fresh.version) == (Submission.Status.SUBMITTED, submitted.version)
    assert answer_values(submitted) == answers


def test_a_submission_can_be_neither_deleted_nor_added(root_client, submitted):
    assert root_client.get(url("delete", submitted)).status_code == 403
    assert root_client.post(url("delete", submitted), {"post": "yes"}).status_code == 403
    assert root_client.get(reverse("admin:surveys_submission_add")).status_code == 403
    assert Submission.objects.filter(pk=submitted.pk).exists()
    assert Answer.objects.filter(submission=submitted).exists()

    # Nor through the change list's bulk delete action.
    response = root_client.post(
        list_url(Submission),
        {"action": "delete_selected", "_selected_action": [submitted.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert Submission.objects.filter(pk=submitted.pk).exists()


def test_a_snapshot_can_be_neither_changed_nor_deleted(root_client, submitted):
    snapshot = SubmissionSnapshot.objects.get(submission=submitted)
    stored = snapshot.answers

    page = root_client.get(url("change", snapshot))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = root_client.post(
        url("change", snapshot),
        {
            "submission": submitted.pk,
            "number": "7",
            "submitted_at_0": "2026-01-01",
            "submitted_at_1": "08:00:00",
            "answers": "{}",
        },
    )
    assert response.status_code == 403
    assert root_client.post(url("delete", snapshot), {"post": "yes"}).status_code == 403
    fresh = SubmissionSnapshot.objects.get(pk=snapshot.pk)
    assert (fresh.number, fresh.answers) == (snapshot.number, stored)


def test_an_audit_event_can_be_neither_changed_nor_deleted(root_client, submitted):
    event = AuditEvent.objects.get(submission=submitted, action=AuditEvent.Action.SUBMITTED)
    assert root_client.get(url("change", event)).status_code == 200
    response = root_client.post(url("change", event), {"action": "returned", "detail": "{}"})
    assert response.status_code == 403
    assert root_client.get(url("delete", event)).status_code == 403
    assert root_client.post(url("delete", event), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == AuditEvent.Action.SUBMITTED


def test_a_stored_score_cannot_be_excluded_or_deleted_in_the_admin(root_client, submitted):
    score = SubmissionScore.objects.get(submission=submitted)
    assert not score.excluded

    page = root_client.get(url("change", score))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="excluded"' not in body and NOTE in body and "计入统计" in body
    assert root_client.post(url("change", score), {"excluded": "on"}).status_code == 403
    assert root_client.post(url("delete", score), {"post": "yes"}).status_code == 403
    score.refresh_from_db()
    assert not score.excluded


@pytest.mark.parametrize("model", [Submission, SubmissionSnapshot, AuditEvent, SubmissionScore])
def test_the_record_lists_load_say_where_changes_are_made_and_search(
    root_client, model, branch_a, branch_b
):
    response = root_client.get(list_url(model))
    assert response.status_code == 200
    body = response.content.decode()
    assert NOTE in body
    assert 'value="delete_selected"' not in body
    assert reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add") not in body

    found = root_client.get(list_url(model), {"q": branch_a.name}).context["cl"].result_count
    missing = root_client.get(list_url(model), {"q": branch_b.name}).context["cl"].result_count
    assert (found > 0, missing) == (True, 0)


# ---------------------------------------- no delete takes submitted data with it ----


def test_a_round_with_submissions_cannot_be_deleted(root_client, open_round):
    assert root_client.get(url("delete", open_round)).status_code == 403
    assert root_client.post(url("delete", open_round), {"post": "yes"}).status_code == 403
    assert Round.objects.filter(pk=open_round.pk).exists()
    assert RosterEntry.objects.filter(round=open_round).count() == 2


def test_a_round_without_submissions_can_still_be_deleted(
    root_client, questionnaire, branch_b, open_round
):
    spare = make_round(
        questionnaire,
        [branch_b],
        opens_at=open_round.opens_at,
        closes_at=open_round.closes_at,
        name="建错了的批次",
    )
    response = root_client.post(url("delete", spare), {"post": "yes"})
    assert response.status_code == 302
    assert not Round.objects.filter(pk=spare.pk).exists()


def test_a_branch_or_unit_with_submissions_cannot_be_deleted(root_client, branch_a):
    assert root_client.get(url("delete", branch_a)).status_code == 403
    assert root_client.post(url("delete", branch_a), {"post": "yes"}).status_code == 403
    assert root_client.post(url("delete", branch_a.unit), {"post": "yes"}).status_code == 403
    assert Branch.objects.filter(pk=branch_a.pk).exists()
    assert Unit.objects.filter(pk=branch_a.unit_id).exists()


def test_a_unit_whose_stored_scores_outlived_its_branches_cannot_be_deleted(
    root_client, submitted, branch_a, unit_b
):
    # The branch moved to another unit after submitting: its score still counts for the old.
    old_unit = branch_a.unit
    Branch.objects.filter(pk=branch_a.pk).update(unit=unit_b)
    assert root_client.post(url("delete", old_unit), {"post": "yes"}).status_code == 403
    assert SubmissionScore.objects.filter(submission=submitted, unit=old_unit).exists()


def test_a_secretary_who_submitted_cannot_be_deleted(root_client, secretary_a, secretary_b):
    assert root_client.post(url("delete", secretary_a), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=secretary_a.pk).exists()
    # One who never submitted still can be.
    assert root_client.post(url("delete", secretary_b), {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=secretary_b.pk).exists()


# ---------------------------------------------------- the round's roster inline ------


def roster_post(root_client, round_, delete_branch):
    page = root_client.get(url("change", round_))
    assert page.status_code == 200
    data = form_data(page)
    entries = {
        data[key.replace("-branch", "-id")]: key
        for key in data
        if key.startswith("roster-") and key.endswith("-branch") and "__prefix__" not in key
    }
    entry = RosterEntry.objects.get(round=round_, branch=delete_branch)
    data[entries[str(entry.pk)].replace("-branch", "-DELETE")] = "on"
    return root_client.post(url("change", round_), data)


def test_a_branch_that_submitted_stays_on_the_roster(root_client, open_round, branch_a):
    response = roster_post(root_client, open_round, branch_a)
    assert response.status_code == 200  # the form again, with the reason
    assert "已有答卷的支部不能移出本批次的参评名单" in response.content.decode()
    assert RosterEntry.objects.filter(round=open_round, branch=branch_a).exists()


def test_a_branch_that_did_not_submit_can_leave_the_roster(root_client, open_round, branch_b):
    response = roster_post(root_client, open_round, branch_b)
    assert response.status_code == 302
    assert not RosterEntry.objects.filter(round=open_round, branch=branch_b).exists()


def test_the_version_of_a_round_with_submissions_cannot_be_changed(
    root_client, open_round, questionnaire
):
    body = root_client.get(url("change", open_round)).content.decode()
    assert 'name="questionnaire"' not in body and 'name="_save"' in body
