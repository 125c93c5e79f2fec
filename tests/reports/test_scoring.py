"""The default scoring model of docs/scoring.md as arithmetic: no database, no Django settings."""

import csv
import json
import math
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from reports import scoring
from reports.scoring import (
    CAUSE_TAGS,
    DEFAULT_GRADE_BANDS,
    NOT_APPLICABLE,
    DimensionSpec,
    ItemSpec,
    ScoringModel,
    county_score,
    grade_for,
    is_straightlined,
    item_score,
    longest_run,
    mean_or_none,
    round2,
    score_frame,
    score_submission,
    unit_score,
)

# Reference data copied into the project with its sources (data/README.md).
DATA = Path(__file__).resolve().parent / "data"
CARELESS = json.loads((DATA / "reference-values.json").read_text(encoding="utf-8"))["careless"]
PROJECT = Path(__file__).resolve().parents[2]
DIMENSIONS = (
    DimensionSpec("xueyong", "学用结合"),
    DimensionSpec("zuzhi", "组织生活实效"),
    DimensionSpec("neisheng", "内生活力"),
)


def likert(code, dimension="xueyong", **fields):
    fields.setdefault("cause", "xuhua")
    fields.setdefault("aspect", "goal")
    return ItemSpec(code, dimension, "likert", **fields)


def one_dimension(*items, ratio=0.5):
    return ScoringModel([DimensionSpec("xueyong", "学用结合")], items, DEFAULT_GRADE_BANDS, ratio)


BANDS = [{"min": 6, "score": 100}, {"min": 1, "score": 40}, {"min": 3, "score": 70}]  # unsorted
CHOICES = [
    {"value": "a", "label": "每月研究", "score": 100},
    {"value": "b", "label": "每季度研究", "score": 60},
    {"value": "c", "label": "未研究", "score": 0},
]


def test_worked_example_of_docs_scoring_md():
    items = [likert(f"XY0{n}") for n in range(1, 6)] + [likert("XY06", reverse_keyed=True)]
    items += [likert(f"ZZ0{n}", "zuzhi", cause="ruohua") for n in range(1, 5)]
    items += [likert(f"NS0{n}", "neisheng", cause="fenhua") for n in range(1, 3)]
    model = ScoringModel(DIMENSIONS, items, DEFAULT_GRADE_BANDS)
    answers = dict(zip([i.code for i in items], [5, 4, 4, 3, 5, 2, 4, 3, 4, 3, 5, 4], strict=True))

    score = score_submission(model, answers)

    xueyong = [score.item_scores[f"XY0{n}"] for n in range(1, 7)]
    assert xueyong == [100, 75, 75, 50, 100, 75]
    assert [round2(s) for s in score.dimensions.values()] == [79.17, 62.50, 87.50]
    assert round2(score.index) == 76.39
    assert score.grade == "较好"
    assert score.answered == {"xueyong": (6, 6), "zuzhi": (4, 4), "neisheng": (2, 2)}


@pytest.mark.parametrize(
    "value, forward, reverse", [(1, 0, 100), (2, 25, 75), (3, 50, 50), (4, 75, 25), (5, 100, 0)]
)
def test_likert_and_reverse_keyed(value, forward, reverse):
    assert item_score(likert("A"), value) == forward
    assert item_score(likert("B", reverse_keyed=True), value) == reverse


def test_yes_no_and_reversed_yes_no():
    yes_no = ItemSpec("F", "xueyong", "yes_no", cause="ruohua", aspect="mechanism")
    reversed_ = ItemSpec(
        "G", "xueyong", "yes_no", reverse_keyed=True, cause="ruohua", aspect="mechanism"
    )
    assert (item_score(yes_no, True), item_score(yes_no, False)) == (100, 0)
    assert (item_score(reversed_, True), item_score(reversed_, False)) == (0, 100)


