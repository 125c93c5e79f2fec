"""The rater questionnaires as data: both standard files load, map to the main instrument's
three dimensions and cause tags, load idempotently, and bad files say what is wrong."""

import pytest

from surveys.questionnaires.models import Dimension
from surveys.ratings.instrument import InstrumentError, load_rater_questionnaire, parse_instrument
from surveys.ratings.models import Audience, RaterItem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("audience", [Audience.MEMBERS, Audience.PUBLIC])
def test_standard_files_match_the_main_dimensions(questionnaire, audience):
    rater, created = load_rater_questionnaire(audience=audience)
    assert created and rater.audience == audience
    scale = rater.items.filter(kind=RaterItem.Kind.SCALE)
    main = dict(Dimension.objects.filter(questionnaire=questionnaire).values_list("code", "name"))
    assert {(i.dimension_code, i.dimension_name) for i in scale} == set(main.items())
    assert all(i.cause in {"xuhua", "ruohua", "fenhua"} for i in scale)
    assert rater.items.filter(kind=RaterItem.Kind.SATISFACTION).count() == 1
    assert rater.items.filter(kind=RaterItem.Kind.TEXT).count() == 1
    assert " " not in rater.description
    assert load_rater_questionnaire(audience=audience) == (rater, False)


GOOD = """code: x
version: 1
audience: members
title: 测试
items:
  - {code: A, kind: scale, dimension: zuzhi, cause: 弱化, text: 题一}
  - {code: B, kind: satisfaction, text: 满意吗}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2", "格式有误"),
        ("- a", "应以 code"),
        (GOOD.replace("audience: members", "audience: boss"), "audience 只能是"),
        (GOOD.replace("version: 1", "version: -1"), "version 应为"),
        (GOOD.replace("dimension: zuzhi", "dimension: other"), "须标注维度"),
        (GOOD.replace("code: B", "code: A"), "重复"),
        (
            GOOD.replace("kind: satisfaction", "kind: scale, dimension: zuzhi, cause: 虚化"),
            "满意度",
        ),
        (GOOD.replace("kind: satisfaction", "kind: essay"), "不认识"),
    ],
)
def test_bad_files_are_refused_in_chinese(text, message):
    with pytest.raises(InstrumentError, match=message):
        parse_instrument(text)


def test_a_good_file_parses():
    data, items = parse_instrument(GOOD)
    assert data["code"] == "x" and [i.cause for i in items] == ["ruohua", ""]
