"""The default scoring model of docs/scoring.md as plain arithmetic: no ORM, no request, no Django.

Callers turn a questionnaire into a `ScoringModel` and answers into a mapping (one submission,
`score_submission`) or a long DataFrame (a whole round, `score_frame`). The scalar path is the
readable definition; the frame path is the same arithmetic column by column with numpy. Both
add the weighted item scores one float operation at a time in questionnaire order, so their
results are bit-identical: a branch's own report and the county ranking never disagree in the
last digit. Nothing is rounded here; `round2` is for display only.
"""

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from numbers import Real

import numpy as np
import pandas as pd

LIKERT, YES_NO, NUMBER, CHOICE, TEXT = "likert", "yes_no", "number", "choice", "text"
SCORED_KINDS = (LIKERT, YES_NO, NUMBER, CHOICE)
CAUSE_TAGS = ("xuhua", "ruohua", "fenhua")  # 虚化 / 弱化 / 分化
ASPECT_TAGS = ("goal", "mechanism", "carrier")  # 目标 / 机制 / 载体
DEFAULT_GRADE_BANDS = (("好", 85.0), ("较好", 70.0), ("一般", 60.0), ("差", 0.0))
INSUFFICIENT = "数据不足"  # how a None score is shown
STRAIGHTLINE_THRESHOLD = 0.8
# A score that is exactly on a boundary in real numbers can come out of float arithmetic a
# hair below it (84.99999999999999). It shows as "85.00", so it must earn 好, not 较好.
GRADE_TOLERANCE = 1e-9
# A sheet with fewer answered Likert items than this is too short to judge as straight-lined.
STRAIGHTLINE_MIN_ANSWERS = 5


def at_least(value, threshold) -> bool:
    """value ≥ threshold, the way every rule compares (grades, recommendations, flags,
    warnings): a value a hair below the boundary from float arithmetic counts as on it. No
    value (None, NaN) is never at least anything."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return value + GRADE_TOLERANCE >= threshold


def below(value, threshold) -> bool:
    """value < threshold by the same rule as at_least; no value is not below anything
    either (数据不足 is not weak: we do not know)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return not at_least(value, threshold)


class NotApplicable:
    """The answer "不适用": the item leaves the denominator like an unanswered one."""

    def __repr__(self):
        return "NOT_APPLICABLE"


NOT_APPLICABLE = NotApplicable()


def is_not_applicable(value) -> bool:
    # By class, not identity: a copy that went through pickle (cache, session) is another
    # object but still the answer "不适用".
    return type(value).__name__ == "NotApplicable"


def _is_missing(value) -> bool:
    nan = isinstance(value, float) and math.isnan(value)
    return value is None or nan or is_not_applicable(value)


@dataclass(frozen=True)
class ItemSpec:
    code: str
    dimension: str
    kind: str
    reverse_keyed: bool = False
    weight: float = 1.0
    cause: str = ""
    aspect: str = ""
    bands: Sequence[Mapping] = ()  # number items: [{"min": 0, "score": 0}, …]
    choices: Sequence[Mapping] = ()  # choice items: [{"value", "label", "score"}, …]

    def __post_init__(self):
        if self.kind not in (*SCORED_KINDS, TEXT):
            raise ValueError(f"{self.code}: unknown kind {self.kind!r}")
        if not self.weight > 0:
            raise ValueError(f"{self.code}: weight must be positive")
        if self.cause not in ("", *CAUSE_TAGS) or self.aspect not in ("", *ASPECT_TAGS):
            raise ValueError(f"{self.code}: unknown cause or aspect tag")
        mins = [band["min"] for band in self.bands]
        if self.kind == NUMBER and (not mins or len(set(mins)) != len(mins)):
            raise ValueError(f"{self.code}: a number item needs bands with distinct minima")
        if self.kind == CHOICE and not self.choices:
            raise ValueError(f"{self.code}: a choice item needs choices")

    @property
    def is_scored(self) -> bool:
        return self.kind in SCORED_KINDS

    @cached_property
    def band_table(self) -> tuple[np.ndarray, np.ndarray]:
        """Band minima ascending, and the score of each band."""
        ordered = sorted(self.bands, key=lambda band: band["min"])
        table = np.array([(band["min"], band["score"]) for band in ordered], dtype=float)
        return table[:, 0], table[:, 1]

    @cached_property
    def choice_scores(self) -> dict:
        return {choice["value"]: float(choice["score"]) for choice in self.choices}


