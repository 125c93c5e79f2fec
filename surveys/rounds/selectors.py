"""Reads of rounds: the list with progress, a round's roster, open reminders and the active
branches missing from a roster. Each in a fixed number of queries."""

from dataclasses import dataclass

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

from surveys.organisation.models import Branch
from surveys.organisation.selectors import secretaries_by_branch
from surveys.rounds.models import Reminder, RosterEntry, Round
from surveys.submissions.models import Submission


def rounds_with_progress():
    """Every round with roster size, submitted count and how many active branches are not
    on its roster (office overview; one query), newest first. The order is explicit: a
    grouped query drops Meta.ordering, and the list came out in whatever order the
    database grouped it."""
    missing = (
        _not_on_roster(OuterRef(OuterRef("pk")))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return (
        Round.objects.select_related("questionnaire")
        .annotate(
            roster_count=Count("roster", distinct=True),
            submitted_count=Count(
                "submissions",
                filter=Q(submissions__status=Submission.Status.SUBMITTED),
                distinct=True,
            ),
            missing_count=Subquery(missing, output_field=IntegerField()),
        )
        .order_by("-opens_at", "-id")
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


def reminders_for_rounds(branch, round_ids):
    """The branch's three latest reminders on these rounds (the home page passes those its
    task list shows open and not submitted); no query for none."""
    if not round_ids:
        return []
    return list(
        Reminder.objects.filter(branch=branch, round_id__in=round_ids)
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


@dataclass
class RoundPage:
    """What the office's round page shows, read in a fixed number of queries."""

    round: Round  # with submitted_count / roster_count (rounds_with_progress)
    status: str
    roster: list  # RosterEntry, each with .secretary and .last_reminded
    units: list  # {"unit", "total", "done"} in roster order
    pending: list  # entries not submitted
    is_open: bool  # some branch can still save and submit: 催报 makes sense
    own_deadlines: int
    missing: list  # active branches not on the roster (while the round is not closed)
    reminders: list  # the latest 50 reminders


def round_page(round_id, *, now) -> RoundPage | None:
    round_ = rounds_with_progress().filter(pk=round_id).first()
    if round_ is None:
        return None
    roster = list(round_roster(round_))
    secretaries = secretaries_by_branch([e.branch_id for e in roster])
    last_reminded = dict(
        Reminder.objects.filter(round=round_)
        .order_by("branch_id", "sent_at")
        .values_list("branch_id", "sent_at")
    )
    units = {}
    for entry in roster:
        entry.secretary = secretaries.get(entry.branch_id)
        entry.last_reminded = last_reminded.get(entry.branch_id)
        unit = units.setdefault(
            entry.branch.unit_id, {"unit": entry.branch.unit, "total": 0, "done": 0}
        )
        unit["total"] += 1
        unit["done"] += entry.submission_status == Submission.Status.SUBMITTED
    status = round_.status_at(now)
    return RoundPage(
        round=round_,
        status=status,
        roster=roster,
        units=list(units.values()),
        pending=[e for e in roster if e.submission_status != Submission.Status.SUBMITTED],
        # The round is open, or it has ended and branches with their own later deadline
        # are still filling in.
        is_open=any(e.is_open(now) for e in roster),
        own_deadlines=sum(e.has_own_deadline for e in roster),
        missing=list(branches_missing_from(round_)) if status != Round.Status.CLOSED else [],
        reminders=list(
            Reminder.objects.filter(round=round_).select_related("branch", "sent_by")[:50]
        ),
    )