@pytest.mark.parametrize(
    "value, expected",
    [
        (0, 0),  # below the first band
        (1, 40),  # exactly on a boundary
        (Decimal("2.99"), 40),
        (3, 70),
        (5.5, 70),
        (6, 100),
        (60, 100),  # above the last band
    ],
)
def test_number_bands(value, expected):
    item = ItemSpec("N", "xueyong", "number", cause="ruohua", aspect="carrier", bands=BANDS)
    assert item_score(item, value) == expected


def test_choice_scores_by_option_and_refuses_unknown_option():
    item = ItemSpec("C", "xueyong", "choice", cause="fenhua", aspect="goal", choices=CHOICES)
    assert [item_score(item, v) for v in "abc"] == [100, 60, 0]
    assert item_score(item, "") is None
    with pytest.raises(ValueError):
        item_score(item, "d")


@pytest.mark.parametrize("value", [0, 6, 3.5, True, "4"])
def test_invalid_likert_answer_is_refused(value):
    with pytest.raises(ValueError):
        item_score(likert("A"), value)


def test_not_applicable_and_unanswered_leave_the_denominator():
    class NotApplicable:  # what a pickled copy of the sentinel (cache, session) amounts to
        pass

    items = [likert(f"A{n}") for n in range(6)] + [ItemSpec("T", "xueyong", "text")]
    answers = {
        "A0": 5,
        "A1": 3,
        "A2": None,
        "A3": NOT_APPLICABLE,
        "A4": NotApplicable(),
        "A5": 4,
        "T": "典型做法……",
    }

    score = score_submission(one_dimension(*items), answers)

    assert score.dimensions["xueyong"] == 75  # (100 + 50 + 75) / 3, not / 6
    assert score.answered["xueyong"] == (3, 6)
    assert "T" not in score.item_scores


def test_exactly_half_answered_is_scored_fewer_is_insufficient():
    items = [likert(f"XY{n}") for n in range(6)] + [likert("ZZ", "zuzhi"), likert("NS", "neisheng")]
    model = ScoringModel(DIMENSIONS, items, DEFAULT_GRADE_BANDS)
    half = {"XY0": 5, "XY1": 4, "XY2": 3, "ZZ": 5, "NS": 5}

    scored = score_submission(model, half)
    insufficient = score_submission(model, {**half, "XY2": NOT_APPLICABLE})

    assert scored.dimensions["xueyong"] == 75 and scored.index == pytest.approx(91.6666666)
    assert insufficient.dimensions["xueyong"] is None
    assert insufficient.answered["xueyong"] == (2, 6)
    assert (insufficient.index, insufficient.grade) == (None, None)
    assert insufficient.dimensions["zuzhi"] == 100


def test_configured_ratio_is_compared_without_float_drift():
    # 0.7 * 10 is 7.000000000000001 in floats; 7 answered of 10 must still pass 0.7.
    items = [likert(f"A{n}") for n in range(10)]
    answers = {f"A{n}": 4 for n in range(7)}
    assert score_submission(one_dimension(*items, ratio=0.7), answers).dimensions["xueyong"] == 75
    answers.pop("A0")
    assert score_submission(one_dimension(*items, ratio=0.7), answers).dimensions["xueyong"] is None


def test_item_weights():
    model = one_dimension(likert("A", weight=3), likert("B"))
    assert score_submission(model, {"A": 5, "B": 1}).dimensions["xueyong"] == 75  # (300+0)/4


def test_dimension_weights():
    dimensions = [
        DimensionSpec(d.code, d.name, w) for d, w in zip(DIMENSIONS, (0.5, 0.25, 0.25), strict=True)
    ]
    items = [likert("A"), likert("B", "zuzhi"), likert("C", "neisheng")]
    model = ScoringModel(dimensions, items, DEFAULT_GRADE_BANDS)
    assert score_submission(model, {"A": 5, "B": 1, "C": 3}).index == 62.5  # 50 + 0 + 12.5


