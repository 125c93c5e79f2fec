"""Charts drawn in the background after the scores change (reports/warming.py): after a
submit the office's next dashboard view and the round PDF draw nothing, a storm of submits
schedules one task, and warming going wrong never costs a secretary her submit."""

from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django_tasks import default_task_backend
from django_tasks.backends.base import BaseTaskBackend
from matplotlib.figure import Figure

from reports import views, warming
from reports.exports import pdf
from reports.store import bump_version
from reports.views import ROUND_CHARTS, UNIT_CHARTS
from surveys.submissions.models import Submission
from tests.helpers import submit

# db_worker's stand-in: keeps what is enqueued, runs nothing, honours run_after.
LATER = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class BrokenBackend(BaseTaskBackend):
    supports_defer = True

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("the task queue is down")


BROKEN = {"default": {"BACKEND": f"{__name__}.BrokenBackend"}}


@pytest.fixture
def drawn():
    """Counts the charts drawn (every chart, SVG or PNG, is one Figure.draw)."""
    with mock.patch.object(Figure, "draw", autospec=True, side_effect=Figure.draw) as counter:
        yield counter


def _enqueued():
    return [r for r in default_task_backend.results if r.task.func is warming.warm_charts.func]


def _dashboard_urls(round_):
    return [reverse("dashboard") + f"?round={round_.pk}"] + [
        reverse("round_chart", args=[round_.pk, name, "svg"]) for name in ROUND_CHARTS
    ]


@override_settings(TASKS=LATER)
def test_after_a_submit_the_warmed_dashboard_and_round_pdf_draw_nothing(
    client,
    office,
    secretary_a,
    secretary_b,
    open_round,
    questionnaire,
    drawn,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    submit(client, secretary_b, open_round, questionnaire, likert="3")
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, secretary_a, open_round, questionnaire, likert="5")
    assert len(_enqueued()) == 1
    assert _enqueued()[0].task.run_after is not None  # later, not inside the submit's request
    assert drawn.call_count == 0

    _enqueued()[0].task.call()  # what db_worker runs a few seconds later
    assert drawn.call_count > 0

    drawn.reset_mock()
    client.force_login(office)
    for url in _dashboard_urls(open_round):
        # session, user, data version: page fragment and charts come from the cache
        with django_assert_num_queries(3):
            assert client.get(url).status_code == 200
    pdf.round_report_pdf(open_round)
    assert drawn.call_count == 0

    # A unit's page: its charts come from the cache too.
    for unit in (secretary_a.branch.unit, secretary_b.branch.unit):
        for name in UNIT_CHARTS:
            url = reverse("unit_chart", args=[open_round.pk, unit.pk, name, "svg"])
            response = client.get(url)
            assert response.status_code == 200
            assert response["Content-Type"] == "image/svg+xml"
    assert drawn.call_count == 0


@override_settings(TASKS=LATER)
def test_a_storm_of_bumps_enqueues_one_task_until_it_starts(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(50):
            with transaction.atomic():
                bump_version()
    assert len(_enqueued()) == 1

    _enqueued()[0].task.call()  # the task starts: the next change schedules anew
    with django_capture_on_commit_callbacks(execute=True):
        bump_version()
        bump_version()
    assert len(_enqueued()) == 2


@override_settings(TASKS=BROKEN)
def test_a_queue_that_fails_never_breaks_the_submit(
    client, secretary_a, open_round, questionnaire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(client, secretary_a, open_round, questionnaire)
    assert submission.status == Submission.Status.SUBMITTED
    # Nothing left pending: once the queue is back, the next change is warmed.
    assert warming.cache.add(warming.WARM_PENDING, 1)


def test_without_a_worker_the_submit_draws_no_chart(
    client, secretary_a, open_round, questionnaire, drawn, django_capture_on_commit_callbacks
):
    # Tests run tasks at once (ImmediateBackend): warming would draw inside the request.
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, secretary_a, open_round, questionnaire)
    assert drawn.call_count == 0


def test_a_change_during_warming_leaves_the_version_keyed_charts_to_the_next_run(
    client, secretary_a, open_round, questionnaire, drawn
):
    submit(client, secretary_a, open_round, questionnaire)
    drawn.reset_mock()
    real = warming.selectors.data_version()
    # The version the task starts at, then a submit lands: every later read sees it moved.
    versions = mock.patch.object(
        warming.selectors, "data_version", side_effect=[real] + [real + 1] * 50
    )
    with versions, mock.patch.object(views, "unit_page_charts") as unit_pages:
        warming.warm()
    unit_pages.assert_not_called()
    # The PDF's charts are kept under their data, not the version: still drawn, and the
    # round PDF then draws nothing.
    assert drawn.call_count > 0
    drawn.reset_mock()
    pdf.round_report_pdf(open_round)
    assert drawn.call_count == 0


def test_a_unit_chart_is_drawn_again_only_when_its_own_data_changed(
    client, office, secretary_a, secretary_b, open_round, questionnaire, drawn
):
    assert secretary_a.branch.unit != secretary_b.branch.unit
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    unit = secretary_a.branch.unit
    client.force_login(office)

    def chart(name):
        url = reverse("unit_chart", args=[open_round.pk, unit.pk, name, "svg"])
        drawn.reset_mock()
        body = client.get(url).content
        return body, drawn.call_count

    items, count = chart("items")
    assert count == 1
    radar, count = chart("radar")
    assert count == 1
    # Another unit submits: the data version moves, the county mean changes.
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    client.force_login(office)
    assert chart("items") == (items, 0)  # the unit's own items: the same picture, not drawn
    radar_after, count = chart("radar")  # the radar shows the county mean beside the unit's
    assert count == 1
    assert radar_after != radar
