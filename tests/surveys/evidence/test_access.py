"""Every evidence URL × (secretary A, secretary B, office, anonymous). Branch A's files
exist only for A and the office; B gets 404 even with the right URL; anonymous is sent to
log in. The office reads files but attaches and removes none (the secretary's work)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.evidence.models import Evidence
from tests.surveys.evidence.conftest import jpeg_bytes
from tests.surveys.evidence.helpers import JSON, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence_a(client, secretary_a, open_round, evidence_question):
    client.force_login(secretary_a)
    assert upload(client, open_round, "XYF1", "照片.jpg", jpeg_bytes()).status_code == 201
    client.logout()
    return Evidence.objects.get()


def urls(evidence, round_):
    return {
        "list": ("get", reverse("evidence_list", args=[round_.pk])),
        "upload": ("post", reverse("evidence_upload", args=[round_.pk, "XYF1"])),
        "remove": ("post", reverse("evidence_remove", args=[evidence.pk])),
        "file": ("get", reverse("evidence_file", args=[evidence.pk])),
        "thumbnail": ("get", reverse("evidence_thumbnail", args=[evidence.pk])),
        "submission": ("get", reverse("submission_evidence", args=[evidence.submission_id])),
    }


# (secretary A, secretary B, office); anonymous always goes to the login page. The list and
# upload URLs carry B's own round id too: B's answer is about B's branch, never A's files.
EXPECTED = {
    "list": (200, 200, 403),
    "upload": (201, 201, 403),
    "remove": (200, 404, 403),
    "file": (200, 404, 200),
    "thumbnail": (200, 404, 200),
    "submission": (200, 404, 200),
}


@pytest.mark.parametrize("name", list(EXPECTED))
@pytest.mark.parametrize("who", [0, 1, 2, "anonymous"])
def test_access_matrix(client, secretary_a, secretary_b, office, open_round, evidence_a, name, who):
    method, url = urls(evidence_a, open_round)[name]
    if who != "anonymous":
        client.force_login([secretary_a, secretary_b, office][who])
    data = {"file": SimpleUploadedFile("新照片.jpg", jpeg_bytes())} if name == "upload" else {}
    response = getattr(client, method)(url, data, **JSON)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert Evidence.objects.filter(pk=evidence_a.pk).exists()
        return
    assert response.status_code == EXPECTED[name][who]


def test_secretary_b_sees_none_of_a_files_in_b_own_list(
    client, secretary_b, open_round, evidence_a
):
    client.force_login(secretary_b)
    body = client.get(reverse("evidence_list", args=[open_round.pk]), **JSON).json()
    assert body["files"] == []
    assert "照片.jpg" not in client.get(reverse("home")).content.decode()


def test_b_upload_lands_on_b_submission(client, secretary_b, open_round, evidence_a):
    client.force_login(secretary_b)
    upload(client, open_round, "XYF1", "b.jpg", jpeg_bytes())
    mine = Evidence.objects.get(original_name="b.jpg")
    assert mine.submission.branch_id == secretary_b.branch_id
    assert evidence_a.submission.branch_id != secretary_b.branch_id


def test_file_is_served_privately_with_its_type(client, office, evidence_a):
    client.force_login(office)
    response = client.get(reverse("evidence_file", args=[evidence_a.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert evidence_a.file.name not in reverse("evidence_file", args=[evidence_a.pk])
