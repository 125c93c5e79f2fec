"""`manage.py bench_reports` prints its numbers as JSON and never touches the configured
database. No timing is asserted: the numbers depend on the machine."""

import hashlib
import json
import math
import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from reports import scoring
from reports.bench import default_units, mark_verified, synthetic_questionnaire
from reports.models import SubmissionScore
from surveys.organisation.models import Unit
from surveys.questionnaires.models import Question
from tests.helpers import submit

TIMINGS = [
    "migrate_ms",
    "build_ms",
    "score_store_ms",
    "score_store_per_submission_ms",
    "score_history_ms",
    "aggregate_ms",
    "aggregate_first_ms",
    "aggregate_time_in_sql_ms",
    "baseline_sql_groupby_ms",
    "baseline_sql_groupby_dimensions_ms",
    "baseline_sql_groupby_dashboard_numbers_ms",
    "aggregate_vs_sql_ratio",
    "aggregate_vs_dashboard_sql_ratio",
    "baseline_sql_groupby_answers_ms",
    "aggregate_vs_answers_sql_ratio",
    "baseline_numpy_ms",
    "baseline_answers_load_ms",
    "baseline_numpy_answers_ms",
    "baseline_pandas_answers_ms",
    "dashboard_cold_ms",
    "dashboard_page_cold_ms",
    "dashboard_warm_ms",
    "dashboard_page_warm_ms",
    "unit_cold_ms",
    "unit_page_cold_ms",
    "unit_warm_ms",
    "unit_page_warm_ms",
    "dashboard_page_warm_sql_ms",
    "xlsx_ms",
    "reference_openpyxl_bare_cells_ms",
    "csv_ms",
]
SIZES = {
    "branches": 30,
    "units": 2,  # 30 branches / 20 per unit, rounded up
    "rounds": 2,
    "items": 9,
    "questions": 9,
    "submissions_latest_round": 30,
    "submissions_total": 60,
    "answers_total": 30 * 2 * 9,
    "scored_latest_round": 30,
    "answers_latest_round_likert": 30 * 9,
}


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _bench_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("RONGHE_DEMO", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY="ronghe-tests",
        RONGHE_DATA_DIR=str(tmp_path / "configured"),
        TMPDIR=str(tmp_path / "tmp"),  # where the throw-away database goes
    )
    return env


@pytest.mark.django_db
def test_bench_prints_every_number_and_leaves_the_configured_database_alone(tmp_path):
    configured = tmp_path / "configured"
    configured.mkdir()
    (tmp_path / "tmp").mkdir()
    # A configured database with a marker table: were the command to open it (SQLite writes
    # its WAL header on connect) or migrate it, the file would change.
    database = configured / "ronghe.sqlite3"
    with sqlite3.connect(database) as marker:
        marker.execute("CREATE TABLE marker (x INTEGER)")
    before = _sha256(database)

    completed = subprocess.run(
        [sys.executable, "manage.py", "bench_reports", "--branches", "30"]
        + ["--rounds", "2", "--items", "9"],
        cwd=settings.BASE_DIR,
        env=_bench_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    for key in TIMINGS:
        value = result[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), key
        assert math.isfinite(value) and value > 0, (key, value)
    assert {key: result[key] for key in SIZES} == SIZES
    assert result["xlsx_bytes"] > 0 and result["csv_bytes"] > 0
    assert result["xlsx_cells"] > result["submissions_latest_round"]
    assert result["aggregate_queries"] > 0 and result["dashboard_page_warm_queries"] > 0
    assert result["database_vendor"] == "sqlite"
    assert "targets" in result
    # The configured database is as it was, the throw-away one is gone, and the test
    # database has no synthetic units.
    assert _sha256(database) == before
    assert not [p.name for p in configured.iterdir() if p.name.startswith("ronghe.sqlite3-")]
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not Unit.objects.exists()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"), reason="PostgreSQL only: DATABASE_URL is not set"
)
@pytest.mark.django_db
def test_bench_on_postgresql_drops_its_database(tmp_path):
    (tmp_path / "tmp").mkdir()
    env = _bench_env(tmp_path)
    env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    process = subprocess.Popen(
        [sys.executable, "manage.py", "bench_reports", "--branches", "12", "--items", "6"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = process.communicate(timeout=300)

    assert process.returncode == 0, stderr
    result = json.loads(stdout)
    assert result["database_vendor"] == "postgresql"
    assert result["submissions_latest_round"] == 12
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", [f"ronghe_bench_{process.pid}"]
        )
        assert cursor.fetchone() == (0,)
    assert not Unit.objects.exists()


def test_bench_refuses_too_few_items(tmp_path):
    (tmp_path / "tmp").mkdir()
    completed = subprocess.run(
        [sys.executable, "manage.py", "bench_reports", "--branches", "5", "--items", "2"],
        cwd=settings.BASE_DIR,
        env=_bench_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode != 0
    assert "--items" in completed.stderr
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.django_db
def test_synthetic_questionnaire_is_scoreable_by_reports():
    questionnaire = synthetic_questionnaire(18)
    questions = list(questionnaire.questions.select_related("dimension"))
    assert len(questions) == 18
    assert {q.kind for q in questions} == {Question.Kind.LIKERT}
    per_dimension = {}
    for q in questions:
        per_dimension[q.dimension.code] = per_dimension.get(q.dimension.code, 0) + 1
    assert per_dimension == {"xueyong": 6, "zuzhi": 6, "huoli": 6}
    assert {q.cause for q in questions} == set(scoring.CAUSE_TAGS)
    assert {q.aspect for q in questions} == set(scoring.ASPECT_TAGS)
    assert 0 < sum(q.reverse_keyed for q in questions) < 18
    assert questionnaire.grade_bands.count() == len(scoring.DEFAULT_GRADE_BANDS)


def test_default_units_is_one_per_twenty_branches_at_least_one():
    assert [default_units(n) for n in (1, 20, 21, 10_000)] == [1, 1, 2, 500]


def test_bench_refuses_to_measure_in_a_database_it_did_not_make(tmp_path):
    env = _bench_env(tmp_path)
    env["RONGHE_BENCH_CHILD"] = "1"  # as if the child, but pointed at the configured data dir
    completed = subprocess.run(
        [sys.executable, "manage.py", "bench_reports", "--branches", "5"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode != 0
    assert "拒绝写入" in completed.stderr
    assert not (tmp_path / "configured" / "ronghe.sqlite3").exists()


@pytest.mark.django_db
def test_the_verified_share_marks_that_many_stored_scores_as_考评_leaves_them(
    client, open_round, questionnaire, secretary_a, secretary_b
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    assert mark_verified(open_round, 0.5) == 1
    marked = SubmissionScore.objects.get(verified=True)
    assert marked.self_index == pytest.approx(marked.index + 5)
    assert SubmissionScore.objects.filter(verified=False).count() == 1
