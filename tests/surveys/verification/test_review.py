"""The office's review page: item by item beside the evidence, a reason required, the
optimistic lock, 自评偏高 and working through the queue."""

import pytest
from django.urls import reverse

from reports.models import SubmissionScore
from surveys.evidence.models import Evidence
from surveys.verification.models import VerifiedAnswer
from tests.surveys.verification.conftest import plain_likert, review_post, verify

pytestmark = pytest.mark.django_db


def test_a_verified_value_needs_a_reason_and_nothing_typed_is_lost(
    client, office, two_submitted, questionnaire
):
    a, _b = two_submitted
    item = plain_likert(questionnaire)
    client.force_login(office)
    response = client.post(
        reverse("verification_review", args=[a.pk]),
        review_post(a, {item.code: ("2", "")}, version=0),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "请填写考评依据（为什么调整这一题）。" in html
    assert '<option value="2" selected>' in html
    assert not VerifiedAnswer.objects.exists()


def test_a_bad_number_is_refused_in_chinese(client, office, two_submitted, questionnaire):
    a, _b = two_submitted
    number = questionnaire.questions.filter(kind="number").first()
    client.force_login(office)
    response = client.post(
        reverse("verification_review", args=[a.pk]),
        review_post(a, {number.code: ("三次", "记录只有一次")}, version=0),
    )
    html = response.content.decode()
    assert "请填写不小于 0 的数字。" in html and 'value="三次"' in html
    assert "记录只有一次" in html


def test_second_of_two_concurrent_saves_gets_a_conflict_and_loses_nothing(
    client, office, office2, two_submitted, questionnaire
):
    a, _b = two_submitted
    item = plain_likert(questionnaire)
    # Both open the page at version 0; the first saves.
    assert verify(client, office, a, {item.code: ("2", "第一位：只有一次记录")}).status_code == 302
    client.force_login(office2)
    response = client.post(
        reverse("verification_review", args=[a.pk]),
        {"version": "0", f"v_{item.code}": "3", f"r_{item.code}": "第二位：有两次记录"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "另一位工作人员刚刚保存了这份答卷的考评" in html
    assert "第二位：有两次记录" in html  # what the second typed is still on the page
    assert "第一位：只有一次记录" in html  # beside the first's stored value
    stored = VerifiedAnswer.objects.get()
    assert stored.value == 2 and stored.reason == "第一位：只有一次记录"
    # The re-shown form carries the current version: saving again now goes through.
    assert 'name="version" value="1"' in html


def test_next_goes_to_the_next_unreviewed_submission(client, office, two_submitted, questionnaire):
    a, b = two_submitted
    response = verify(client, office, a, {})
    assert response.status_code == 302 and response.url.endswith("?saved=1")
    client.force_login(office)
    html = client.get(response.url).content.decode()
    assert f'id="next-submission" href="{reverse("verification_review", args=[b.pk])}"' in html
    client.logout()
    verify(client, office, b, {})
    client.force_login(office)
    html = client.get(reverse("verification_review", args=[b.pk]) + "?saved=1").content.decode()
    assert 'id="queue-done"' in html and 'id="next-submission"' not in html


def test_queue_counts_and_overclaimed_flag(client, office, two_submitted, questionnaire):
    a, b = two_submitted
    # Branch A said 4 everywhere; the office finds every Likert item is really a 2.
    changes = {
        q.code: ("2", "佐证不足")
        for q in questionnaire.questions.filter(kind="likert", reverse_keyed=False)
    }
    verify(client, office, a, changes)
    score = SubmissionScore.objects.get(submission=a)
    assert score.self_index - score.index > 10
    client.force_login(office)
    html = client.get(reverse("verification_queue", args=[a.round_id])).content.decode()
    assert 'id="count-reviewed">1<' in html and 'id="count-submitted">2<' in html
    assert 'id="count-appeals">0<' in html
    row_a = html.split(f'id="queue-{a.pk}"')[1].split("</tr>")[0]
    row_b = html.split(f'id="queue-{b.pk}"')[1].split("</tr>")[0]
    assert "自评偏高" in row_a and "自评偏高" not in row_b
    review = client.get(reverse("verification_review", args=[a.pk])).content.decode()
    assert 'id="overclaimed"' in review


def test_review_shows_evidence_thumbnails_linking_full_size(
    client, office, two_submitted, questionnaire, tmp_path
):
    a, _b = two_submitted
    item = plain_likert(questionnaire)
    evidence = Evidence.objects.create(
        submission=a,
        question=item,
        kind=Evidence.Kind.IMAGE,
        original_name="会议照片.jpg",
        file="evidence/x.jpg",
        thumbnail="evidence/x-thumb.jpg",
        size=10,
        submitted_in=1,
    )
    client.force_login(office)
    html = client.get(reverse("verification_review", args=[a.pk])).content.decode()
    block = html.split(f'id="item-{item.code}"')[1].split("</section>")[0]
    assert f'href="{reverse("evidence_file", args=[evidence.pk])}"' in block
    assert f'src="{reverse("evidence_thumbnail", args=[evidence.pk])}"' in block


def test_review_page_reads_are_pinned(
    client, office, two_submitted, questionnaire, django_assert_num_queries
):
    a, _b = two_submitted
    client.force_login(office)
    client.get(reverse("verification_review", args=[a.pk]))
    # session, user, submission, snapshot count, verification, answers, evidence, items,
    # the scoring model (3), publication, score, appeal, and the queue for 下一份 (3)
    with django_assert_num_queries(17):
        assert client.get(reverse("verification_review", args=[a.pk])).status_code == 200


def test_queue_page_reads_are_pinned(client, office, two_submitted, django_assert_num_queries):
    a, _b = two_submitted
    client.force_login(office)
    client.get(reverse("verification_queue", args=[a.round_id]))
    # session, user, round, publication, submissions with scores and appeals, verifications
    with django_assert_num_queries(6):
        assert client.get(reverse("verification_queue", args=[a.round_id])).status_code == 200
