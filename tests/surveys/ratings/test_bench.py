"""The in-process rater load check: every sheet recorded once, no errors (numbers printed)."""

import json
import os

import pytest

from surveys.ratings.bench import bench_raters

pytestmark = pytest.mark.django_db(transaction=True)


def test_many_raters_at_once_each_recorded_once(group_a, issue, capsys):
    n = int(os.environ.get("RONGHE_RATER_BENCH", "60"))  # 500 for the issue's figure
    codes = [code for _ in range(0, n, 500) for code in issue(group_a, min(500, n))][:n]
    result = bench_raters(group=group_a, codes=codes, threads=4)
    with capsys.disabled():
        print("\nrater bench:", json.dumps(result))
    assert result["errors"] == 0
    assert result["recorded"] == result["codes_used"] == n
    assert result["lost"] == result["duplicated"] == 0
