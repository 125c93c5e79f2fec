"""Charts go into the PDF with the PNG's own compressed pixels (reports/exports/pdf.py,
_png_as_pdf_image): what a PDF reader shows is pixel for pixel the chart, fpdf2 decodes and
deflates nothing again, and a PNG of any other kind still goes in, read by fpdf2 itself."""

import io
import struct
import zlib
from unittest import mock

import pytest
from fpdf import image_parsing
from PIL import Image
from pypdf import PdfReader

from reports import chart_store
from reports.charts import profile
from reports.exports import pdf
from tests.helpers import submit


def _pixels(png_or_image):
    image = png_or_image if isinstance(png_or_image, Image.Image) else Image.open(png_or_image)
    return image.convert("RGB").tobytes()


def _one_image_pdf(png):
    document = pdf.ReportPDF("测试")
    document.add_page()
    document.png(png, x=20, w=120, h=80)
    return PdfReader(io.BytesIO(bytes(document.output())))


def _png(mode, **save):
    image = Image.new(mode, (37, 23), "white" if mode != "P" else 0)
    for x in range(37):
        image.putpixel((x, x % 23), (179, 18, 15, 128)[: len(mode)] if mode != "P" else 1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **save)
    return buffer.getvalue()


def test_a_chart_is_placed_with_its_own_pixels_and_not_encoded_again():
    chart = profile.radar(["甲", "乙", "丙"], [("县委办", [3.5, 4.2, 2.8])], fmt="png")
    with mock.patch.object(image_parsing, "_to_zdata", wraps=image_parsing._to_zdata) as deflate:
        reader = _one_image_pdf(chart)
    assert deflate.call_count == 0
    (placed,) = reader.pages[0].images
    assert placed.image.size == pdf._png_size(chart)
    assert _pixels(placed.image) == _pixels(io.BytesIO(chart))


@pytest.mark.parametrize(
    "mode, save",
    [("RGBA", {}), ("P", {}), ("L", {}), ("LA", {}), ("RGB", {"optimize": True})],
)
def test_any_other_png_is_still_placed_right(mode, save):
    png = _png(mode, **save)
    if mode != "RGB":
        assert pdf._png_as_pdf_image(png) is None
    (placed,) = _one_image_pdf(png).pages[0].images
    expected = Image.open(io.BytesIO(png))
    if expected.mode == "RGBA":  # the PDF keeps the alpha apart, as a soft mask
        expected = expected.convert("RGB")
    assert _pixels(placed.image) == _pixels(expected)


def test_not_a_png_at_all_or_an_interlaced_one_is_left_to_fpdf2():
    assert pdf._png_as_pdf_image(b"GIF89a" + bytes(40)) is None
    png = bytearray(_png("RGB"))
    png[28] = 1  # IHDR's interlace method: Adam7
    png[29:33] = struct.pack(">I", zlib.crc32(png[12:29]))
    assert pdf._png_as_pdf_image(bytes(png)) is None


@pytest.mark.django_db
def test_every_chart_of_a_round_pdf_is_the_drawn_chart(
    client, secretary_a, secretary_b, open_round, questionnaire
):
    submit(client, secretary_a, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="2")
    pngs, drawn = [], chart_store.drawn

    def kept(*args, **kwargs):
        pngs.append(drawn(*args, **kwargs))
        return pngs[-1]

    deflate = mock.patch.object(image_parsing, "_to_zdata", wraps=image_parsing._to_zdata)
    with deflate as deflated, mock.patch.object(pdf.chart_store, "drawn", side_effect=kept):
        reader = PdfReader(io.BytesIO(pdf.round_report_pdf(open_round)))
    assert deflated.call_count == 0
    placed = [image for page in reader.pages for image in page.images]
    # The county's three charts, then each unit's radar and items (no trend: one round).
    assert len(placed) == len(pngs) >= 3 + 2 * 2
    for image, png in zip(placed, pngs, strict=True):
        assert _pixels(image.image) == _pixels(io.BytesIO(png))
