"""An appeal (申诉) carries evidence files beside its text (issue 12): checked and processed as
a questionnaire answer's are (surveys/evidence/files.py), refused with a Chinese message
naming the file while the typed text stays, written with the appeal in one transaction (no
orphan file when it fails), and served only to the office and the branch's secretary."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from surveys.audit.models import AuditEvent
from surveys.verification import services
from surveys.verification.models import Appeal, AppealEvidence
from tests.surveys.evidence.conftest import EXE, jpeg_bytes, pdf_bytes, stored_files
from tests.surveys.verification.conftest import plain_likert, publish, verify

pytestmark = pytest.mark.django_db

TEXT = "第三题我们每月都开展主题党日，现补充活动照片和会议记录。"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def published(client, office, two_submitted, questionnaire):
    """Branch A's submission verified down on one item and the round published."""
    a, b = two_submitted
    verify(client, office, a, {plain_likert(questionnaire).code: ("2", "记录不足")})
    publish(client, office, a.round)
    return a, b


def appeal_post(client, submission, *uploads, text=TEXT):
    return client.post(
        reverse("verification_results", args=[submission.pk]),
        {
            "text": text,
            "evidence": [SimpleUploadedFile(name, content) for name, content in uploads],
        },
    )


@pytest.fixture
def lodged(client, secretary_a, published, media_root):
    """Branch A's appeal with a photo and a PDF."""
    a, _b = published
    client.force_login(secretary_a)
    response = appeal_post(
        client, a, ("主题党日.jpg", jpeg_bytes((1600, 1200))), ("会议记录.pdf", pdf_bytes())
    )
    client.logout()
    assert response.status_code == 302
    return a, Appeal.objects.get()


