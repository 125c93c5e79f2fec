"""Rater questionnaires as files on the office's page: download a version as YAML, load it
back as a new version, and bad files refused in Chinese with nothing written."""

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.ratings.instrument import load_rater_questionnaire, parse_instrument
from surveys.ratings.models import Audience, RaterItem, RaterQuestionnaire

pytestmark = pytest.mark.django_db


def upload(client, text, name="rater.yaml"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("ratings_questionnaires"), {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def test_download_and_load_back_as_the_next_version(client, office):
    original, _ = load_rater_questionnaire(audience=Audience.PUBLIC)
    client.force_login(office)
    response = client.get(reverse("ratings_questionnaire_yaml", args=[original.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="rater_public_v1.yaml"'
    text = response.content.decode()
    data, items = parse_instrument(text)
    assert data["version"] == 1 and len(items) == original.items.count()
    data["version"] = 2
    data["items"][0]["text"] = "工作人员熟悉政策。"
    page = upload(client, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert "已载入群众评议问卷（第2版）" in page.content.decode()
    new = RaterQuestionnaire.objects.get(code="public", version=2)
    fields = ("code", "kind", "dimension_code", "cause", "reverse")
    old_items = list(original.items.values_list(*fields))
    assert list(new.items.values_list(*fields)) == old_items
    assert new.items.first().text == "工作人员熟悉政策。"
    # the same file again changes nothing, and says so
    again = upload(client, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert "内容相同" in again.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00bad", "UTF-8"),
        ("code: [", "格式有误"),
        ("code: x\nversion: true\naudience: public\ntitle: t\nitems: []", "version 应为"),
        ("", "文件是空的"),
    ],
)
def test_bad_files_refused(client, office, content, message):
    client.force_login(office)
    page = upload(client, content).content.decode()
    assert message in page
    assert not RaterQuestionnaire.objects.exists()


def test_a_used_version_is_frozen(client, office, group_a):
    client.force_login(office)
    questionnaire = group_a.questionnaire
    text = client.get(reverse("ratings_questionnaire_yaml", args=[questionnaire.pk])).content
    changed = text.decode().replace("学了就能用上", "学以致用")
    page = upload(client, changed).content.decode()
    assert "已被使用，不能修改" in page
    assert RaterItem.objects.filter(text__contains="学以致用").count() == 0


@pytest.mark.parametrize("who", ["secretary", "anon"])
def test_only_the_office(client, who, secretary_a):
    questionnaire, _ = load_rater_questionnaire()
    if who == "secretary":
        client.force_login(secretary_a)
    for url in [
        reverse("ratings_questionnaires"),
        reverse("ratings_questionnaire_yaml", args=[questionnaire.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == (403 if who == "secretary" else 302)
    response = client.post(
        reverse("ratings_questionnaires"), {"file": SimpleUploadedFile("a.yaml", b"x")}
    )
    assert response.status_code == (403 if who == "secretary" else 302)


def test_list_queries(client, office, django_assert_num_queries):
    load_rater_questionnaire(audience=Audience.MEMBERS)
    load_rater_questionnaire(audience=Audience.PUBLIC)
    client.force_login(office)
    client.get(reverse("ratings_questionnaires"))
    with django_assert_num_queries(3):  # session, user, versions with counts
        page = client.get(reverse("ratings_questionnaires")).content.decode()
    assert "党员评议问卷（第1版）" in page and "群众评议问卷（第1版）" in page