@pytest.mark.parametrize(
    "score, grade",
    [
        (100, "好"),
        (85, "好"),
        (84.99, "较好"),
        (70, "较好"),
        (69.99, "一般"),
        (60, "一般"),
        (59.99, "差"),
        (0, "差"),
        (None, None),
    ],
)
def test_grade_boundaries(score, grade):
    assert grade_for(score, [("好", 85), ("较好", 70), ("一般", 60), ("差", 0)]) == grade


def test_a_score_exactly_on_a_boundary_in_real_numbers_gets_the_higher_grade():
    # (1.1·75 + 0.2·50 + 1.1·100 + 0.1·100) / 2.5 = 85 exactly, 84.99999999999999 in floats.
    model = one_dimension(
        likert("A", weight=1.1),
        likert("B", weight=0.2),
        likert("C", weight=1.1),
        likert("D", weight=0.1),
    )
    score = score_submission(model, {"A": 4, "B": 3, "C": 5, "D": 5})
    assert score.index < 85 and round2(score.index) == 85
    assert score.grade == "好"


def test_cause_and_aspect_profiles_and_main_cause():
    items = [
        likert("A", cause="xuhua", aspect="goal"),
        likert("B", cause="xuhua", aspect="mechanism", weight=3),
        likert("C", cause="ruohua", aspect="mechanism"),
        likert("D", cause="fenhua", aspect="carrier"),
        likert("E", cause="fenhua", aspect="carrier"),
    ]
    score = score_submission(one_dimension(*items), {"A": 5, "B": 1, "C": 2, "D": 3, "E": None})
    assert score.causes == {"xuhua": 25, "ruohua": 25, "fenhua": 50}
    assert score.main_cause == "xuhua"  # a tie goes to the earlier tag
    assert score.aspects == {"goal": 100, "mechanism": 6.25, "carrier": 50}

    nothing = score_submission(one_dimension(*items), {})
    assert nothing.main_cause is None and set(nothing.causes.values()) == {None}


def test_round2_mean_or_none_unit_and_county():
    assert (round2(79.165), round2(76.38888888888889), round2(None)) == (79.17, 76.39, None)
    assert mean_or_none([80, None, 70, float("nan")]) == 75
    assert mean_or_none([None]) is None
    assert unit_score([90, 80, None]) == 85
    assert county_score([85, 75]) == 80


def careless_rows():
    with open(DATA / "careless_longstring.csv", newline="") as f:
        return [[int(v) for v in row] for row in list(csv.reader(f))[1:]]


def test_longest_run_reproduces_careless_longstring():
    # careless 1.2.2, tests/testthat/test-longstring.R: c(1:9*10, 10)
    assert CARELESS["longstr_published"] == [10, 20, 30, 40, 50, 60, 70, 80, 90, 10]
    assert [longest_run(row) for row in careless_rows()] == CARELESS["longstr_published"]
    small = [[1, 1, 1, 1, 1], [1, 2, 3, 4, 5], [5, 5, 5, 1, 2], [1, 2, 2, 2, 2], [1, 2, 1, 2, 1]]
    assert [longest_run(row) for row in small] == [5, 1, 3, 4, 1]


def test_longstring_csv_and_json_copies_agree():
    # Two copies of careless's test data (the package's CSV, and the rows in the JSON with
    # the expected values): the test above must read the very rows those values are for.
    assert careless_rows() == CARELESS["longstring_test_10x100"]
    assert [longest_run(r) for r in CARELESS["small_5x5"]] == CARELESS["small_longstr"]


def test_longest_run_skips_missing_answers():
    assert longest_run([4, 4, None, 4, NOT_APPLICABLE, 4, 2]) == 4
    assert longest_run([None, NOT_APPLICABLE]) == 0


