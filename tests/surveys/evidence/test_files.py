"""What an upload is, judged by its bytes; and what is stored for a photo. No database."""

import io
import zipfile

import pytest
from PIL import Image

from surveys.evidence import files
from surveys.evidence.files import EvidenceFileError
from tests.surveys.evidence.conftest import (
    EXE,
    docx_bytes,
    gps_exif,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    xlsx_bytes,
)


@pytest.mark.parametrize(
    "name, make, kind",
    [
        ("现场照片.jpg", jpeg_bytes, "image"),
        ("截图.png", png_bytes, "image"),
        ("会议记录.pdf", pdf_bytes, "pdf"),
        ("会议记录.docx", docx_bytes, "docx"),
        ("签到表.xlsx", xlsx_bytes, "xlsx"),
    ],
)
def test_each_accepted_kind_is_recognised_by_content(name, make, kind):
    prepared = files.prepare(name, make())
    assert prepared.kind == kind
    # The extension does not matter: the same bytes under a wrong name are still that kind.
    assert files.prepare("文件.bin", make()).kind == kind


def test_heic_photo_is_accepted_and_stored_as_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 20, 200)).save(out, "HEIF")
    prepared = files.prepare("IMG_0001.HEIC", out.getvalue())
    assert prepared.kind == "image"
    assert Image.open(io.BytesIO(prepared.content)).format == "JPEG"


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("照片.jpg", EXE, "内容不是照片"),
        ("照片.jpg", b"", "是空的"),
        ("照片.jpg", jpeg_bytes()[:600], "已损坏或不完整"),
        ("记录.pdf", pdf_bytes()[:200], "不是完整的 PDF"),
        ("记录.docx", docx_bytes()[:500], "不是有效的 Word"),
        ("记录.docx", b"PK\x03\x04" + b"\0" * 100, "不是有效的 Word"),
        ("说明.txt", "只是文字".encode(), "内容不是照片"),
    ],
)
def test_bad_files_are_refused_naming_the_file(name, content, words):
    with pytest.raises(EvidenceFileError) as caught:
        files.prepare(name, content)
    message = str(caught.value)
    assert f"“{name}”" in message and words in message


def test_a_zip_that_is_neither_word_nor_excel_is_refused():
    out = io.BytesIO()

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p/>")
    with pytest.raises(EvidenceFileError, match="不是有效的 Word"):
        files.prepare("幻灯片.docx", out.getvalue())


def test_oversized_file_is_refused_with_its_size(monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    with pytest.raises(EvidenceFileError) as caught:
        files.prepare("大照片.jpg", jpeg_bytes())
    assert "“大照片.jpg”" in str(caught.value) and "上限" in str(caught.value)


def test_photo_loses_its_exif_and_gps_and_is_turned_upright():
    # Orientation 6: the camera was held turned; the picture is shown rotated 90°.
    original = jpeg_bytes((1200, 800), exif=gps_exif(orientation=6))
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    prepared = files.prepare("现场.jpg", original)
    stored = Image.open(io.BytesIO(prepared.content))
    assert not stored.getexif()  # no camera, no GPS, no orientation left
    assert b"PhoneMaker" not in prepared.content
    assert stored.size == (800, 1200)  # upright


def test_big_photo_is_shrunk_with_a_thumbnail():
    prepared = files.prepare("大图.jpg", jpeg_bytes((4000, 3000)))
    stored = Image.open(io.BytesIO(prepared.content))
    thumb = Image.open(io.BytesIO(prepared.thumbnail))
    assert max(stored.size) == files.MAX_IMAGE_SIDE
    assert max(thumb.size) == files.THUMBNAIL_SIDE and thumb.format == "JPEG"


def test_transparent_png_is_flattened_onto_white():
    prepared = files.prepare("透明.png", png_bytes())
    stored = Image.open(io.BytesIO(prepared.content))
    assert stored.mode == "RGB" and stored.format == "JPEG"


def test_documents_are_kept_as_they_came_without_a_thumbnail():
    content = pdf_bytes()
    prepared = files.prepare("记录.pdf", content)
    assert prepared.content == content and prepared.thumbnail is None


@pytest.mark.parametrize(
    "name, shown",
    [("C:\\Users\\me\\照片.jpg", "照片.jpg"), ("../../etc/passwd", "passwd"), ("", "未命名文件")],
)
def test_display_name_drops_folders(name, shown):
    assert files.display_name(name) == shown


def test_a_small_file_claiming_a_huge_canvas_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(files, "MAX_IMAGE_PIXELS", 1000 * 1000)
    with pytest.raises(EvidenceFileError, match="“全景.jpg”像素过多"):
        files.prepare("全景.jpg", jpeg_bytes((1200, 1000)))
    assert files.prepare("正常.jpg", jpeg_bytes((1000, 1000))).kind == "image"
