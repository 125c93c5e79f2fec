"""A secretary attaches files to answers, from the questionnaire page's JSON endpoints (or a
plain form): limits, refusals in Chinese naming the file, what is kept, what is removed."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from surveys.audit.models import AuditEvent
from surveys.evidence import files, services
from surveys.evidence.models import Evidence
from surveys.submissions import services as submission_services
from surveys.submissions.models import Submission
from tests.helpers import answer_post, values_for
from tests.surveys.evidence.conftest import EXE, jpeg_bytes, pdf_bytes, stored_files
from tests.surveys.evidence.helpers import listed, remove, upload

pytestmark = pytest.mark.django_db


def test_upload_stores_the_file_under_a_random_name_and_lists_it(
    client_a, open_round, evidence_question, media_root
):
    response = upload(client_a, open_round, "XYF1", "三会一课现场.jpg", jpeg_bytes())
    assert response.status_code == 201
    evidence = Evidence.objects.get()
    assert evidence.original_name == "三会一课现场.jpg"
    assert "三会一课" not in evidence.file.name and evidence.file.name.endswith(".jpg")
    assert {evidence.file.name, evidence.thumbnail.name} == stored_files(media_root)
    (item,) = listed(client_a, open_round)
    assert item["name"] == "三会一课现场.jpg" and item["question"] == "XYF1"
    assert item["thumbnail"] and item["remove"]
    # No public URL: the file is served only through the checked view.
    assert item["url"] == reverse("evidence_file", args=[evidence.pk])
    assert client_a.get(item["url"]).status_code == 200


def test_uploading_before_any_draft_keeps_the_page_version_valid(
    client_a, open_round, evidence_question, questionnaire
):
    """The page was opened at version 0; attaching a file must not make its answers stale."""
    upload(client_a, open_round, "XYF1", "a.pdf", pdf_bytes())
    url = reverse("questionnaire", args=[open_round.pk])
    response = client_a.post(url, answer_post(questionnaire, version=0))
    assert response.status_code == 302
    assert Submission.objects.get().answers.count() == questionnaire.questions.count()


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("病毒.jpg", EXE, "内容不是照片"),
        ("空.jpg", b"", "是空的"),
        ("半张.jpg", jpeg_bytes()[:700], "已损坏或不完整"),
    ],
)
def test_bad_upload_is_refused_naming_the_file_and_keeps_what_was_there(
    client_a, open_round, evidence_question, media_root, name, content, words
):
    upload(client_a, open_round, "XYF1", "好照片.jpg", jpeg_bytes())
    before = stored_files(media_root)
    response = upload(client_a, open_round, "XYF1", name, content)
    assert response.status_code == 400
    error = response.json()["error"]
    assert f"“{name}”" in error and words in error
    assert [e.original_name for e in Evidence.objects.all()] == ["好照片.jpg"]
    assert stored_files(media_root) == before


def test_plain_form_upload_redirects_back_to_the_item_with_the_message(
    client_a, open_round, evidence_question
):
    response = upload(client_a, open_round, "XYF1", "病毒.jpg", EXE, as_json=False)
    assert response.status_code == 302
    assert response["Location"].endswith("/questionnaire/#q-XYF1")
    page = client_a.get(response["Location"]).content.decode()
    assert "病毒.jpg" in page and "内容不是照片" in page


def test_per_file_cap_is_checked_before_reading(
    client_a, open_round, evidence_question, monkeypatch
):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 2000)
    response = upload(client_a, open_round, "XYF1", "大.pdf", pdf_bytes() + b" " * 3000)
    assert response.status_code == 400 and "超过单个文件" in response.json()["error"]
    assert not Evidence.objects.exists()


def test_per_submission_cap(client_a, open_round, evidence_question, monkeypatch):
    content = pdf_bytes()
    monkeypatch.setattr(files, "MAX_SUBMISSION_BYTES", len(content) * 2 + 10)
    for i in range(2):
        assert upload(client_a, open_round, "XYF1", f"{i}.pdf", content).status_code == 201
    response = upload(client_a, open_round, "XYF1", "第三份.pdf", content)
    assert response.status_code == 400
    assert "“第三份.pdf”" in response.json()["error"] and "合计" in response.json()["error"]
    assert Evidence.objects.count() == 2


def test_question_without_evidence_refuses_files(client_a, open_round, questionnaire):
    assert questionnaire.questions.get(code="XY02").evidence == "none"
    response = upload(client_a, open_round, "XY02", "a.pdf", pdf_bytes())
    assert response.status_code == 400 and "不需要上传" in response.json()["error"]
    assert upload(client_a, open_round, "NOPE", "a.pdf", pdf_bytes()).status_code == 404


def test_no_orphan_file_when_the_row_cannot_be_written(
    secretary_a, open_round, evidence_question, media_root, monkeypatch
):
    def broken_create(**kwargs):
        raise IntegrityError("disk full half-way")

    monkeypatch.setattr(Evidence.objects, "create", broken_create)
    with pytest.raises(IntegrityError):
        services.evidence_add(
            entry=open_round.roster.get(branch=secretary_a.branch),
            user=secretary_a,
            question=evidence_question,
            name="照片.jpg",
            content=jpeg_bytes(),
        )
    assert stored_files(media_root) == set()
    assert not Evidence.objects.exists()


def test_removing_a_draft_file_deletes_it_from_storage_once_committed(
    client_a, open_round, evidence_question, media_root, django_capture_on_commit_callbacks
):
    upload(client_a, open_round, "XYF1", "照片.jpg", jpeg_bytes())
    evidence = Evidence.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = remove(client_a, evidence)
    assert response.status_code == 200 and response.json() == {"removed": evidence.pk}
    assert not Evidence.objects.exists()
    assert len(stored_files(media_root)) == 2  # not before the removal commits
    for callback in callbacks:
        callback()
    assert stored_files(media_root) == set()
    # Both steps are in the audit log, naming the item and the file.
    assert list(
        AuditEvent.objects.filter(action__startswith="evidence").values_list("action", "detail")
    ) == [
        ("evidence_removed", {"item": "XYF1", "file": "照片.jpg"}),
        ("evidence_added", {"item": "XYF1", "file": "照片.jpg"}),
    ]


def test_no_upload_after_submit_or_after_the_deadline(
    client_a, secretary_a, open_round, evidence_question, questionnaire
):
    entry = open_round.roster.get(branch=secretary_a.branch)
    upload(client_a, open_round, "XYF1", "照片.jpg", jpeg_bytes())
    submission_services.submission_submit(
        entry=entry, user=secretary_a, values=values_for(questionnaire, 4), version=0
    )
    response = upload(client_a, open_round, "XYF1", "又一张.jpg", jpeg_bytes())
    assert response.status_code == 400 and "已经提交" in response.json()["error"]
    assert remove(client_a, Evidence.objects.get()).status_code == 400
    assert Evidence.objects.count() == 1

    open_round.closes_at = timezone.now() - dt.timedelta(minutes=1)
    open_round.opens_at = timezone.now() - dt.timedelta(days=3)
    open_round.save()
    Submission.objects.update(status=Submission.Status.RETURNED)
    response = upload(client_a, open_round, "XYF1", "迟到.jpg", jpeg_bytes())
    assert response.status_code == 400 and "截止" in response.json()["error"]


def test_required_evidence_blocks_submit_and_names_the_item(
    client_a, open_round, required_question, questionnaire
):
    url = reverse("questionnaire", args=[open_round.pk])
    page = client_a.get(url).content.decode()
    assert 'data-evidence-question="ZZF1" data-evidence-required="1"' in page
    response = client_a.post(url, answer_post(questionnaire, version=0, action="submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "必须上传佐证材料" in html and "ZZF1" in html
    assert not Submission.objects.filter(status=Submission.Status.SUBMITTED).exists()
    # What was typed is still on the page.
    assert 'value="3"' in html
    upload(client_a, open_round, "ZZF1", "党课照片.jpg", jpeg_bytes())
    version = Submission.objects.get().version
    response = client_a.post(url, answer_post(questionnaire, version=version, action="submit"))
    assert response.status_code == 302
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


def test_files_left_by_deleted_submissions_can_be_purged(
    client_a, open_round, evidence_question, media_root
):
    upload(client_a, open_round, "XYF1", "留下.jpg", jpeg_bytes())
    kept = Evidence.objects.get()
    (media_root / "evidence" / "9").mkdir(parents=True)
    (media_root / "evidence" / "9" / "orphan.pdf").write_bytes(b"%PDF-1.4")
    assert services.evidence_purge_orphans() == 1
    assert stored_files(media_root) == {kept.file.name, kept.thumbnail.name}
