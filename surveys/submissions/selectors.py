"""Reads of submissions: a secretary's tasks and the entry they may fill in, the submissions
a user may see, and a submission's answers by question. Each in a fixed number of queries."""

from django.db.models import (
    OuterRef,
    Subquery,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from surveys.audit.models import AuditEvent
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Answer, Submission


def tasks_for_branch(branch):
    """The branch's roster entries with their round and submission, split in two lists.

    Current: what can be filled in now, the nearest deadline first; then rounds not open
    yet, the soonest first. Past: the rest, the newest round first."""
    submissions = Submission.objects.filter(round_id=OuterRef("round_id"), branch_id=branch.id)
    # When the office last returned the submission (退回): the reason is on the submission,
    # the moment only in the audit log.
    returned = AuditEvent.objects.filter(
        action=AuditEvent.Action.RETURNED,
        submission__round_id=OuterRef("round_id"),
        submission__branch_id=branch.id,
    ).order_by("-at", "-id")
    entries = (
        RosterEntry.objects.filter(branch=branch)
        .select_related("round", "round__questionnaire")
        .annotate(
            submission_id=Subquery(submissions.values("id")[:1]),
            submission_status=Subquery(submissions.values("status")[:1]),
            submission_submitted_at=Subquery(submissions.values("submitted_at")[:1]),
            submission_return_reason=Subquery(submissions.values("return_reason")[:1]),
            submission_returned_at=Subquery(returned.values("at")[:1]),
        )
        .order_by("-round__opens_at", "-round_id")
    )
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
    SESSION_SAVE_EVERY_REQUEST), so the end is the stored row's, not "now + the age"; one
    query for a database-backed session, none for the others."""
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
