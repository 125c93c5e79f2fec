"""The office's one write in reports: whether a submission counts in the statistics."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from reports.models import SubmissionScore
from reports.store import refresh_unit_scores
from surveys.submissions.models import Submission
from surveys.submissions.services import record_score_exclusion


def score_set_excluded(*, submission_id, user, excluded: bool) -> SubmissionScore:
    """Exclude a submission from (or restore it to) every aggregate. Scores themselves stay.

    The unit's means are recomputed and the data version moves, so cached pages and charts
    refresh."""
    if not user.is_office:
        raise PermissionDenied("只有机关工委工作人员可以调整统计口径。")
    with transaction.atomic():
        score = SubmissionScore.objects.select_for_update().get(submission_id=submission_id)
        score.excluded = excluded
        score.save(update_fields=["excluded"])
        refresh_unit_scores(score.round_id, [score.unit_id])
        submission = Submission.objects.select_related("round", "branch").get(pk=submission_id)
        record_score_exclusion(user=user, submission=submission, excluded=excluded)
    return score