def test_an_appeal_with_a_photo_and_a_pdf_stores_both_and_shows_them(
    client, secretary_a, office, lodged, media_root
):
    a, appeal = lodged
    photo, pdf = appeal.files.order_by("pk")
    assert (photo.kind, photo.original_name) == ("image", "主题党日.jpg")
    assert (pdf.kind, pdf.original_name) == ("pdf", "会议记录.pdf")
    assert photo.thumbnail and not pdf.thumbnail
    assert photo.uploaded_by == secretary_a and appeal.text == TEXT
    # Stored under random names, never the phone's: a photo, its thumbnail and the PDF.
    stored = stored_files(media_root)
    assert len(stored) == 3 and all(name.startswith(f"appeals/{appeal.pk}/") for name in stored)
    assert not any("主题党日" in name or "会议记录" in name for name in stored)
    assert photo.size == photo.file.size + photo.thumbnail.size
    # The audit log names the files.
    event = AuditEvent.objects.get(action="appeal_lodged")
    assert event.detail == {"reason": TEXT, "files": ["主题党日.jpg", "会议记录.pdf"]}
    client.force_login(office)
    log = client.get(reverse("audit_log")).content.decode()
    assert "文件：主题党日.jpg、会议记录.pdf" in log

    # The branch's results page and the office's decision page show both files.
    for user, url in (
        (secretary_a, reverse("verification_results", args=[a.pk])),
        (office, reverse("verification_review", args=[a.pk])),
    ):
        client.force_login(user)
        html = client.get(url).content.decode()
        files_html = html.split('id="appeal-files"')[1].split("</ul>")[0]
        assert reverse("appeal_thumbnail", args=[photo.pk]) in files_html
        assert reverse("appeal_file", args=[photo.pk]) in files_html
        assert reverse("appeal_file", args=[pdf.pk]) in files_html
        assert "主题党日.jpg" in files_html and "会议记录.pdf" in files_html
        client.logout()

    client.force_login(secretary_a)
    response = client.get(reverse("appeal_file", args=[photo.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    response = client.get(reverse("appeal_file", args=[pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_the_form_states_the_limits_and_takes_several_files(client, secretary_a, published):
    a, _b = published
    client.force_login(secretary_a)
    html = client.get(reverse("verification_results", args=[a.pk])).content.decode()
    form = html.split('id="appeal-form"')[1].split("</form>")[0]
    assert 'enctype="multipart/form-data"' in html.split('id="appeal-form"')[0][-200:]
    assert 'type="file"' in form and "multiple" in form and 'accept="image/*' in form
    assert f"最多 {services.MAX_APPEAL_FILES} 个文件" in form and "10 MB" in form


def test_an_exe_renamed_jpg_is_refused_naming_it_and_the_text_is_kept(
    client, secretary_a, published, media_root
):
    a, _b = published
    client.force_login(secretary_a)
    response = appeal_post(client, a, ("会议记录.pdf", pdf_bytes()), ("活动照片.jpg", EXE))
    assert response.status_code == 200
    html = response.content.decode()
    errors = html.split('id="appeal-file-errors"')[1].split("</div>")[0]
    assert "“活动照片.jpg”的内容不是照片" in errors and "没有上传" in errors
    assert "请重新选择要附上的文件" in errors
    assert f">\n{TEXT}</textarea>" in html
    # Nothing written: not the appeal, not the good PDF, no file in storage.
    assert not Appeal.objects.exists() and not AppealEvidence.objects.exists()
    assert not AuditEvent.objects.filter(action="appeal_lodged").exists()
    assert stored_files(media_root) == set()
    # The secretary can still appeal once, now with the right file.
    assert appeal_post(client, a, ("活动照片.jpg", jpeg_bytes())).status_code == 302
    assert Appeal.objects.get().files.get().original_name == "活动照片.jpg"


def test_too_many_files_are_refused_with_the_text_kept(client, secretary_a, published, media_root):
    a, _b = published
    client.force_login(secretary_a)
    uploads = [(f"照片{i}.jpg", jpeg_bytes((40, 30))) for i in range(services.MAX_APPEAL_FILES + 1)]
    response = appeal_post(client, a, *uploads)
    html = response.content.decode()
    assert f"申诉最多附 {services.MAX_APPEAL_FILES} 个文件，您选择了 6 个" in html
    assert f">\n{TEXT}</textarea>" in html
    assert not Appeal.objects.exists() and stored_files(media_root) == set()


def test_a_missing_text_says_the_chosen_files_were_not_sent(
    client, secretary_a, published, media_root
):
    a, _b = published
    client.force_login(secretary_a)
    response = appeal_post(client, a, ("照片.jpg", jpeg_bytes()), text="")
    html = response.content.decode()
    assert "请写明申诉理由" in html and "您选择的文件尚未上传" in html
    assert not Appeal.objects.exists() and stored_files(media_root) == set()


def test_no_orphan_file_when_the_database_write_fails(
    client, secretary_a, published, media_root, monkeypatch
):
    a, _b = published
    calls = []
    create = AppealEvidence.objects.create

    def broken_create(**kwargs):
        calls.append(kwargs["original_name"])
        if len(calls) == 2:
            raise DatabaseError("disk full half-way")
        return create(**kwargs)

    monkeypatch.setattr(AppealEvidence.objects, "create", broken_create)
    client.force_login(secretary_a)
    with pytest.raises(DatabaseError):
        appeal_post(client, a, ("照片.jpg", jpeg_bytes()), ("记录.pdf", pdf_bytes()))
    assert calls == ["照片.jpg", "记录.pdf"]  # the photo's row written, then the PDF's failed
    assert stored_files(media_root) == set()
    assert not Appeal.objects.exists() and not AppealEvidence.objects.exists()
    assert not AuditEvent.objects.filter(action="appeal_lodged").exists()


def test_a_refused_appeal_writes_no_file(client, secretary_a, published, media_root):
    """A second appeal is refused by the service after the files were checked: none stored."""
    a, _b = published
    client.force_login(secretary_a)
    assert appeal_post(client, a, ("照片.jpg", jpeg_bytes())).status_code == 302
    before = stored_files(media_root)
    response = appeal_post(client, a, ("再一张.jpg", jpeg_bytes()), text="再申诉一次")
    assert response.status_code == 200
    assert "每份答卷只能申诉一次，您已经提出过申诉。" in response.content.decode()
    assert stored_files(media_root) == before and AppealEvidence.objects.count() == 1


@pytest.mark.parametrize("name", ["appeal_file", "appeal_thumbnail"])
def test_access_matrix_of_the_file_urls(client, secretary_a, secretary_b, office, lodged, name):
    """The office and branch A's secretary get the file; branch B's secretary is told it does
    not exist; an anonymous visitor is sent to log in."""
    _a, appeal = lodged
    photo = appeal.files.get(kind="image")
    url = reverse(name, args=[photo.pk])
    for user, expected in ((secretary_a, 200), (secretary_b, 404), (office, 200)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, (name, user.username)
        if expected == 200:
            assert response["Content-Type"] == "image/jpeg"
            assert response["X-Content-Type-Options"] == "nosniff"
        client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response.url
    client.force_login(office)
    assert client.get(reverse(name, args=[photo.pk + 100])).status_code == 404
    pdf = appeal.files.get(kind="pdf")
    assert client.get(reverse("appeal_thumbnail", args=[pdf.pk])).status_code == 404


def test_results_page_reads_are_pinned(client, secretary_a, lodged, django_assert_num_queries):
    a, _appeal = lodged
    client.force_login(secretary_a)
    url = reverse("verification_results", args=[a.pk])
    client.get(url)
    # 18 since the login backend reads her branch with her (surveys/organisation/backends.py)
    with django_assert_num_queries(18):
        assert client.get(url).status_code == 200


def test_files_left_by_deleted_appeals_can_be_purged(lodged, media_root):
    """The demo reset deletes rounds wholesale; their appeals' files then have no row."""
    _a, appeal = lodged
    kept = stored_files(media_root)
    pdf = appeal.files.get(kind="pdf")
    assert services.appeal_purge_orphans() == 0
    pdf.delete()  # as a cascade from a deleted round would: the row goes, its file stays
    assert stored_files(media_root) == kept
    assert services.appeal_purge_orphans() == 1
    assert stored_files(media_root) == kept - {pdf.file.name}
    photo = appeal.files.get()
    assert photo.file.storage.exists(photo.file.name)
    assert photo.thumbnail.storage.exists(photo.thumbnail.name)
