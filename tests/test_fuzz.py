"""Fuzzing with Hypothesis: random questionnaire files through the questionnaire import, random
names through every chart and through the people import's sheet reader. Whatever comes in,
the only exceptions are the app's own, each with a Chinese message.

The default profile keeps this file well under a minute on a 2-core machine; a CI run with
HYPOTHESIS_PROFILE=ci tries ten times as many examples.
"""

import copy
import io
import json
import math
import os
import re

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from reports.charts import profile
from surveys.organisation import import_sheet
from surveys.questionnaires import files
from surveys.questionnaires.instrument import STANDARD_PATH
from surveys.questionnaires.services import VersionError

settings.register_profile("default", database=None, deadline=None, print_blob=True)
settings.register_profile("ci", database=None, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 1


def examples(n):
    return n * SCALE


CJK = re.compile(r"[\u4e00-\u9fff]")
STANDARD = yaml.safe_load(STANDARD_PATH.read_text(encoding="utf-8"))

# Names as people type them, and as they should not: dollar signs and TeX, line breaks and
# control characters, emoji, very long and empty.
TRICKY = "$^_{}\\%&#~县局党建x1 \n\t\r\x00\x1b\x7f😀🚩\u200b\u3000"
names = st.one_of(
    st.sampled_from(["县$x^{2$局", "$$", "成本 $5 与 $6", "县{nb}局", "", "\n"]),
    st.text(alphabet=st.sampled_from(TRICKY), max_size=40),
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("县$"), min_size=200, max_size=400),
)

# --- the questionnaire import ----------------------------------------------------------------

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([0, 1, -1, 100, 1000, 1001, 2**31 - 1, 2**31, 1e308]),
)
leaves = st.one_of(st.none(), st.booleans(), numbers, names)
values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(names, children, max_size=5)
    ),
    max_leaves=30,
)
KEYS = [
    "code", "version", "title", "description", "min_answered_ratio", "grade_bands",
    "dimensions", "name", "weight", "questions", "kind", "bands", "choices", "min", "score",
    "value", "label", "max_value", "unit_label", "text", "help", "reverse", "cause", "aspect",
]  # fmt: skip


def paths(node, prefix=()):
    """Every place in a parsed file: the keys and indexes leading to it."""
    children = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in children:
        yield (*prefix, key)
        if isinstance(child, dict | list):
            yield from paths(child, (*prefix, key))


PATHS = list(paths(STANDARD))  # ~400, most of them inside the questions


def at(data, path):
    for key in path:
        data = data[key]
    return data


DICT_PATHS = [(), *(p for p in PATHS if isinstance(at(STANDARD, p), dict))]
# The numbers (version, ratio, weights, band and grade limits, scores): where storing went wrong.
NUMBER_PATHS = [
    p
    for p in PATHS
    if isinstance(at(STANDARD, p), int | float) and not isinstance(at(STANDARD, p), bool)
]


@st.composite
def mutated_standard(draw):
    """The standard instrument with a few values anywhere in it replaced at random, or a key
    added: most of the file stays valid, so the import gets past the frame into the details."""
    data = copy.deepcopy(STANDARD)
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 4)):
            *parent, key = draw(st.sampled_from(PATHS) | st.sampled_from(NUMBER_PATHS))
            try:
                node = at(data, parent)
                node[key]  # noqa: B018 - gone if an earlier change replaced what held it
            except (LookupError, TypeError):
                continue
            # Mostly a value of the same type (a number for a number): the file then often
            # imports, with NaN, huge or negative numbers and odd names to store.
            same = {bool: st.booleans(), int: numbers, float: numbers, str: names}
            like = same.get(type(node[key]), values)
            node[key] = draw(st.one_of(like, like, like, values))
        else:
            try:
                node = at(data, draw(st.sampled_from(DICT_PATHS)))
            except (LookupError, TypeError):
                continue
            if isinstance(node, dict):
                node[draw(st.sampled_from(KEYS))] = draw(values)
    return data


def with_band(low):
    data = copy.deepcopy(STANDARD)
    number = next(q for d in data["dimensions"] for q in d["questions"] if q["kind"] == "number")
    number["bands"].append({"min": low, "score": 100})
    return data


def encoded(data, kind):
    if kind == "json":
        try:
            return json.dumps(data, ensure_ascii=needs_escapes(data), allow_nan=True).encode()
        except ValueError:  # an integer json cannot write (over 4,300 digits)
            assume(False)
    try:
        return yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, ValueError, UnicodeEncodeError):
        assume(False)


