"""Several evidence files sent together (a task's report, an appeal): every refusal at once
with its caller's cap, and the files one write stored gone again when that write fails."""

import pytest

from surveys.evidence import files, uploads
from surveys.evidence.uploads import FilesRefused, NamedFile, StoredFiles
from tests.surveys.evidence.conftest import EXE, jpeg_bytes, pdf_bytes, stored_files

TOO_MANY = "最多 {max_files} 个文件，您选择了 {count} 个。"


class CallersError(FilesRefused):
    pass


def test_all_refusals_come_at_once_in_the_callers_error_and_words():
    sent = [("程序.pdf", EXE), ("记录.pdf", pdf_bytes()), ("空.jpg", b"")]
    with pytest.raises(CallersError) as refused:
        uploads.prepare_all(sent, max_files=2, too_many=TOO_MANY, error=CallersError)
    first, *rest = refused.value.messages
    assert first == "最多 2 个文件，您选择了 3 个。"
    assert len(rest) == 2 and "“程序.pdf”的内容不是照片" in rest[0] and "“空.jpg”是空的" in rest[1]


def test_accepted_files_keep_their_shown_names_in_order():
    sent = [("C:\\手机\\现场.jpg", jpeg_bytes()), ("记录.pdf", pdf_bytes())]
    prepared = uploads.prepare_all(sent, max_files=5, too_many=TOO_MANY)
    assert [(item.name, item.prepared.kind) for item in prepared] == [
        ("现场.jpg", "image"),
        ("记录.pdf", "pdf"),
    ]
    assert uploads.quoted_names(prepared) == "“现场.jpg”、“记录.pdf”"


def test_stored_files_are_deleted_when_the_write_fails(media_root):
    photo, pdf = uploads.prepare_all(
        [("现场.jpg", jpeg_bytes()), ("记录.pdf", pdf_bytes())], max_files=5, too_many=TOO_MANY
    )
    with pytest.raises(RuntimeError), StoredFiles() as stored:
        row = stored.save("appeals/7", photo)
        stored.save("appeals/7", pdf)
        assert len(stored_files(media_root)) == 3  # the photo, its thumbnail, the PDF
        raise RuntimeError("the row could not be written")
    assert stored_files(media_root) == set()
    assert row["file"].startswith("appeals/7/") and row["file"].endswith(".jpg")
    assert row["thumbnail"] == row["file"].removesuffix(".jpg") + "_t.jpg"
    assert (row["kind"], row["original_name"], row["size"]) == (
        "image",
        "现场.jpg",
        photo.prepared.size,
    )


def test_stored_files_stay_when_the_write_succeeds(media_root):
    item = NamedFile("记录.pdf", files.prepare("记录.pdf", pdf_bytes()))
    with StoredFiles() as stored:
        row = stored.save("rectification/3", item)
    assert stored_files(media_root) == {row["file"]} and row["thumbnail"] == ""
