"""A secretary reports rectification progress with evidence files (issue 15): the files are
checked and processed as a questionnaire answer's are (surveys/evidence/files.py), refused
with a Chinese message naming the file while the typed note stays, written with the report
in one transaction, and served only to the office and the task's secretaries."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from reports.rectification import services
from reports.rectification.models import RectificationTask, TaskEvidence, TaskUpdate
from surveys.audit.models import AuditEvent
from surveys.evidence import files
from surveys.organisation.models import Branch
from tests.conftest import make_user
from tests.surveys.evidence.conftest import EXE, jpeg_bytes, pdf_bytes, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def task(open_round, unit_a, branch_a, office):
    return RectificationTask.objects.create(
        round=open_round,
        unit=unit_a,
        branch=branch_a,
        title="规范三会一课记录",
        due_date=timezone.localdate() + dt.timedelta(days=7),
        created_by=office,
    )


def report(client, task, *uploads, note="已建立会议记录台账", status="in_progress"):
    return client.post(
        reverse("rectification_report", args=[task.pk]),
        {
            "status": status,
            "note": note,
            "evidence": [SimpleUploadedFile(name, content) for name, content in uploads],
        },
    )


def test_a_report_with_a_photo_and_a_pdf_stores_both_and_shows_them(
    client, secretary_a, office, task, media_root
):
    client.force_login(secretary_a)
    photo = jpeg_bytes((3000, 2000))
    response = report(
        client, task, ("支委会现场.jpg", photo), ("会议记录.pdf", pdf_bytes()), status="done"
    )
    assert response.status_code == 302
    update = TaskUpdate.objects.get()
    assert (update.note, update.status, update.author) == (
        "已建立会议记录台账",
        "done",
        secretary_a,
    )
    image, pdf = update.files.order_by("pk")
    assert (image.kind, image.original_name, pdf.kind, pdf.original_name) == (
        "image",
        "支委会现场.jpg",
        "pdf",
        "会议记录.pdf",
    )
    # Stored under random names, the photo re-encoded and shrunk, with a thumbnail.
    assert "支委会" not in image.file.name and image.file.name.endswith(".jpg")
    assert stored_files(media_root) == {image.file.name, image.thumbnail.name, pdf.file.name}
    with Image.open(image.file.path) as stored:
        assert max(stored.size) == files.MAX_IMAGE_SIDE
    assert pdf.thumbnail.name == "" and pdf.size == len(pdf_bytes())
    assert image.uploaded_by == secretary_a
    assert "附佐证材料 2 个" in client.get(reverse("rectification_mine")).content.decode()

    page = client.get(reverse("rectification_report", args=[task.pk])).content.decode()
    assert "支委会现场.jpg" in page and "会议记录.pdf" in page
    assert reverse("rectification_thumbnail", args=[image.pk]) in page
    assert reverse("rectification_file", args=[pdf.pk]) in page
    client.force_login(office)
    office_page = client.get(reverse("rectification_round", args=[task.round_id])).content.decode()
    assert reverse("rectification_file", args=[image.pk]) in office_page
    assert "会议记录.pdf" in office_page


def test_the_audit_log_names_the_files_of_a_report(client, secretary_a, office, task):
    client.force_login(secretary_a)
    report(client, task, note="只写说明")
    report(client, task, ("支委会现场.jpg", jpeg_bytes()), ("会议记录.pdf", pdf_bytes()))
    events = AuditEvent.objects.filter(action="task_reported").order_by("at", "id")
    assert [e.detail["files"] for e in events] == [[], ["支委会现场.jpg", "会议记录.pdf"]]
    client.force_login(office)
    log = client.get(reverse("audit_log")).content.decode()
    assert "文件：支委会现场.jpg、会议记录.pdf" in log


def test_the_page_states_the_limits_and_takes_several_files(client, secretary_a, task):
    client.force_login(secretary_a)
    html = client.get(reverse("rectification_report", args=[task.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="evidence"' in html and " multiple" in html
    assert f'accept="{files.ACCEPT}"' in html
    assert f"单个文件不超过 {files.MAX_FILE_BYTES // 1024 // 1024} MB" in html
    assert f"每次最多 {services.MAX_FILES_PER_REPORT} 个文件" in html


def test_a_report_without_files_still_works(client, secretary_a, task, media_root):
    client.force_login(secretary_a)
    assert report(client, task).status_code == 302
    assert TaskUpdate.objects.get().files.count() == 0
    assert stored_files(media_root) == set()


def test_an_exe_renamed_jpg_is_refused_naming_it_and_the_note_is_kept(
    client, secretary_a, task, media_root
):
    client.force_login(secretary_a)
    response = report(
        client,
        task,
        ("现场照片.jpg", jpeg_bytes()),
        ("病毒.jpg", EXE),
        note="已补齐本季度三会一课记录",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "文件“病毒.jpg”的内容不是照片" in html
    assert "已补齐本季度三会一课记录</textarea>" in html
    assert "您填写的说明已保留" in html
    # The good file beside it is not written either: every file is checked first.
    assert not TaskUpdate.objects.exists() and not TaskEvidence.objects.exists()
    assert stored_files(media_root) == set()
    task.refresh_from_db()
    assert task.status == "open"


def test_an_oversized_file_is_refused(client, secretary_a, task, media_root, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 2000)
    client.force_login(secretary_a)
    response = report(client, task, ("扫描件.pdf", pdf_bytes() + b" " * 3000))
    html = response.content.decode()
    assert response.status_code == 200
    assert "文件“扫描件.pdf”有" in html and "超过单个文件" in html
    assert "已建立会议记录台账</textarea>" in html
    assert not TaskUpdate.objects.exists() and stored_files(media_root) == set()


def test_too_many_files_and_the_task_total_are_refused(
    client, secretary_a, task, media_root, monkeypatch
):
    client.force_login(secretary_a)
    monkeypatch.setattr(services, "MAX_FILES_PER_REPORT", 2)
    response = report(client, task, *[(f"{i}.pdf", pdf_bytes()) for i in range(3)])
    assert "每次最多上传 2 个文件，您选择了 3 个" in response.content.decode()
    assert not TaskUpdate.objects.exists()

    monkeypatch.setattr(files, "MAX_SUBMISSION_BYTES", len(pdf_bytes()) * 2 + 10)
    assert report(client, task, ("一.pdf", pdf_bytes()), ("二.pdf", pdf_bytes())).status_code == 302
    response = report(client, task, ("第三份.pdf", pdf_bytes()), note="再补一份")
    html = response.content.decode()
    assert "合计将超过" in html and "“第三份.pdf”没有上传" in html
    assert "再补一份</textarea>" in html
    assert TaskUpdate.objects.count() == 1 and TaskEvidence.objects.count() == 2
    assert len(stored_files(media_root)) == 2


def test_no_orphan_file_when_the_database_write_fails(secretary_a, task, media_root, monkeypatch):
    prepared = services.prepare_files([("照片.jpg", jpeg_bytes()), ("记录.pdf", pdf_bytes())])
    calls = []

    def broken_create(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise IntegrityError("disk full half-way")

    monkeypatch.setattr(TaskEvidence.objects, "create", broken_create)
    with pytest.raises(IntegrityError):
        services.report_progress(
            actor=secretary_a, task_id=task.pk, note="已整改", status="done", evidence=prepared
        )
    assert len(calls) == 2  # the photo's row "written", then the PDF's failed
    assert stored_files(media_root) == set()
    assert not TaskUpdate.objects.exists()
    task.refresh_from_db()
    assert (task.status, task.completed_at) == ("open", None)


def test_withdrawing_a_task_deletes_its_files_once_committed(
    client, secretary_a, office, task, media_root, django_capture_on_commit_callbacks
):
    client.force_login(secretary_a)
    report(client, task, ("照片.jpg", jpeg_bytes()))
    assert len(stored_files(media_root)) == 2
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rectification_delete", args=[task.pk]))
    assert not TaskEvidence.objects.exists()
    assert stored_files(media_root) == set()


@pytest.fixture
def stored(client, secretary_a, task):
    client.force_login(secretary_a)
    report(client, task, ("照片.jpg", jpeg_bytes()), ("记录.pdf", pdf_bytes()))
    client.logout()
    return TaskEvidence.objects.get(kind="image"), TaskEvidence.objects.get(kind="pdf")


@pytest.mark.parametrize(
    "who, expected",
    [("secretary_a", 200), ("secretary_b", 404), ("office", 200), (None, 302)],
)
def test_the_file_urls_answer_only_the_office_and_the_tasks_secretary(
    client, request, stored, who, expected
):
    image, pdf = stored
    if who:
        client.force_login(request.getfixturevalue(who))
    urls = [
        reverse("rectification_file", args=[image.pk]),
        reverse("rectification_thumbnail", args=[image.pk]),
        reverse("rectification_file", args=[pdf.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert response["Location"].startswith(reverse("login"))
        if expected == 200:
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Type"] in ("image/jpeg", "application/pdf")
            b"".join(response.streaming_content)
    if expected == 200:
        # No thumbnail for a PDF.
        assert client.get(reverse("rectification_thumbnail", args=[pdf.pk])).status_code == 404


def test_a_unit_tasks_files_reach_every_secretary_of_the_unit(
    client, open_round, unit_a, secretary_a, secretary_b
):
    task = RectificationTask.objects.create(
        round=open_round,
        unit=unit_a,
        title="全单位整改",
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )
    colleague = make_user(
        "s_a2", role="secretary", branch=Branch.objects.create(unit=unit_a, code="A2", name="二支")
    )
    client.force_login(colleague)
    report(client, task, ("记录.pdf", pdf_bytes()))
    url = reverse("rectification_file", args=[TaskEvidence.objects.get().pk])
    client.force_login(secretary_a)
    assert client.get(url).status_code == 200
    client.force_login(secretary_b)
    assert client.get(url).status_code == 404
    assert client.get(reverse("rectification_file", args=[999])).status_code == 404


def test_the_report_page_reads_a_fixed_number_of_queries(
    client, secretary_a, task, django_assert_num_queries
):
    client.force_login(secretary_a)
    for i in range(3):
        report(client, task, (f"{i}.jpg", jpeg_bytes((40, 30))), (f"{i}.pdf", pdf_bytes()))
    url = reverse("rectification_report", args=[task.pk])
    # session, user (with her branch), task, its reports, their files: not one per file
    with django_assert_num_queries(5):
        html = client.get(url).content.decode()
    assert html.count('class="evidence-thumb"') == 3


def test_files_of_tasks_deleted_wholesale_are_purged(client, secretary_a, task, media_root):
    client.force_login(secretary_a)
    report(client, task, ("记录.pdf", pdf_bytes()))
    kept = TaskEvidence.objects.get().file.name
    other = RectificationTask.objects.create(
        round=task.round, unit=task.unit, title="另一项", due_date=task.due_date
    )
    report(client, other, ("照片.jpg", jpeg_bytes()))
    RectificationTask.objects.filter(pk=other.pk).delete()  # as a round's deletion would
    assert len(stored_files(media_root)) == 3
    assert services.purge_orphan_files() == 2
    assert stored_files(media_root) == {kept}


def test_a_missing_note_says_the_chosen_files_were_not_sent(client, secretary_a, task, media_root):
    client.force_login(secretary_a)
    response = report(client, task, ("照片.jpg", jpeg_bytes()), note="")
    html = response.content.decode()
    assert "请填写进展说明" in html and "您选择的文件尚未上传" in html
    assert not TaskUpdate.objects.exists() and stored_files(media_root) == set()