def test_straightlining_threshold():
    assert is_straightlined([5] * 16 + [1, 2, 3, 4])  # 16 of 20 = 80% exactly
    assert not is_straightlined([5] * 15 + [1, 2, 3, 4, 1])  # 75%
    assert not is_straightlined([4] * 14 + [1, 2, 3, 5])  # 14 of 18 = 77.8%
    assert is_straightlined([4] * 8 + [None, None, 1, 2])  # 8 of 10 answered
    assert not is_straightlined([3, None])  # one answer is no run
    items = [likert(f"A{n}", reverse_keyed=n % 2 == 0) for n in range(6)]
    assert score_submission(one_dimension(*items), {f"A{n}": 5 for n in range(6)}).straightlined


# --- score_frame gives exactly what score_submission gives ---------------------------------


def random_model():
    items = []
    for d, dimension in enumerate(DIMENSIONS):
        for n in range(6):
            items.append(
                likert(
                    f"{d}L{n}",
                    dimension.code,
                    reverse_keyed=n in (2, 5),
                    weight=(1, 1.5, 0.5, 1, 2, 1.1)[n],
                    cause=CAUSE_TAGS[(n + d) % 3],
                    aspect=("goal", "mechanism", "carrier")[n % 3],
                )
            )
        items.append(
            ItemSpec(
                f"{d}Y",
                dimension.code,
                "yes_no",
                reverse_keyed=d == 1,
                cause="ruohua",
                aspect="mechanism",
            )
        )
        items.append(
            ItemSpec(
                f"{d}N",
                dimension.code,
                "number",
                bands=BANDS,
                weight=0.7,
                cause="fenhua",
                aspect="carrier",
            )
        )
        items.append(
            ItemSpec(
                f"{d}C", dimension.code, "choice", choices=CHOICES, cause="xuhua", aspect="goal"
            )
        )
        items.append(ItemSpec(f"{d}T", dimension.code, "text"))
    dimensions = [
        DimensionSpec(d.code, d.name, w) for d, w in zip(DIMENSIONS, (0.54, 0.3, 0.16), strict=True)
    ]
    return ScoringModel(dimensions, items, DEFAULT_GRADE_BANDS)


def random_round(model, rng, n=200):
    submissions, rows = {}, []
    for s in range(n):
        gap = rng.choice([0, 0, 0.1, 0.3, 0.55, 0.8])  # some fall under the half rule
        flat = rng.random() < 0.1  # some straight-liners
        answers = {}
        for item in model.items:
            roll = rng.random()
            if roll < gap / 2:
                continue  # no row at all
            if roll < gap:
                answers[item.code] = rng.choice([None, NOT_APPLICABLE])
            elif item.kind == "likert":
                answers[item.code] = 4 if flat else rng.randint(1, 5)
            elif item.kind == "yes_no":
                answers[item.code] = rng.random() < 0.6
            elif item.kind == "number":
                answers[item.code] = Decimal(rng.choice(["0", "1", "2.5", "3", "5", "6", "12"]))
            elif item.kind == "choice":
                answers[item.code] = rng.choice("abc")
            else:
                answers[item.code] = "材料"
        submissions[f"S{s:03d}"] = answers
        for code, value in answers.items():
            if isinstance(value, bool | Decimal):
                value = float(value)
            rows.append((f"S{s:03d}", code, float("nan") if value is None else value))
    return submissions, pd.DataFrame(rows, columns=["submission", "item", "value"])


def same(frame_value, scalar_value):
    if scalar_value is None:
        return frame_value is None or (isinstance(frame_value, float) and math.isnan(frame_value))
    return frame_value == scalar_value  # exact: both paths add in the same order


def test_score_frame_equals_score_submission():
    model = random_model()
    submissions, answers = random_round(model, random.Random(20260615))

    frame = score_frame(model, answers)

    assert list(frame.index) == list(submissions)
    insufficient = straightlined = 0
    for code, row in frame.iterrows():
        expected = score_submission(model, submissions[code])
        for column, value in [
            *expected.dimensions.items(),
            *expected.causes.items(),
            *expected.aspects.items(),
            ("index", expected.index),
            ("grade", expected.grade),
            ("main_cause", expected.main_cause),
            ("straightlined", expected.straightlined),
        ]:
            assert same(row[column], value), (code, column, row[column], value)
        insufficient += expected.index is None
        straightlined += expected.straightlined
    assert 20 < insufficient < 150 and straightlined > 5  # the sample exercises both rules


