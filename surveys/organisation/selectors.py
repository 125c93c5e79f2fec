"""Reads of the organisation: units, branches and their secretaries."""

from surveys.organisation.models import User


def secretaries_by_branch(branch_ids=None):
    """The active secretary of each branch ({branch id: User}), of the given branches or of
    every branch, in one query. The one read of "who is this branch's secretary now"."""
    secretaries = User.objects.filter(
        role=User.Role.SECRETARY, is_active=True, branch__isnull=False
    )
    if branch_ids is not None:
        secretaries = secretaries.filter(branch_id__in=branch_ids)
    return {u.branch_id: u for u in secretaries}
