"""Reads of submissions: a secretary's tasks and the entry they may fill in, the submissions
a user may see, and a submission's answers by question. Each in a fixed number of queries."""

from django.shortcuts import get_object_or_404
from django.utils import timezone

from surveys.audit.models import AuditEvent
from surveys.core.sessions import stored_expiry
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Answer, Submission


def tasks_for_branch(branch):
    """The branch's roster entries with their round and submission, split in two lists.

    Current: what can be filled in now, the nearest deadline first; then rounds not open
    yet, the soonest first. Past: the rest, the newest round first."""
    entries = list(
        RosterEntry.objects.filter(branch=branch)
        .select_related("round", "round__questionnaire")
        .order_by("-round__opens_at", "-round_id")
    )
    # Two plain reads rather than five correlated subqueries: on a deadline evening this is
    # every secretary's first page, and compiling those subqueries was most of its CPU.
    submissions = {
        s["round_id"]: s
        for s in Submission.objects.filter(branch_id=branch.id).values(
            "round_id", "id", "status", "submitted_at", "return_reason"
        )
    }
    # When the office last returned a submission (退回): the reason is on the submission,
    # the moment only in the audit log. Read only when one is returned now.
    returned_at = {}
    returned = [s["id"] for s in submissions.values() if s["status"] == Submission.Status.RETURNED]
    if returned:
        for submission_id, at in (
            AuditEvent.objects.filter(action=AuditEvent.Action.RETURNED, submission_id__in=returned)
            .order_by("at", "id")
            .values_list("submission_id", "at")
        ):
            returned_at[submission_id] = at  # the latest wins
    for entry in entries:
        submission = submissions.get(entry.round_id, {})
        entry.submission_id = submission.get("id")
        entry.submission_status = submission.get("status")
        entry.submission_submitted_at = submission.get("submitted_at")
        entry.submission_return_reason = submission.get("return_reason")
        entry.submission_returned_at = returned_at.get(entry.submission_id)
    now = timezone.now()
    open_now, scheduled, past = [], [], []
    for entry in entries:
        entry.round_status = entry.round.status_at(now)
        entry.time_left = entry.closes_at - now if entry.is_open(now) else None
        if entry.is_open(now):
            open_now.append(entry)
        elif entry.round_status == Round.Status.SCHEDULED:
            scheduled.append(entry)
        else:
            past.append(entry)
    open_now.sort(key=lambda e: (e.closes_at, e.round_id))
    scheduled.sort(key=lambda e: (e.round.opens_at, e.round_id))
    return open_now + scheduled, past


def roster_entry_for_secretary(user, round_id):
    """The secretary's own roster entry for a round, or 404: other branches do not exist."""
    return get_object_or_404(
        RosterEntry.objects.select_related("round", "round__questionnaire", "branch__unit"),
        round_id=round_id,
        branch_id=user.branch_id,
    )


def submission_for_entry(entry, *, with_submitter=False):
    """The branch's submission on the entry's round, or None before the first draft."""
    submissions = Submission.objects.filter(round_id=entry.round_id, branch_id=entry.branch_id)
    if with_submitter:
        submissions = submissions.select_related("submitted_by")
    return submissions.first()


def visible_submissions(user):
    """Submissions a user may read: a secretary their own branch's, the office all."""
    qs = Submission.objects.select_related(
        "round", "round__questionnaire", "branch", "branch__unit", "submitted_by"
    )
    if user.is_office:
        return qs
    if user.is_secretary:
        return qs.filter(branch_id=user.branch_id)
    return qs.none()


def login_expires_at(session):
    """When this login ends. Sessions are saved at login and seldom after (no
    SESSION_SAVE_EVERY_REQUEST), so the end is the stored row's, not "now + the age". Our
    session store keeps it in the session (surveys/core/sessions.py); a session saved
    before costs one query."""
    expires = stored_expiry(session)
    if expires is not None:
        return expires
    model = getattr(session, "model", None)  # the db and cached_db stores
    if model is not None and session.session_key:
        expires = (
            model.objects.filter(session_key=session.session_key)
            .values_list("expire_date", flat=True)
            .first()
        )
        if expires is not None:
            return expires
    return session.get_expiry_date()


def answers_by_question(submission):
    if submission is None:
        return {}
    return {a.question_id: a for a in Answer.objects.filter(submission=submission)}
