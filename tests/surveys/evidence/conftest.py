"""Real tiny files of every accepted kind, made here, and a media folder per test."""

import datetime as dt
import io

import docx
import openpyxl
import pytest
from fpdf import FPDF
from PIL import Image

from surveys.questionnaires.models import Question


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root):
    """Every file under the media folder, as relative paths."""
    if not root.exists():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def jpeg_bytes(size=(1200, 800), *, exif=None, color=(200, 30, 30)):
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def gps_exif(orientation=None):
    """EXIF with a camera, a GPS position and, if given, an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[0x0112] = orientation
    gps = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    return exif


def png_bytes():
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def pdf_bytes():
    pdf = FPDF()
    # A fixed date: the same bytes every call (a test compares a download with a new copy).
    pdf.set_creation_date(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Branch meeting minutes")
    return bytes(pdf.output())


def docx_bytes():
    document = docx.Document()
    document.add_paragraph("Minutes")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes():
    book = openpyxl.Workbook()
    book.active["A1"] = "attendance"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture
def evidence_question(questionnaire):
    """XYF1 (集中学习次数): the standard instrument allows evidence on it."""
    return questionnaire.questions.get(code="XYF1")


@pytest.fixture
def required_question(questionnaire):
    Question.objects.filter(questionnaire=questionnaire, code="ZZF1").update(evidence="required")
    return questionnaire.questions.get(code="ZZF1")
