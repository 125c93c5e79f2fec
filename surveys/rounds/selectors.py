"""Reads of rounds: the list with progress, a round's roster, open reminders and the active
branches missing from a roster. Each in a fixed number of queries."""

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone

from surveys.organisation.models import Branch
from surveys.rounds.models import Reminder, RosterEntry, Round
from surveys.submissions.models import Submission


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