@dataclass(frozen=True)
class DimensionSpec:
    code: str
    name: str
    weight: float = 1.0


@dataclass(frozen=True)
class ScoringModel:
    dimensions: Sequence[DimensionSpec]
    items: Sequence[ItemSpec]  # in questionnaire order: the order runs are counted in
    grade_bands: Sequence[tuple[str, float]] = DEFAULT_GRADE_BANDS
    min_answered_ratio: float = 0.5

    def __post_init__(self):
        object.__setattr__(self, "dimensions", tuple(self.dimensions))
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "grade_bands", tuple(tuple(b) for b in self.grade_bands))
        dimension_codes = [d.code for d in self.dimensions]
        for codes in (dimension_codes, [i.code for i in self.items]):
            if len(set(codes)) != len(codes):
                raise ValueError(f"duplicate codes in {codes}")
        if any(d.weight <= 0 for d in self.dimensions):
            raise ValueError("dimension weights must be positive")
        if unknown := {i.dimension for i in self.items} - set(dimension_codes):
            raise ValueError(f"items refer to unknown dimensions {sorted(unknown)}")
        if not 0 < self.min_answered_ratio <= 1:
            raise ValueError("min_answered_ratio must be in (0, 1]")

    @cached_property
    def scored_items(self) -> tuple[ItemSpec, ...]:
        return tuple(item for item in self.items if item.is_scored)

    def items_of(self, dimension_code: str) -> list[ItemSpec]:
        return [item for item in self.scored_items if item.dimension == dimension_code]


@dataclass(frozen=True)
class SubmissionScore:
    dimensions: dict  # dimension code -> score or None (数据不足)
    answered: dict  # dimension code -> (answered scored items, scored items)
    index: float | None
    grade: str | None
    causes: dict  # cause tag -> score or None
    main_cause: str | None
    aspects: dict  # aspect tag -> score or None
    item_scores: dict  # item code -> score, answered scored items only
    straightlined: bool = False  # 疑似应付式作答


def _likert(value, code) -> int:
    if isinstance(value, bool | str) or value not in (1, 2, 3, 4, 5):  # 4.0 and Decimal(4) pass
        raise ValueError(f"{code}: a Likert answer must be an integer 1–5, got {value!r}")
    return int(value)


def item_score(item: ItemSpec, value) -> float | None:
    """The 0–100 score of one answer; None when unanswered, 不适用, or a text item."""
    if _is_missing(value) or not item.is_scored:
        return None
    if item.kind == LIKERT:
        v = _likert(value, item.code)
        return (5 - v) / 4 * 100 if item.reverse_keyed else (v - 1) / 4 * 100
    if item.kind == YES_NO:
        if isinstance(value, str) or value not in (True, False):
            raise ValueError(f"{item.code}: a yes/no answer must be True/False, got {value!r}")
        return 100.0 if bool(value) != item.reverse_keyed else 0.0
    if item.kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, Real | Decimal):
            raise ValueError(f"{item.code}: a number answer must be a number, got {value!r}")
        score = 0.0  # below every band
        for minimum, band_score in zip(*item.band_table, strict=True):
            if value >= minimum:
                score = float(band_score)
        return score
    if value == "":  # the Answer row's blank choice
        return None
    try:
        return item.choice_scores[value]
    except KeyError:
        raise ValueError(f"{item.code}: {value!r} is not one of the choices") from None


def _weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    # An explicit left-to-right sum (not sum(), which compensates on Python ≥ 3.12) is what
    # score_frame repeats column by column, so both paths give the same bits.
    total = weights = 0.0
    for weight, score in pairs:
        total += weight * score
        weights += weight
    return total / weights if weights else None


def grade_for(score: float | None, bands=DEFAULT_GRADE_BANDS) -> str | None:
    """The label of the highest band whose min_score ≤ score; None for no score."""
    if score is None or math.isnan(score):
        return None
    best = None
    for label, minimum in bands:
        if at_least(score, minimum) and (best is None or minimum > best[1]):
            best = (label, minimum)
    return best[0] if best else None


