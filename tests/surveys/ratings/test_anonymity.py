"""Anonymity on the stored rows themselves: no column links an answer to a code, a user, a
client or a time; ids don't sort by arrival; text answers come back in an order of their own."""

import uuid

import pytest
from django.db import models

from surveys.ratings.models import RaterAnswer, RaterCode, RaterComment, RaterGroup, RaterResponse
from surveys.ratings.selectors import group_results
from surveys.ratings.services import rating_submit
from tests.surveys.ratings.conftest import sheet

pytestmark = pytest.mark.django_db

ANSWER_MODELS = [RaterResponse, RaterAnswer, RaterComment]
# What a row of what was answered may point at: the group and questionnaire it belongs to.
ALLOWED_TARGETS = {"surveys.ratergroup", "surveys.raterresponse", "surveys.rateritem"}
TELLING_WORDS = ("code", "user", "ip", "addr", "session", "agent", "time", "at", "date", "created")


@pytest.mark.parametrize("model", ANSWER_MODELS, ids=lambda m: m.__name__)
def test_answer_rows_have_no_linking_column(model):
    for field in model._meta.concrete_fields:
        assert not isinstance(field, (models.DateField, models.TimeField, models.DurationField)), (
            field
        )
        assert not isinstance(field, models.GenericIPAddressField), field
        if field.is_relation:
            assert field.related_model._meta.label_lower in ALLOWED_TARGETS, field
        words = field.name.lower().split("_")
        assert not set(words) & set(TELLING_WORDS), field.name
    assert isinstance(model._meta.pk, models.UUIDField)


def test_the_code_row_records_only_that_it_was_used():
    names = {f.name for f in RaterCode._meta.concrete_fields}
    assert names == {"id", "group", "digest", "used"}
    # and nothing points from an answer row back at a code
    for model in ANSWER_MODELS:
        assert not [f for f in model._meta.get_fields() if f.related_model is RaterCode]


def test_ids_are_random_and_do_not_sort_by_arrival(group_a, issue):
    codes = issue(group_a, 40)
    for value, code in enumerate(codes):
        rating_submit(
            typed_code=code, answers=sheet(group_a, 1 + value % 5), comment=f"意见{value:02d}"
        )
    ids = list(RaterResponse.objects.values_list("id", flat=True))
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)
    arrival = [a.value for a in RaterAnswer.objects.filter(item__code="M01").order_by("id")]
    assert arrival != [1 + v % 5 for v in range(40)]  # 1 in 40! by chance
    assert sorted(ids) == list(RaterResponse.objects.order_by("id").values_list("id", flat=True))


def test_comments_come_back_by_content_not_arrival(group_a, issue):
    texts = ["希望多开展调研", "服务很好", "办事效率高", "作风扎实", "再接再厉"]
    for code, text in zip(issue(group_a, 5), texts, strict=True):
        rating_submit(typed_code=code, answers=sheet(group_a), comment=text)
    group = RaterGroup.objects.select_related("round").get(pk=group_a.pk)
    results = group_results(group, now=group.round.closes_at)
    assert results.comments == sorted(texts)