def test_score_frame_refuses_bad_input():
    model = one_dimension(
        likert("A"),
        ItemSpec("C", "xueyong", "choice", choices=CHOICES, cause="xuhua", aspect="goal"),
    )
    bad = [
        [("s", "A", 4.0), ("s", "A", 5.0)],  # answered twice
        [("s", "A", 6.0)],
        [("s", "C", "z")],
    ]
    for rows in bad:
        with pytest.raises(ValueError):
            score_frame(model, pd.DataFrame(rows, columns=["submission", "item", "value"]))
    with pytest.raises(ValueError):
        score_frame(model, pd.DataFrame({"submission": [], "item": []}))


def test_importable_without_django():
    code = "import sys, reports.scoring, reports.ahp; assert 'django' not in sys.modules"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, check=True)


def test_main_cause_is_the_lowest_and_a_tie_goes_to_the_earlier_tag():
    assert scoring.main_cause({"xuhua": 70.0, "ruohua": 55.0, "fenhua": 60.0}) == "ruohua"
    assert scoring.main_cause({"xuhua": 55.0, "ruohua": 55.0, "fenhua": 60.0}) == "xuhua"
    assert scoring.main_cause({"xuhua": None, "ruohua": 80.0, "fenhua": 80.0}) == "ruohua"
    assert scoring.main_cause({"xuhua": None, "ruohua": None, "fenhua": None}) is None


def test_every_threshold_compares_like_the_grades():
    """A mean that is 70 in exact arithmetic but a hair below in floating point is 70."""
    hair_below = 0.1 * 3 * 700 / 3 - 1e-12  # 69.99999999999... in floats
    assert hair_below < 70
    assert scoring.at_least(hair_below, 70) and not scoring.below(hair_below, 70)
    assert scoring.grade_for(hair_below) == "较好"
    assert scoring.below(69.99, 70) and not scoring.at_least(69.99, 70)
    assert not scoring.below(None, 70) and not scoring.at_least(float("nan"), 70)


def test_a_recommendation_is_not_triggered_by_a_score_a_hair_below_its_threshold():
    from reports.recommendations import recommended

    class Rec:
        def __init__(self, dimension_code):
            self.dimension_code, self.cause = dimension_code, ""

    recs = [Rec("xueyong"), Rec("zuzhi")]
    chosen = recommended(
        recs,
        dimension_scores={"xueyong": 69.99999999999999, "zuzhi": 69.98},
        main_cause=None,
        threshold=70,
    )
    assert [r.dimension_code for r in chosen] == ["zuzhi"]


def test_a_sheet_with_too_few_answers_is_not_judged_straightlined():
    assert not is_straightlined([4, 4, 4, 4])  # four answers: too few to judge
    assert is_straightlined([4, 4, 4, 4, 4])
    assert not is_straightlined([4, 4, 4, 4, None, None, None])


def test_ties_share_a_position_in_standard_competition_ranking():
    assert scoring.competition_ranks([90.0, 85.0, 85.0, 80.0]) == [1, 2, 2, 4]
    assert scoring.competition_ranks([80.0, None, 90.0]) == [2, None, 1]
    # equal as shown (two decimals) is a tie
    assert scoring.competition_ranks([85.001, 84.999, 70.0]) == [1, 1, 3]


def test_the_weakest_items_take_in_every_item_tied_with_the_third():
    items = [("a", 40.0), ("b", 50.0), ("c", 60.0), ("d", 60.0), ("e", 90.0), ("f", None)]
    assert scoring.lowest_with_ties(items, 3) == {"a", "b", "c", "d"}
    assert scoring.lowest_with_ties(items[:2], 3) == {"a", "b"}
    assert scoring.lowest_with_ties(items, 0) == set()