def _profile(model, item_scores, attribute, tags) -> dict:
    return {
        tag: _weighted_mean(
            (item.weight, item_scores[item.code])
            for item in model.scored_items
            if getattr(item, attribute) == tag and item.code in item_scores
        )
        for tag in tags
    }


def main_cause(profile: dict) -> str | None:
    """The main cause: the tag with the lowest score, ties going to the earlier tag in the
    profile's order (虚化, 弱化, 分化); None when no tag has a score. The one rule, used for
    a submission, a unit, the county and the charts alike."""
    best = None
    for tag, score in profile.items():
        if score is not None and (best is None or score < profile[best]):
            best = tag
    return best


def score_submission(model: ScoringModel, answers: Mapping) -> SubmissionScore:
    """Score one submission. answers maps item code to int (Likert 1–5), bool (yes/no),
    number, str (choice value), None (unanswered) or NOT_APPLICABLE; other codes are ignored."""
    item_scores = {}
    for item in model.scored_items:
        score = item_score(item, answers.get(item.code))
        if score is not None:
            item_scores[item.code] = score
    dimensions, answered = {}, {}
    for dimension in model.dimensions:
        items = model.items_of(dimension.code)
        done = [item for item in items if item.code in item_scores]
        answered[dimension.code] = (len(done), len(items))
        # Dividing (not multiplying the ratio) keeps "exactly half" exact: 3/6 == 0.5.
        enough = bool(items) and len(done) / len(items) >= model.min_answered_ratio
        pairs = [(item.weight, item_scores[item.code]) for item in done]
        dimensions[dimension.code] = _weighted_mean(pairs) if enough else None
    index = None
    if model.dimensions and None not in dimensions.values():
        index = _weighted_mean((d.weight, dimensions[d.code]) for d in model.dimensions)
    causes = _profile(model, item_scores, "cause", CAUSE_TAGS)
    likert_answers = [answers.get(i.code) for i in model.scored_items if i.kind == LIKERT]
    return SubmissionScore(
        dimensions=dimensions,
        answered=answered,
        index=index,
        grade=grade_for(index, model.grade_bands),
        causes=causes,
        main_cause=main_cause(causes),
        aspects=_profile(model, item_scores, "aspect", ASPECT_TAGS),
        item_scores=item_scores,
        straightlined=is_straightlined(likert_answers),
    )


