"""Reads of evidence files: a secretary's own for the questionnaire page, the files of one
submitted version, and the one file a user may download."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from surveys.evidence.models import Evidence
from surveys.submissions.selectors import visible_submissions


def current_evidence(submission):
    """The files on the answers now (what the next submit carries), one query."""
    if submission is None:
        return []
    return list(
        Evidence.objects.filter(submission=submission, removed_before__isnull=True).select_related(
            "question"
        )
    )


def evidence_of_version(submission, number):
    """The files submitted version `number` carried."""
    return list(
        Evidence.objects.filter(submission=submission, submitted_in__lte=number)
        .filter(Q(removed_before__isnull=True) | Q(removed_before__gt=number))
        .select_related("question")
    )


def evidence_for_detail(submission):
    """What the submission's page shows: the latest submitted version's files once it has
    been submitted; a draft's or returned submission's current files otherwise."""
    if submission.status == submission.Status.SUBMITTED:
        return evidence_of_version(submission, submission.snapshots.count())
    return current_evidence(submission)


def by_question(evidence):
    grouped = {}
    for item in evidence:
        grouped.setdefault(item.question_id, []).append(item)
    return grouped


def visible_evidence(user, pk):
    """One file the user may fetch, or 404: another branch's files do not exist for them."""
    return get_object_or_404(
        Evidence.objects.filter(submission__in=visible_submissions(user).values("pk")), pk=pk
    )
