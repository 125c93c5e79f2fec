"""The writes of business results: one import replaces a round's results as a whole."""

from django.db import transaction
from django.utils import timezone

from reports import store
from reports.business.models import BusinessResult
from surveys.audit import events
from surveys.core.permissions import require_office
from surveys.organisation.models import Unit


@transaction.atomic
def import_results(*, actor, round_, rows, file="") -> int:
    """Replace the round's business results with ``rows`` (sheet.Row, all valid), in one
    transaction: the round never shows half an import. Returns how many were stored."""
    require_office(actor, "只有机关工委可以导入业务绩效。")
    unit_ids = dict(
        Unit.objects.filter(code__in=[r.unit_code for r in rows]).values_list("code", "pk")
    )
    BusinessResult.objects.filter(round=round_).delete()
    now = timezone.now()
    BusinessResult.objects.bulk_create(
        BusinessResult(
            round=round_,
            unit_id=unit_ids[r.unit_code],
            score=r.score,
            full_mark=r.full_mark,
            rank=r.rank,
            grade=r.grade,
            imported_at=now,
            imported_by=actor,
        )
        for r in rows
    )
    store.bump_version()
    events.business_imported(actor=actor, round_=round_, file=file, count=len(rows))
    return len(rows)


@transaction.atomic
def clear_results(*, actor, round_) -> int:
    require_office(actor, "只有机关工委可以删除业务绩效。")
    deleted, _ = BusinessResult.objects.filter(round=round_).delete()
    store.bump_version()
    events.business_imported(actor=actor, round_=round_, file="", count=0)
    return deleted
