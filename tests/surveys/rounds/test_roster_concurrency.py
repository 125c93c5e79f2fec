"""Two "加入参评名单" at the same moment (a double click, two office tabs) add each branch
once and fail neither request (real connections, real threads; on PostgreSQL they truly
overlap, on SQLite the IMMEDIATE transactions queue)."""

import pytest

from reports.models import ScoresVersion
from surveys.audit.models import AuditEvent
from surveys.organisation.models import Branch
from surveys.rounds import services
from surveys.rounds.models import RosterEntry
from tests.helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_adds_create_each_roster_entry_once(office, open_round, unit_a, unit_b):
    new = [
        Branch.objects.create(unit=unit, code=f"{unit.code}-{i}", name=f"{unit.name}第{i}党支部")
        for unit in (unit_a, unit_b)
        for i in range(2, 6)
    ]
    before = ScoresVersion.objects.get_or_create(pk=1)[0].value

    outcomes = run_concurrently(
        [lambda: services.roster_add(user=office, round_=open_round) for _ in range(4)]
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    added = [b.pk for o in outcomes for b in o]
    assert sorted(added) == sorted(b.pk for b in new)  # each added by exactly one request
    assert RosterEntry.objects.filter(round=open_round).count() == 2 + len(new)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ROUND_CHANGED)
    assert sum(len(e.detail["added"]) for e in events) == len(new)
    assert ScoresVersion.objects.get(pk=1).value > before
