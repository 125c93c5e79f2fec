"""`manage.py bench_storm` end to end, small: 5 secretaries against one gunicorn worker on a
throw-away SQLite file (about 15 s). What it prints is what the README's figures come from."""

import asyncio
import io
import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.management.commands import _storm_load
from reports.management.commands._storm_load import STEPS, percentile


def test_a_small_storm_submits_everyone_exactly_once_and_reports_each_step():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "bench_storm",
        secretaries=5,
        workers=1,
        arrival=4,
        deadline=50,
        timeout=20,
        stdout=out,
        stderr=err,
    )
    result = json.loads(out.getvalue())
    # Secretary i arrives i/5 of the way through 4 s: the last one starts at 3.2 s
    # (all five at once are done in about 1 s).
    assert result["arrival_s"] == 4
    assert result["last_finished_s"] > 3.2

    assert result["check"] == {
        "roster": 5,
        "submissions": 5,
        "submitted": 5,
        "scored": 5,
        "branches_with_more_than_one": 0,
        "branches_without": 0,
        "snapshots_not_one": 0,
        "exactly_once_and_scored": True,
    }
    assert result["errors"] == 0, result["error_samples"]
    assert result["secretaries_finished"] == result["finished_within_60_s"] == 5
    assert set(result["steps"]) == set(STEPS)
    for step, figures in result["steps"].items():
        assert figures["requests"] == 5, step
        assert figures["errors"] == 0, step
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"], step
    assert 0 < result["completion_s"] <= result["elapsed_s"]
    assert result["throughput"]["requests_per_s"] > 0
    # gunicorn's own processes did the work: at least one Argon2id check per login.
    assert result["server_cpu_ms_per_secretary"] > 5
    assert result["password_hash"]["after"]["algorithm"].startswith("argon2id")
    assert "ronghe-storm-" in err.getvalue()  # built in a temporary directory, not var/


def test_the_child_steps_refuse_outside_their_throwaway_database():
    with pytest.raises(CommandError, match="拒绝写入"):
        call_command("bench_storm", prepare=True, secretaries=1)
    with pytest.raises(CommandError, match="拒绝写入"):
        call_command("bench_storm", verify=True)


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile([7], 0.99) == 7
    assert percentile([], 0.5) is None


def test_the_load_runs_beside_a_running_event_loop():
    """A test session with a browser open has Playwright's loop running in the main thread;
    the storm's own loop must still run (it did not: asyncio.run refused)."""

    async def inner():
        return 42

    async def outer():  # a caller whose own loop is running, like Playwright's
        return _storm_load.run_coroutine(inner())

    result = []
    caller = threading.Thread(target=lambda: result.append(asyncio.run(outer())))
    caller.start()
    caller.join()
    assert result == [42]
