"""Every submitted version keeps the files it was submitted with: a return, a removal and a
resubmission lose none; the submission page shows the version it shows; backup and restore
bring a file back with its row."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from surveys.evidence.models import Evidence
from surveys.evidence.selectors import evidence_of_version
from surveys.submissions import services as submission_services
from surveys.submissions.models import Submission
from tests.helpers import values_for
from tests.surveys.evidence.conftest import jpeg_bytes, pdf_bytes, stored_files
from tests.surveys.evidence.helpers import JSON, remove, upload


def submit(secretary, round_, questionnaire):
    entry = round_.roster.get(branch=secretary.branch)
    version = Submission.objects.filter(round=round_, branch=secretary.branch).first()
    return submission_services.submission_submit(
        entry=entry,
        user=secretary,
        values=values_for(questionnaire, 4),
        version=version.version if version else 0,
    ).submission


@pytest.mark.django_db
def test_return_and_resubmit_keep_each_version_files(
    client_a,
    secretary_a,
    office,
    open_round,
    questionnaire,
    evidence_question,
    media_root,
    django_capture_on_commit_callbacks,
):
    upload(client_a, open_round, "XYF1", "第一次.jpg", jpeg_bytes())
    submission = submit(secretary_a, open_round, questionnaire)
    first = Evidence.objects.get()
    assert first.submitted_in == 1

    submission_services.submission_return(user=office, submission=submission, reason="请补充材料")
    with django_capture_on_commit_callbacks(execute=True):
        assert remove(client_a, first).status_code == 200  # off the answer, kept for v1
    upload(client_a, open_round, "XYF1", "补充.pdf", pdf_bytes())
    submission = submit(secretary_a, open_round, questionnaire)

    assert [e.original_name for e in evidence_of_version(submission, 1)] == ["第一次.jpg"]
    assert [e.original_name for e in evidence_of_version(submission, 2)] == ["补充.pdf"]
    first.refresh_from_db()
    assert (first.submitted_in, first.removed_before) == (1, 2)
    assert first.file.name in stored_files(media_root)  # the file of version 1 is still there
    client_a.force_login(office)
    response = client_a.get(reverse("evidence_file", args=[first.pk]))
    assert response.status_code == 200  # the office can still open version 1's photo

    shown = client_a.get(reverse("submission_evidence", args=[submission.pk]), **JSON).json()
    assert [f["name"] for f in shown["files"]] == ["补充.pdf"]
    assert all(f["remove"] == "" for f in shown["files"])
    url = reverse("submission_evidence", args=[submission.pk])
    for number, names in ((1, ["第一次.jpg"]), (2, ["补充.pdf"])):
        files = client_a.get(url, {"version": str(number)}, **JSON).json()["files"]
        assert [f["name"] for f in files] == names
    assert client_a.get(url, {"version": "x" * 20}, **JSON).status_code == 200


@pytest.mark.django_db
def test_submission_page_has_an_evidence_area_for_items_that_take_evidence(
    client_a, secretary_a, open_round, questionnaire, evidence_question
):
    upload(client_a, open_round, "XYF1", "照片.jpg", jpeg_bytes())
    submission = submit(secretary_a, open_round, questionnaire)
    html = client_a.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    assert 'data-evidence-question="XYF1"' in html
    assert 'data-evidence-question="XY02"' not in html
    assert reverse("submission_evidence", args=[submission.pk]) in html
    assert "js/evidence.js" in html


@pytest.mark.django_db
def test_questionnaire_page_query_count_with_evidence_list(
    client_a, open_round, evidence_question, django_assert_num_queries
):
    for i in range(3):
        upload(client_a, open_round, "XYF1", f"{i}.jpg", jpeg_bytes())
    # Session, user, roster entry, submission, files: not one more per file.
    with django_assert_num_queries(5):
        files = client_a.get(reverse("evidence_list", args=[open_round.pk]), **JSON).json()
    assert len(files["files"]) == 3


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_bring_back_an_evidence_file_with_its_row(
    client, secretary_a, open_round, evidence_question, media_root, tmp_path
):
    client.force_login(secretary_a)
    upload(client, open_round, "XYF1", "会议记录.pdf", pdf_bytes())
    evidence = Evidence.objects.get()
    content = evidence.file.read()
    evidence.file.close()
    backups = tmp_path / "backups"
    call_command("backup", "--dir", str(backups), stdout=io.StringIO())

    (media_root / evidence.file.name).unlink()
    Evidence.objects.all().delete()
    (archive,) = sorted(backups.glob("ronghe-*.tar.gz"))
    call_command("restore", str(archive), "--yes", stdout=io.StringIO())

    restored = Evidence.objects.get()
    assert (restored.pk, restored.original_name) == (evidence.pk, "会议记录.pdf")
    assert (media_root / restored.file.name).read_bytes() == content
