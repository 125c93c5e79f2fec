"""The code lifecycle (frozen time), replay, groups, straight-lining and codes as text."""

import datetime as dt

import pytest
import time_machine

from surveys.ratings import codes
from surveys.ratings.models import (
    Audience,
    RaterAnswer,
    RaterCode,
    RaterComment,
    RaterGroup,
    RaterResponse,
)
from surveys.ratings.services import (
    CODE_REFUSED,
    CodeRefused,
    RatingError,
    code_group,
    codes_issue,
    rater_groups_add,
    rating_submit,
)
from tests.surveys.ratings.conftest import sheet

pytestmark = pytest.mark.django_db


def test_codes_are_long_unambiguous_and_typed_loosely():
    code = codes.new_code()
    assert len(code) == codes.LENGTH and set(code) <= set(codes.ALPHABET)
    assert len(codes.ALPHABET) ** codes.LENGTH >= 2**50
    assert not set("ILOU") & set(codes.ALPHABET)
    shown = codes.display(code)
    assert codes.normalise(shown.lower()) == code
    assert codes.normalise(" " + shown.replace("-", " ") + " ") == code
    assert codes.normalise("0O1IL" + code[5:]) == "00111" + code[5:]
    assert codes.normalise(code[:-1]) is None
    assert codes.normalise(code + "X") is None
    assert codes.normalise("") is None


def test_only_a_keyed_hash_is_stored(group_a, issue, settings):
    [code] = issue(group_a)
    row = RaterCode.objects.get()
    assert code not in row.digest and row.digest != codes.digest(code.lower())
    assert len(row.digest) == 64
    assert row.digest == codes.digest(code)
    settings.SECRET_KEY = "another-key-" + "x" * 40
    assert codes.digest(code) != row.digest  # without the server's key a dump checks nothing


def test_groups_follow_the_roster(office, open_round, branch_a, branch_b):
    assert rater_groups_add(actor=office, round_=open_round, audience=Audience.MEMBERS) == 2
    assert rater_groups_add(actor=office, round_=open_round, audience=Audience.MEMBERS) == 0
    assert rater_groups_add(actor=office, round_=open_round, audience=Audience.PUBLIC) == 2
    public = RaterGroup.objects.filter(audience=Audience.PUBLIC)
    assert {g.unit_id for g in public} == {branch_a.unit_id, branch_b.unit_id}
    assert all(g.questionnaire.audience == Audience.PUBLIC for g in public)


def test_only_the_office_writes(secretary_a, open_round, group_a):
    with pytest.raises(Exception, match="机关工委"):
        rater_groups_add(actor=secretary_a, round_=open_round, audience=Audience.MEMBERS)
    with pytest.raises(Exception, match="机关工委"):
        codes_issue(actor=secretary_a, group=group_a, count=3)


def test_issue_count_bounds(office, group_a):
    with pytest.raises(RatingError, match="1 至 500"):
        codes_issue(actor=office, group=group_a, count=0)
    with pytest.raises(RatingError):
        codes_issue(actor=office, group=group_a, count=501)
    assert len(set(codes_issue(actor=office, group=group_a, count=30))) == 30


def test_code_lifecycle_with_frozen_time(group_a, issue, open_round):
    [code] = issue(group_a)
    with time_machine.travel(open_round.opens_at - dt.timedelta(minutes=1), tick=False):
        with pytest.raises(CodeRefused):
            code_group(code)
        with pytest.raises(CodeRefused):
            rating_submit(typed_code=code, answers=sheet(group_a))
    with time_machine.travel(open_round.opens_at, tick=False):
        assert code_group(code) == group_a
    with time_machine.travel(open_round.closes_at, tick=False):
        with pytest.raises(CodeRefused):
            rating_submit(typed_code=code, answers=sheet(group_a))
    assert not RaterCode.objects.get().used and not RaterResponse.objects.exists()
    with time_machine.travel(open_round.closes_at - dt.timedelta(seconds=1), tick=False):
        rating_submit(typed_code=code, answers=sheet(group_a))
        assert RaterCode.objects.get().used
        with pytest.raises(CodeRefused):
            code_group(code)
        with pytest.raises(CodeRefused):
            rating_submit(typed_code=code, answers=sheet(group_a))
    assert RaterResponse.objects.count() == 1


def test_every_refusal_reads_the_same(group_a, issue):
    [code] = issue(group_a)
    rating_submit(typed_code=code, answers=sheet(group_a))
    messages = set()
    for typed in [code, codes.new_code(), "abc", ""]:
        with pytest.raises(CodeRefused) as refused:
            code_group(typed)
        messages.add(refused.value.message)
    assert messages == {CODE_REFUSED}


def test_a_refused_sheet_leaves_the_code_unused(group_a, issue):
    [code] = issue(group_a)
    answers = sheet(group_a)
    answers.popitem()
    with pytest.raises(RatingError, match="请回答"):
        rating_submit(typed_code=code, answers=answers)
    bad = sheet(group_a)
    bad[next(iter(bad))] = 9
    with pytest.raises(RatingError, match="范围"):
        rating_submit(typed_code=code, answers=bad)
    assert not RaterCode.objects.get().used
    rating_submit(typed_code=code, answers=sheet(group_a), comment="多下基层")
    assert RaterAnswer.objects.count() == len(sheet(group_a))
    assert RaterComment.objects.get().text == "多下基层"


def test_unknown_is_stored_without_a_value(group_a, issue):
    [code] = issue(group_a)
    rating_submit(typed_code=code, answers=sheet(group_a, unknown={"M01", "M02"}))
    unknown = RaterAnswer.objects.filter(unknown=True)
    assert {a.item.code for a in unknown} == {"M01", "M02"}
    assert all(a.value is None for a in unknown)


def test_straight_lined_sheets_are_counted_and_linked_to_nothing(group_a, issue):
    one, two, three = issue(group_a, 3)
    rating_submit(typed_code=one, answers=sheet(group_a, 5))
    rating_submit(typed_code=two, answers=sheet(group_a, 1))
    varied = sheet(group_a, 4)
    varied[next(iter(varied))] = 2
    rating_submit(typed_code=three, answers=varied)
    group_a.refresh_from_db()
    assert group_a.straight_lined == 2
    assert not [f for f in RaterResponse._meta.fields if "straight" in f.name]


def test_replay_records_one_response(group_a, issue):
    [code] = issue(group_a)
    rating_submit(typed_code=code, answers=sheet(group_a))
    for _ in range(3):
        with pytest.raises(CodeRefused):
            rating_submit(typed_code=code, answers=sheet(group_a, 2))
    assert RaterResponse.objects.count() == 1
    assert set(RaterAnswer.objects.values_list("value", flat=True)) <= {3, 4}
