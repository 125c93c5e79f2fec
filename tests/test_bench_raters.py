"""`manage.py bench_raters`: a small rater storm end to end (5 raters against one gunicorn
worker on a throw-away SQLite file, about 20 s), and its exactly-once count, which must see
a lost or an extra response. What it prints is what the README's figures come from."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from reports.management.commands.bench_raters import STEPS, build, verify
from surveys.ratings.models import RaterAnswer, RaterGroup, RaterItem, RaterResponse


def test_a_small_rater_storm_records_every_sheet_exactly_once_and_reports_each_step():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "bench_raters",
        raters=5,
        workers=1,
        arrival=1,
        deadline=50,
        timeout=20,
        stdout=out,
        stderr=err,
    )
    result = json.loads(out.getvalue())

    assert result["check"] == {
        "codes": 5,
        "codes_used": 5,
        "codes_unused": 0,
        "responses": 5,
        "answers": 5 * result["check"]["scored_items"],
        "scored_items": result["check"]["scored_items"],
        "responses_incomplete": 0,
        "comments": 5,
        "straight_lined": 0,
        "lost": 0,
        "duplicated": 0,
        "exactly_once": True,
    }
    assert result["check"]["scored_items"] >= 5
    assert result["lost"] == result["duplicated"] == result["refused"] == 0
    assert result["errors"] == 0, result["error_samples"]
    assert result["raters_finished"] == result["finished_within_60_s"] == 5
    assert set(result["steps"]) == set(STEPS)
    for step, figures in result["steps"].items():
        assert figures["requests"] == 5, step
        assert figures["errors"] == 0, step
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"], step
    totals = result["rater_total_ms"]
    assert 0 < totals["p50"] <= totals["p95"] <= totals["p99"]
    # Arrivals were spread over the first second: the last rater started after 0.8 s.
    assert 0.8 < result["completion_s"] <= result["elapsed_s"]
    assert result["throughput"]["requests_per_s"] > 0
    assert result["server_cpu_ms_per_rater"] > 1  # gunicorn's processes did the work
    assert "ronghe-storm-raters-" in err.getvalue()  # a temporary directory, not var/


@pytest.mark.django_db
def test_the_count_sees_a_lost_and_an_extra_response():
    plan = build(3)
    client = Client(REMOTE_ADDR="10.7.0.1")
    # The plan's sheet is one the form accepts: the rater is sent to the thank-you page.
    for code in plan["codes"][:2]:
        page = client.get(f"/r/{code}/")
        assert page.status_code == 200
        response = client.post(f"/r/{code}/", plan["sheet"])
        assert response.status_code == 302 and response["Location"] == "/r/done/"

    lost = verify(3)
    assert lost["lost"] == 1 and lost["codes_unused"] == 1
    assert lost["exactly_once"] is False

    client.post(f"/r/{plan['codes'][2]}/", plan["sheet"])
    assert verify(3)["exactly_once"] is True

    # A response written twice (no code of its own): counted as duplicated.
    group = RaterGroup.objects.get()
    extra = RaterResponse.objects.create(group=group)
    scored = RaterItem.objects.filter(questionnaire=group.questionnaire).exclude(
        kind=RaterItem.Kind.TEXT
    )
    RaterAnswer.objects.bulk_create(
        RaterAnswer(response=extra, item=item, value=3) for item in scored
    )
    duplicated = verify(3)
    assert duplicated["duplicated"] == 1 and duplicated["lost"] == 0
    assert duplicated["exactly_once"] is False


def test_the_child_steps_refuse_outside_their_throwaway_database():
    with pytest.raises(CommandError, match="拒绝写入"):
        call_command("bench_raters", prepare=True, raters=1)
    with pytest.raises(CommandError, match="拒绝写入"):
        call_command("bench_raters", verify=True, raters=1)