def round2(score: float | None) -> float | None:
    """Two decimals, half up as a reader expects (79.165 → 79.17), for display only."""
    if score is None or math.isnan(score):
        return None
    return float(Decimal(repr(score)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def competition_ranks(values: Sequence) -> list:
    """Positions for scores ranked highest first, ties sharing a position (standard
    competition ranking: 90, 85, 85, 80 → 1, 2, 2, 4). Ties are judged on the values as shown
    (two decimals). No score, no position (None)."""
    shown = [round2(v) for v in values]
    ranked = sorted(v for v in shown if v is not None)
    return [None if v is None else 1 + len(ranked) - bisect.bisect_right(ranked, v) for v in shown]


def lowest_with_ties(pairs: Iterable, n: int) -> set:
    """The keys of the n lowest scores, and of every score tied (as shown) with the n-th:
    the weakest items. `pairs` are (key, score); no score is never among the lowest."""
    scored = [(round2(v), k) for k, v in pairs if v is not None and not math.isnan(v)]
    if n <= 0 or not scored:
        return set()
    cut = sorted(v for v, _ in scored)[min(n, len(scored)) - 1]
    return {k for v, k in scored if v <= cut}


def mean_or_none(values: Iterable) -> float | None:
    """Plain mean of the values that exist; a branch with 数据不足 does not drag its unit.

    The same left-to-right sum as _weighted_mean with every weight 1, written out because
    the dashboards call it for every unit and dimension of a round."""
    total, count = 0.0, 0
    for value in values:
        if value is None or value != value or is_not_applicable(value):  # NaN != NaN
            continue
        total += value
        count += 1
    return total / count if count else None


# A unit's score is the mean of its branches' in the round; the county's, the mean of units'.
unit_score = county_score = mean_or_none


# --- 疑似应付式作答 (straight-lining) ------------------------------------------------------


def longest_run(values: Iterable) -> int:
    """Longest run of identical consecutive answers, as `careless::longstring` counts it.

    Unlike R's rle() (where NA splits a run), a missing answer is skipped: a secretary who
    ticks 5 on every item but leaves one blank has still ticked 5 on every item."""
    longest = run = 0
    previous = None
    for value in values:
        if _is_missing(value):
            continue
        run = run + 1 if run and value == previous else 1
        previous = value
        longest = max(longest, run)
    return longest


def is_straightlined(likert_values: Sequence, threshold=STRAIGHTLINE_THRESHOLD) -> bool:
    """True when one run covers at least `threshold` of the answered Likert items.

    The denominator is the Likert items actually answered (not the questionnaire's count),
    so leaving items blank neither hides nor fakes a run. Raw answers are compared, not
    scores: ticking 5 on reverse-keyed items too is exactly the inattention looked for.
    Fewer than STRAIGHTLINE_MIN_ANSWERS answers are too few to judge."""
    answered = [v for v in likert_values if not _is_missing(v)]
    if len(answered) < STRAIGHTLINE_MIN_ANSWERS:
        return False
    return at_least(longest_run(answered) / len(answered), threshold)


# --- A whole round at once ------------------------------------------------------------------


def _raw_matrix(model, answers) -> tuple[pd.Index, np.ndarray]:
    """submissions × scored items of float answers (choice items already as their score)."""
    items = model.scored_items
    column = pd.Index([item.code for item in items]).get_indexer(answers["item"])
    row, submissions = pd.factorize(answers["submission"])
    keep = column >= 0  # text items and unknown codes do not count
    cells = row[keep] * len(items) + column[keep]
    if len(np.unique(cells)) != len(cells):
        raise ValueError("an item is answered twice in one submission")
    values = answers["value"].reset_index(drop=True)
    if values.dtype == object:
        values = values.mask(values.map(is_not_applicable).astype(bool))
    raw = np.full(len(values), np.nan)
    is_choice = np.array([item.kind == CHOICE for item in items] + [False])[column]
    numeric = keep & ~is_choice
    if numeric.any():
        raw[numeric] = values[numeric].astype(float).to_numpy()
    for j in [j for j, item in enumerate(items) if item.kind == CHOICE]:
        item, rows = items[j], column == j
        given = values[rows].where(values[rows] != "")
        mapped = given.map(item.choice_scores)
        if (given.notna() & mapped.isna()).any():
            raise ValueError(f"{item.code}: an answer is not one of the choices")
        raw[rows] = mapped.to_numpy(dtype=float)
    matrix = np.full((len(submissions), len(items)), np.nan)
    matrix[row[keep], column[keep]] = raw[keep]
    return pd.Index(submissions, name="submission"), matrix


def _score_column(item: ItemSpec, v: np.ndarray) -> np.ndarray:
    present = ~np.isnan(v)
    if item.kind == LIKERT:
        bad = present & ((v != np.round(v)) | (v < 1) | (v > 5))
        if bad.any():
            raise ValueError(f"{item.code}: a Likert answer must be an integer 1–5")
        return (5.0 - v) / 4.0 * 100.0 if item.reverse_keyed else (v - 1.0) / 4.0 * 100.0
    if item.kind == YES_NO:
        if (present & (v != 0) & (v != 1)).any():
            raise ValueError(f"{item.code}: a yes/no answer must be 1 or 0")
        return np.where(present, np.where((v == 1) != item.reverse_keyed, 100.0, 0.0), np.nan)
    if item.kind == NUMBER:
        minima, band_scores = item.band_table
        band = np.searchsorted(minima, np.where(present, v, -np.inf), side="right") - 1
        return np.where(present, np.where(band >= 0, band_scores[band.clip(0)], 0.0), np.nan)
    return v  # choice: already the option's score


def _accumulate(scores, items, columns):
    """Per submission: weighted total, weight total and count of the answered columns."""
    total, weights, count = np.zeros(len(scores)), np.zeros(len(scores)), np.zeros(len(scores))
    for j in columns:
        present = ~np.isnan(scores[:, j])
        total = total + np.where(present, items[j].weight * scores[:, j], 0.0)
        weights = weights + np.where(present, items[j].weight, 0.0)
        count += present
    return total, weights, count


def _divide(total, weights):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weights > 0, total / weights, np.nan)


def _grades(scores, bands):
    grades = np.full(len(scores), None, dtype=object)
    for label, minimum in sorted(bands, key=lambda band: band[1]):  # higher bands overwrite
        grades[scores + GRADE_TOLERANCE >= minimum] = label  # at_least(), vectorised
    return grades


def _straightlined(matrix, items, threshold):
    n = len(matrix)
    previous, run, longest, count = np.full(n, np.nan), np.zeros(n), np.zeros(n), np.zeros(n)
    for j in [j for j, item in enumerate(items) if item.kind == LIKERT]:
        v = matrix[:, j]  # one item for every submission at once
        present = ~np.isnan(v)
        run = np.where(present, np.where(v == previous, run + 1, 1), run)
        previous = np.where(present, v, previous)
        longest = np.maximum(longest, run)
        count += present
    with np.errstate(invalid="ignore", divide="ignore"):
        return (count >= STRAIGHTLINE_MIN_ANSWERS) & (
            longest / count + GRADE_TOLERANCE >= threshold  # at_least(), vectorised
        )


def score_frame(
    model: ScoringModel, answers: pd.DataFrame, *, threshold=STRAIGHTLINE_THRESHOLD
) -> pd.DataFrame:
    """Score a whole round: the numbers `score_submission` gives, for every submission.

    answers is long: columns submission, item, value. value is a float for Likert, yes/no
    (1/0) and number items, the option value for choice items, NaN/None/NOT_APPLICABLE when
    unanswered or 不适用. Returns one row per submission (in order of first appearance):
    a column per dimension code, index, grade, a column per cause tag, main_cause, a column
    per aspect tag, straightlined. NaN is 数据不足."""
    if missing := {"submission", "item", "value"} - set(answers.columns):
        raise ValueError(f"answers lacks columns {sorted(missing)}")
    names = [d.code for d in model.dimensions] + [*CAUSE_TAGS, *ASPECT_TAGS]
    if len(set(names) | {"index", "grade", "main_cause", "straightlined"}) != len(names) + 4:
        raise ValueError("a dimension code clashes with an output column")
    submissions, matrix = _raw_matrix(model, answers)
    items = model.scored_items
    scores = matrix.copy()
    for j, item in enumerate(items):
        scores[:, j] = _score_column(item, matrix[:, j])
    out = {}
    index_total, index_weights = np.zeros(len(submissions)), 0.0
    for dimension in model.dimensions:
        columns = [j for j, item in enumerate(items) if item.dimension == dimension.code]
        total, weights, count = _accumulate(scores, items, columns)
        with np.errstate(invalid="ignore", divide="ignore"):
            enough = count / len(columns) >= model.min_answered_ratio
        out[dimension.code] = np.where(enough, _divide(total, weights), np.nan)
        index_total = index_total + dimension.weight * out[dimension.code]
        index_weights += dimension.weight
    index = out["index"] = _divide(index_total, np.full(len(submissions), index_weights))
    out["grade"] = _grades(index, model.grade_bands)
    for attribute, tags in (("cause", CAUSE_TAGS), ("aspect", ASPECT_TAGS)):
        for tag in tags:
            columns = [j for j, item in enumerate(items) if getattr(item, attribute) == tag]
            total, weights, _count = _accumulate(scores, items, columns)
            out[tag] = _divide(total, weights)
        if attribute == "cause":
            causes = np.column_stack([out[tag] for tag in CAUSE_TAGS])
            # main_cause() vectorised: argmin takes the first of equal scores.
            lowest = np.argmin(np.where(np.isnan(causes), np.inf, causes), axis=1)
            out["main_cause"] = np.where(
                np.isnan(causes).all(axis=1), None, np.array(CAUSE_TAGS, dtype=object)[lowest]
            )
    out["straightlined"] = _straightlined(matrix, items, threshold)
    return pd.DataFrame(out, index=submissions)
