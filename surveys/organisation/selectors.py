"""Reads of the organisation: units, branches and their secretaries."""

from surveys.organisation.models import User


def secretaries_by_branch(branch_ids):
    """The active secretary of each branch, in one query."""
    return {
        u.branch_id: u
        for u in User.objects.filter(
            role=User.Role.SECRETARY, is_active=True, branch_id__in=branch_ids
        )
    }
