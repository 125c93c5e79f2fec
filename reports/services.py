"""The office's one write in reports: whether a submission counts in the statistics."""

from django.db import transaction

from reports.models import SubmissionScore
from reports.store import refresh_unit_scores
from surveys.audit import events
from surveys.core.permissions import require_office
from surveys.submissions.models import Submission


def score_set_excluded(*, submission_id, user, excluded: bool) -> SubmissionScore:
    """Exclude a submission from (or restore it to) every aggregate. Scores themselves stay.

    The unit's means are recomputed and the data version moves, so cached pages and charts
    refresh."""
    require_office(user, "只有机关工委工作人员可以调整统计口径。")
    with transaction.atomic():
        score = SubmissionScore.objects.select_for_update().get(submission_id=submission_id)
        score.excluded = excluded
        score.save(update_fields=["excluded"])
        refresh_unit_scores(score.round_id, [score.unit_id])
        submission = Submission.objects.select_related("round", "branch").get(pk=submission_id)
        record = events.score_excluded if excluded else events.score_restored
        record(actor=user, submission=submission)
    return score
