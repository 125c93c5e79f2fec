"""Charts drawn before anyone asks for them (issue 14): after the scores change, one
background task renders the current data version's dashboard, its round charts, the round
PDF's charts and the unit pages' charts into the shared cache, so the office's next look is
a cache hit.

Coalesced: every commit that moves the data version sends reports.store.version_moved; the
first one sets WARM_PENDING (cache.add, shared by every process of the host) and enqueues the
task DELAY later; the others find the key and enqueue nothing. The task deletes the key when
it starts, so a change that lands while it draws schedules one more run, never one per
submit. Only with a backend that runs tasks later (db_worker): the immediate backend would
draw inside the submit's own request, which is what warming is there to avoid.
"""

import datetime as dt
import logging

from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django_tasks import default_task_backend, task

from reports import selectors, views
from reports.exports import pdf
from reports.store import version_moved
from surveys.organisation.models import User
from surveys.rounds.models import Round

logger = logging.getLogger(__name__)

WARM_PENDING = "warm-pending"
PENDING_SECONDS = 10 * 60  # a task lost with its worker blocks warming this long at most
DELAY = dt.timedelta(seconds=3)  # a burst of submits lands first, then one task draws
MAX_ROUNDS = 3


def schedule(**_signal):
    """version_moved's receiver: enqueue one warming task unless one is pending. Never
    raises: a submit has committed by now, and warming is only ever a head start."""
    try:
        if not default_task_backend.supports_defer:
            return
        if not cache.add(WARM_PENDING, 1, PENDING_SECONDS):
            return
        try:
            warm_charts.using(run_after=timezone.now() + DELAY).enqueue()
        except Exception:
            cache.delete(WARM_PENDING)  # the next change tries again
            raise
    except Exception:
        logger.exception("could not schedule chart warming")


def connect():
    version_moved.connect(schedule, dispatch_uid="reports-warming")


@task()
def warm_charts():
    cache.delete(WARM_PENDING)
    warm()


def rounds_to_warm():
    """The dashboard's default round and the rounds that can still take a submit (an open
    round, or a branch's extended deadline), newest first."""
    rounds = selectors.rounds_for_picker()
    if not rounds:
        return []
    now = timezone.now()
    live = set(
        Round.objects.filter(pk__in=[r.pk for r in rounds])
        .filter(Q(closes_at__gt=now) | Q(roster__closes_at_override__gt=now), opens_at__lte=now)
        .values_list("pk", flat=True)
    )
    chosen = [rounds[0]] + [r for r in rounds[1:] if r.pk in live]
    return chosen[:MAX_ROUNDS]


def warm():
    """Draw what the next dashboard view, the round PDF and the unit pages need, at the
    current version, most looked-at first.

    The dashboard's and the unit pages' charts are kept under the data version; once it has
    moved on they are stale, and the change that moved it has queued the next run, so this
    one leaves them. The PDF's charts are kept under their data (reports/chart_store.py): a
    unit that did not change keeps its charts, so those are drawn whatever the version."""
    version = selectors.data_version()

    def moved():
        return selectors.data_version() != version

    office = User.objects.filter(role=User.Role.OFFICE, is_active=True).order_by("pk").first()
    units = {}  # round: its units, in the PDF's (ranking) order
    for round_ in rounds_to_warm():
        if not moved():
            if office is not None:
                # The page's fragment is the same for every office user (it names nobody).
                views.dashboard(_dashboard_request(round_, office))
            for name in views.ROUND_CHARTS:
                views.round_chart_cached(round_.pk, name, "svg", version)
        units[round_] = pdf.round_report_charts(round_)
    for round_, round_units in units.items():
        for unit in round_units:
            if moved():
                return
            views.unit_page_charts(round_, unit, version)


def _dashboard_request(round_, user):
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(f"round={round_.pk}")
    request.user = user
    return request
