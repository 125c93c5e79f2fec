"""Reads that pages need, each in a fixed number of queries."""

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from surveys.models import (
    Answer,
    Branch,
    Dimension,
    Question,
    Reminder,
    RosterEntry,
    Round,
    Submission,
    User,
)


def tasks_for_branch(branch):
    """The branch's roster entries with their round and submission, split in two lists.

    Current: what can be filled in now, the nearest deadline first; then rounds not open
    yet, the soonest first. Past: the rest, the newest round first."""
    submissions = Submission.objects.filter(round_id=OuterRef("round_id"), branch_id=branch.id)
    entries = (
        RosterEntry.objects.filter(branch=branch)
        .select_related("round", "round__questionnaire")
        .annotate(
            submission_id=Subquery(submissions.values("id")[:1]),
            submission_status=Subquery(submissions.values("status")[:1]),
            submission_submitted_at=Subquery(submissions.values("submitted_at")[:1]),
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


def questionnaire_sections(questionnaire):
    """The dimensions of a questionnaire, each with its questions split by kind."""
    dimensions = list(
        Dimension.objects.filter(questionnaire=questionnaire)
        .order_by("order", "id")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
    )
    questions = [q for d in dimensions for q in d.questions.all()]
    return dimensions, questions


def answers_by_question(submission):
    if submission is None:
        return {}
    return {a.question_id: a for a in Answer.objects.filter(submission=submission)}


def rounds_with_progress():
    """Every round with roster size, submitted count and how many active branches are not
    on its roster (office overview; one query)."""
    missing = (
        _not_on_roster(OuterRef(OuterRef("pk")))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Round.objects.select_related("questionnaire").annotate(
        roster_count=Count("roster", distinct=True),
        submitted_count=Count(
            "submissions",
            filter=Q(submissions__status=Submission.Status.SUBMITTED),
            distinct=True,
        ),
        missing_count=Subquery(missing, output_field=IntegerField()),
    )


def round_roster(round_):
    """The roster of a round with each branch's submission status, grouped by unit order."""
    submissions = Submission.objects.filter(round_id=round_.id, branch_id=OuterRef("branch_id"))
    return (
        RosterEntry.objects.filter(round=round_)
        .select_related("round", "branch", "branch__unit")
        .annotate(
            submission_id=Subquery(submissions.values("id")[:1]),
            submission_status=Subquery(submissions.values("status")[:1]),
            submission_submitted_at=Subquery(submissions.values("submitted_at")[:1]),
        )
        .order_by("branch__unit__order", "branch__unit__code", "branch__code")
    )


def secretaries_by_branch(branch_ids):
    """The active secretary of each branch, in one query."""
    return {
        u.branch_id: u
        for u in User.objects.filter(
            role=User.Role.SECRETARY, is_active=True, branch_id__in=branch_ids
        )
    }


def open_reminders(branch):
    """Reminders for the branch's rounds it may still fill in and has not submitted."""
    now = timezone.now()
    submitted = Submission.objects.filter(branch=branch, status=Submission.Status.SUBMITTED).values(
        "round_id"
    )
    still_open = RosterEntry.objects.filter(round_id=OuterRef("round_id"), branch=branch).open_at(
        now
    )
    return (
        Reminder.objects.filter(Exists(still_open), branch=branch)
        .exclude(round_id__in=submitted)
        .select_related("round")
        .order_by("-sent_at")[:3]
    )


def branches_missing_from(round_):
    """Active branches that are not on the round's roster, e.g. created after it."""
    return (
        _not_on_roster(round_.pk)
        .select_related("unit")
        .order_by("unit__order", "unit__code", "code")
    )


def _not_on_roster(round_id):
    """Active branches without a roster entry in that round (an id, or an OuterRef)."""
    on_roster = RosterEntry.objects.filter(round_id=round_id, branch_id=OuterRef("pk"))
    return Branch.objects.filter(is_active=True).exclude(Exists(on_roster))
