"""What an uploaded file is, judged by its content, and the bytes the app stores for it.

Pure functions on bytes: no database, no storage. A phone photo is re-encoded (EXIF
orientation applied, every metadata block — GPS included — dropped) and shrunk, with a
thumbnail; PDF, Word and Excel files are checked and kept as they came."""

import io
import zipfile
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps

pillow_heif.register_heif_opener()

MAX_FILE_BYTES = 10 * 1024 * 1024  # one upload, as it comes from the phone
MAX_SUBMISSION_BYTES = 50 * 1024 * 1024  # all files stored for one submission
MAX_FILES_PER_QUESTION = 10
# Decoding costs memory by pixels, not bytes: a small file can claim a huge canvas. A
# 50-megapixel phone photo is accepted; more is refused before it is decoded.
MAX_IMAGE_PIXELS = 60_000_000
MAX_IMAGE_SIDE = 2048  # longest side of a stored photo
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85
# A docx/xlsx is a zip; past this unpacked size it is refused rather than inspected.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_NAME = 200

ACCEPT = (
    "image/*,.jpg,.jpeg,.png,.heic,.heif,application/pdf,.pdf,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,.docx,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,.xlsx"
)
LIMITS_TEXT = (
    f"可上传照片（JPG、PNG、HEIC）、PDF、Word（.docx）、Excel（.xlsx）；"
    f"单个文件不超过 {MAX_FILE_BYTES // 1024 // 1024} MB，"
    f"每份答卷合计不超过 {MAX_SUBMISSION_BYTES // 1024 // 1024} MB，"
    f"每题最多 {MAX_FILES_PER_QUESTION} 个文件。"
)

CONTENT_TYPES = {
    "image": "image/jpeg",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"image": "jpg", "pdf": "pdf", "docx": "docx", "xlsx": "xlsx"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}


class EvidenceFileError(Exception):
    """A refused file, with a message naming it, fit to show the secretary."""


@dataclass(frozen=True)
class Prepared:
    kind: str
    content: bytes
    thumbnail: bytes | None  # JPEG, images only

    @property
    def extension(self):
        return EXTENSIONS[self.kind]

    @property
    def size(self):
        return len(self.content) + len(self.thumbnail or b"")


def display_name(name):
    """The phone's file name as shown on the page: no folders, no control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (
            (stem[: MAX_NAME - len(ext) - 2] + "…." + ext)
            if dot and len(ext) < 10
            else name[:MAX_NAME]
        )
    return name or "未命名文件"


def sniff(content):
    """The kind the bytes say they are, or None."""
    if content[:3] == b"\xff\xd8\xff" or content[:8] == b"\x89PNG\r\n\x1a\n":
        return "image"
    if content[4:8] == b"ftyp" and content[8:12] in HEIF_BRANDS:
        return "image"
    if content[:5] == b"%PDF-":
        return "pdf"
    if content[:4] == b"PK\x03\x04":
        return "zip"
    return None


def check_size(name, size):
    shown = display_name(name)
    if not size:
        raise EvidenceFileError(f"文件“{shown}”是空的（0 字节），没有上传。请重新选择文件。")
    if size > MAX_FILE_BYTES:
        raise EvidenceFileError(
            f"文件“{shown}”有 {size / 1024 / 1024:.1f} MB，超过单个文件 "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB 的上限，没有上传。"
            "照片可在手机上选择较小尺寸，文件可压缩后再上传。"
        )


def prepare(name, content):
    """The bytes to store for one upload, or EvidenceFileError naming the file."""
    shown = display_name(name)
    check_size(name, len(content))
    kind = sniff(content)
    if kind == "image":
        return _image(shown, content)
    if kind == "pdf":
        if b"%%EOF" not in content[-2048:]:
            raise EvidenceFileError(f"文件“{shown}”不是完整的 PDF（可能未下载完整），没有上传。")
        return Prepared("pdf", content, None)
    if kind == "zip":
        return Prepared(_office_kind(shown, content), content, None)
    raise EvidenceFileError(
        f"文件“{shown}”的内容不是照片（JPG、PNG、HEIC）、PDF、Word（.docx）或 Excel（.xlsx），"
        "没有上传。请检查文件类型（仅改扩展名不能改变文件类型）。"
    )


def _image(shown, content):
    broken = EvidenceFileError(
        f"照片“{shown}”已损坏或不完整，无法打开，没有上传。请重新拍摄或选择。"
    )
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                rgba = image.convert("RGBA")
                image = Image.new("RGB", rgba.size, "white")
                image.paste(rgba, mask=rgba.getchannel("A"))
            elif image.mode == "L":
                image = image.convert("RGB")
            image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            stored = _jpeg(image)
            image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            thumb = _jpeg(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EvidenceFileError(f"照片“{shown}”像素过多，无法处理，没有上传。") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise broken from None
    return Prepared("image", stored, thumb)


def _jpeg(image):
    out = io.BytesIO()
    # No exif= argument: the new file carries no metadata (no GPS, no camera, no time).
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _office_kind(shown, content):
    not_office = EvidenceFileError(
        f"文件“{shown}”不是有效的 Word（.docx）或 Excel（.xlsx）文件"
        "（可能已损坏或不完整），没有上传。"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
                raise not_office
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names:
                raise not_office
            if archive.testzip() is not None:
                raise not_office
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise not_office from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise not_office