def needs_escapes(data):
    # Lone surrogates only survive as \\u escapes; everything else is sent as typed.
    return bool(re.search(r"[\ud800-\udfff]", json.dumps(data, ensure_ascii=False)))


kinds = st.sampled_from(["json", "yaml"])
files_ = st.one_of(
    *[st.tuples(mutated_standard(), kinds)] * 4,
    st.tuples(values, kinds),
    st.tuples(st.binary(max_size=200), st.sampled_from(["json", "yaml", "xlsx"])),
)


def assert_own_error(exc):
    assert isinstance(exc, VersionError), repr(exc)
    assert CJK.search(str(exc)), str(exc)


@pytest.mark.django_db
@settings(
    max_examples=examples(120),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(upload=files_)
# Files that once stored nonsense or raised (issue 10), tried first on every run.
@example(upload=(STANDARD | {"version": 10**20}, "json"))
@example(upload=(STANDARD | {"min_answered_ratio": float("nan")}, "yaml"))
@example(upload=(with_band(float("nan")), "json"))
@example(upload=(with_band(10**400), "json"))
@example(upload=(STANDARD | {"title": "题" * 201, "code": "c" * 33}, "json"))
def test_random_questionnaire_files_never_raise_anything_but_a_chinese_error(office, upload):
    data, kind = upload
    content = data if isinstance(data, bytes) else encoded(data, kind)
    try:
        questionnaire = files.questionnaire_import(
            user=office, filename=f"问卷.{kind}", content=content
        )
    except Exception as exc:  # noqa: BLE001 - the assertion says which exceptions are fine
        assert_own_error(exc)
        return
    # Imported: what was stored reads back as numbers and texts the pages can show.
    assert 0 < questionnaire.min_answered_ratio <= 1
    for question in questionnaire.questions.all():
        assert math.isfinite(question.weight) and 0 < question.weight <= 1000


# --- the charts ------------------------------------------------------------------------------

scores = st.one_of(st.none(), st.floats(min_value=0, max_value=100))


def chart_args(kind, draw):
    if kind == "ranking_bar":
        return (
            draw(
                st.lists(st.tuples(names, scores, st.sampled_from([None, "好", "差"])), max_size=6)
            ),
        )
    if kind == "dimension_heatmap":
        units, dims = draw(st.lists(names, max_size=4)), draw(st.lists(names, max_size=4))
        grid = [[draw(scores) for _ in dims] for _ in units]
        return units, dims, grid
    if kind in ("radar", "trend"):
        axes = draw(st.lists(names, max_size=5))
        series = draw(
            st.lists(
                st.tuples(names, st.lists(scores, min_size=len(axes), max_size=len(axes))),
                max_size=3,
            )
        )
        return axes, series
    if kind == "item_bars":
        return (draw(st.lists(st.tuples(names, scores), max_size=6)),)
    if kind == "cause_profile":
        return (draw(st.lists(st.tuples(names, scores), max_size=4)),)
    if kind == "grade_distribution":
        return (draw(st.lists(st.tuples(names, st.integers(0, 50)), max_size=5)),)
    return draw(st.integers(0, 100)), draw(st.integers(0, 100))  # progress_donut


@pytest.mark.parametrize("kind", sorted(profile.CHARTS))
@settings(max_examples=examples(4), suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), fmt=st.sampled_from(["svg", "png"]))
def test_random_names_never_make_a_chart_raise(kind, data, fmt):
    chart, alt_text = profile.CHARTS[kind]
    args = chart_args(kind, data.draw)
    image = chart(*args, fmt=fmt)
    assert image.startswith(b"<?xml" if fmt == "svg" else b"\x89PNG")
    assert CJK.search(alt_text(*args))


# --- the people import's sheet reader --------------------------------------------------------

HEADER = [label for _, label, _ in import_sheet.COLUMNS]
cells = st.one_of(
    st.none(),
    names.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),  # what a .xlsx can hold at all
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.one_of(
        st.just(HEADER),
        st.lists(names.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)), max_size=10),
    ),
    rows=st.lists(st.lists(cells, max_size=len(HEADER) + 2), max_size=8),
)
def test_random_sheets_never_make_the_people_reader_raise(header, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = import_sheet.SHEET
    for row in [header, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    try:
        read, problems = import_sheet.read_rows(buffer.getvalue())
    except import_sheet.ImportFileError as exc:
        assert CJK.search(str(exc)), str(exc)
        return
    assert all(CJK.search(p) for p in problems)
    assert all(isinstance(r, import_sheet.Row) for r in read)
