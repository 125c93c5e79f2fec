"""The questionnaire on a phone, server side (issue 11): counts take whole numbers only, one
bad number blocks only its own item, autosave answers in JSON with the version lock and
never submits, the progress counts required items, error texts never double punctuation."""

import re

import pytest
from django.urls import reverse

from surveys.questionnaires.models import Question
from surveys.submissions.models import Answer, Submission
from tests.helpers import answer_post, first_question

pytestmark = pytest.mark.django_db

DOUBLED = ("。。", "：。", "。：", "，。", "。…", "：：")


@pytest.fixture
def url(open_round):
    return reverse("questionnaire", args=[open_round.pk])


@pytest.fixture
def number(questionnaire):
    return first_question(questionnaire, Question.Kind.NUMBER)


def error_texts(html):
    """The visible error texts: the summary's lines and the messages beside items."""
    found = re.findall(r'<li><a class="alert-link[^>]*>(.*?)</li>', html, re.S) + re.findall(
        r'class="text-danger small[^"]*"[^>]*>(.*?)</div>', html, re.S
    )
    return [re.sub(r"<[^>]+>", "", text) for text in found]


@pytest.mark.parametrize("typed", ["2.5", "1e1", "abc", "-1", "61"])
def test_a_count_takes_whole_numbers_in_its_range_only(client_a, url, questionnaire, number, typed):
    assert number.unit_label == "次" and number.max_value == 60
    response = client_a.post(
        url, answer_post(questionnaire, version=0, overrides={f"q_{number.code}": typed})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "0–60 的整数" in html and f'value="{typed}"' in html
    assert not Answer.objects.filter(question=number).exclude(number=None).exists()


def test_the_number_box_says_its_range_and_asks_for_whole_numbers(client_a, url, number):
    html = client_a.get(url).content.decode()
    box = re.search(rf'<input type="number"[^>]*name="q_{number.code}"[^>]*>', html).group(0)
    assert 'inputmode="numeric"' in box and 'step="1"' in box and 'data-integer="1"' in box
    assert 'max="60"' in box
    assert "可填 0–60 的整数" in html


def test_one_bad_number_saves_the_rest_of_the_draft(client_a, url, questionnaire, number):
    text = first_question(questionnaire, Question.Kind.TEXT)
    client_a.post(url, answer_post(questionnaire, version=0))  # a draft with number = 3
    response = client_a.post(
        url,
        answer_post(
            questionnaire,
            version=1,
            overrides={f"q_{number.code}": "2.5", f"q_{text.code}": "新的做法"},
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    submission = Submission.objects.get()
    assert submission.version == 2 and submission.status == Submission.Status.DRAFT
    assert Answer.objects.get(question=text).text == "新的做法"
    assert Answer.objects.get(question=number).number == 3  # kept as stored
    assert "草稿已保存" in html and "1 道题的填写不符合要求" in html
    assert 'value="2.5"' in html and 'name="version" value="2"' in html
    assert f'href="#q-{number.code}"' in html
    for text_ in error_texts(html):
        assert not any(d in text_ for d in DOUBLED), text_


def test_error_texts_never_double_punctuation(client_a, url, questionnaire):
    data = {"version": "0", "action": "submit"}
    for question in questionnaire.questions.filter(kind=Question.Kind.NUMBER):
        data[f"q_{question.code}"] = "9999"
    html = client_a.post(url, data).content.decode()
    texts = error_texts(html)
    assert len(texts) > 30
    for text_ in texts:
        assert not any(d in text_ for d in DOUBLED), text_


def test_autosave_saves_the_draft_and_gives_the_new_version(
    client_a, url, questionnaire, number, django_assert_num_queries
):
    data = answer_post(
        questionnaire, version=0, action="submit", overrides={f"q_{number.code}": "2.5"}
    )
    data["autosave"] = "1"
    response = client_a.post(url, data)
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True and body["version"] == 1
    assert re.fullmatch(r"\d\d:\d\d", body["saved_at"])
    assert "0–60 的整数" in body["errors"][number.code]
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.DRAFT  # never a submit
    assert Answer.objects.filter(submission=submission).exclude(likert=None).exists()

    data["version"] = "1"
    # session, user, entry; what is stored (submission, answers: the invalid item keeps its
    # stored answer); the save's savepoint, lock, upsert, version, audit, release. The
    # questions are the process's, read by the first autosave.
    with django_assert_num_queries(11):
        assert client_a.post(url, data).json()["version"] == 2


def test_autosave_on_a_stale_version_is_refused_and_says_so(client_a, url, questionnaire):
    client_a.post(url, answer_post(questionnaire, version=0))
    data = answer_post(questionnaire, version=0, likert="2")
    data["autosave"] = "1"
    response = client_a.post(url, data)
    assert response.status_code == 409
    assert response.json()["reason"] == "stale" and "自动保存已停止" in response.json()["message"]
    assert Submission.objects.get().version == 1


def test_autosave_after_the_login_ended_goes_to_the_login_page(client, url, questionnaire):
    data = answer_post(questionnaire, version=0)
    data["autosave"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302 and "/login/" in response.url
    assert not Submission.objects.exists()


def test_progress_counts_required_items_and_a_jump_menu_leads_to_each_dimension(
    client_a, url, questionnaire
):
    html = client_a.get(url).content.decode()
    required = questionnaire.questions.filter(required=True).count()
    assert required < questionnaire.questions.count()
    assert f'<span id="total-count">{required}</span>' in html
    for dimension in questionnaire.dimensions.all():
        assert f'href="#sec-{dimension.code}">{dimension.name}</a>' in html
        assert f'id="sec-{dimension.code}"' in html
    assert ">文字题</a>" in html
    assert 'id="action-bar"' in html and 'id="confirm-go-missing"' in html
