"""What an uploaded file really is, judged by its content; photos re-encoded.

The name a file comes with is only its claim: a photo must decode as an image (JPEG, PNG,
WebP or GIF) and is re-encoded, which drops its metadata (camera, GPS position) and anything
hidden after the picture; a document must carry its format's signature (PDF `%PDF-`; XLSX and
DOCX a zip with `[Content_Types].xml` and the workbook or document part, no macros; XLS an OLE2
file naming a workbook stream, no macros; CSV text in UTF-8 or GBK without NUL bytes). HEIC (and AVIF) photos
are refused: they cannot be decoded here without another library, so the sender is asked for
JPEG. No Django here: callers turn `Refused` into their own errors.
"""

import io
from dataclasses import dataclass
from pathlib import PurePath

from . import tabular
from .workbook_extent import ExtentExceeded, NotAWorkbook, open_zip

MAX_PIXELS = 50_000_000  # a 50-megapixel photo; a decompression bomb declares far more
JPEG_QUALITY = 90
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
HEIC_SUFFIXES = {".heic", ".heif", ".avif"}
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_FORMATS = ["JPEG", "PNG", "WEBP", "GIF"]  # the only decoders Pillow may try


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extension: str
    inline: bool = False  # only re-encoded images are shown in the browser; the rest is downloaded


JPEG = Kind("jpeg", "image/jpeg", ".jpg", inline=True)
PNG = Kind("png", "image/png", ".png", inline=True)
WEBP = Kind("webp", "image/webp", ".webp", inline=True)
PDF = Kind("pdf", "application/pdf", ".pdf")
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLS = Kind("xls", "application/vnd.ms-excel", ".xls")
CSV = Kind("csv", "text/csv", ".csv")
KINDS = {kind.name: kind for kind in (JPEG, PNG, WEBP, PDF, XLSX, DOCX, XLS, CSV)}
INLINE_CONTENT_TYPES = {kind.content_type for kind in KINDS.values() if kind.inline}


@dataclass(frozen=True)
class Verified:
    kind: Kind
    content: bytes  # what is stored: the re-encoded picture, or the document as sent


class Refused(Exception):
    """reason: not_allowed, empty, mismatch (the content is not what the name says), heic,
    unreadable, image_too_large (params: pixels, limit), macros, table_too_large (params:
    the lib/tabular TableTooLarge)."""

    def __init__(self, reason: str, **params):
        self.reason, self.params = reason, params
        super().__init__(reason)


def verify(raw: bytes, filename: str) -> Verified:
    """The file's verified kind and the content to store, or Refused."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in HEIC_SUFFIXES or _is_heic(raw):
        raise Refused("heic")
    if not raw:
        raise Refused("empty")
    if suffix in IMAGE_SUFFIXES:
        return _image(raw)
    if suffix == ".pdf":
        return _signed(raw, PDF, raw.startswith(b"%PDF-"))
    if suffix in (".xlsx", ".docx"):
        return _office(raw, XLSX if suffix == ".xlsx" else DOCX)
    if suffix == ".xls":
        # An OLE2 file naming a Book or Workbook stream in its directory (names are UTF-16).
        verified = _signed(raw, XLS, raw.startswith(OLE2_SIGNATURE) and any(
            name.encode("utf-16-le") in raw for name in ("Workbook", "Book")))
        if "_VBA_PROJECT".encode("utf-16-le") in raw:
            raise Refused("macros")
        return verified
    if suffix == ".csv":
        return _signed(raw, CSV, _is_text(raw))
    raise Refused("not_allowed")


def _is_heic(raw: bytes) -> bool:
    return raw[4:8] == b"ftyp" and raw[8:12] in _HEIC_BRANDS


def _signed(raw: bytes, kind: Kind, matches: bool) -> Verified:
    if not matches:
        raise Refused("mismatch", kind=kind.name)
    return Verified(kind, raw)


def _is_text(raw: bytes) -> bool:
    if b"\x00" in raw:
        return False
    try:
        tabular.decode_csv(raw)
    except tabular.TableError:
        return False
    return True


def _office(raw: bytes, kind: Kind) -> Verified:
    """XLSX or DOCX: a zip holding the package's content types and the main part, without macros;
    a workbook's first sheet is also measured as an import would measure it."""
    main, macros = ("xl/workbook.xml", "xl/vbaProject.bin") if kind is XLSX else (
        "word/document.xml", "word/vbaProject.bin")
    try:
        with open_zip(raw, tabular.LIMITS) as archive:
            names = set(archive.NameToInfo)
    except NotAWorkbook:
        raise Refused("mismatch", kind=kind.name) from None
    except ExtentExceeded as exc:
        raise Refused("table_too_large", error=tabular.TableTooLarge(
            exc.code, limit=exc.limit, found=exc.found, declared=exc.declared, measure=exc.measure)) from None
    if "[Content_Types].xml" not in names or main not in names:
        raise Refused("mismatch", kind=kind.name)
    if macros in names:
        raise Refused("macros")
    if kind is XLSX:
        try:
            tabular.workbook_check(raw)
        except tabular.TableTooLarge as exc:
            raise Refused("table_too_large", error=exc) from None
        except tabular.TableError:
            raise Refused("mismatch", kind=kind.name) from None
    return Verified(kind, raw)


def _image(raw: bytes) -> Verified:
    """Decode the picture (verify, then load it again: verify leaves it unusable) and save it anew:
    the stored file holds the pixels and the colour profile, nothing else."""
    from PIL import Image, UnidentifiedImageError

    try:
        return _decoded(raw)
    except Image.DecompressionBombError:  # past twice Pillow's own limit: refused while opening
        raise Refused("image_too_large", pixels=None, limit=MAX_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):  # what Pillow raises for bad data
        raise Refused("unreadable") from None


def _decoded(raw: bytes) -> Verified:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(raw), formats=_IMAGE_FORMATS) as probe:
        pixels = probe.width * probe.height
        if pixels > MAX_PIXELS:
            raise Refused("image_too_large", pixels=pixels, limit=MAX_PIXELS)
        probe.verify()
    with Image.open(io.BytesIO(raw), formats=_IMAGE_FORMATS) as picture:
        source_format = picture.format
        picture.load()
        upright = ImageOps.exif_transpose(picture)
        return _encoded(upright, source_format, picture.info.get("icc_profile"))


def _encoded(picture, source_format: str, icc_profile: bytes | None) -> Verified:
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    buffer = io.BytesIO()
    if source_format == "JPEG":
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.save(buffer, "JPEG", quality=JPEG_QUALITY, **extra)
        return Verified(JPEG, buffer.getvalue())
    if source_format == "WEBP":
        if picture.mode not in ("RGB", "RGBA"):
            picture = picture.convert("RGBA")
        picture.save(buffer, "WEBP", quality=JPEG_QUALITY, **extra)
        return Verified(WEBP, buffer.getvalue())
    # PNG, and GIF as a PNG of its first frame (defect photos need no animation).
    if picture.mode not in ("1", "L", "LA", "I", "I;16", "RGB", "RGBA") and not (
            picture.mode == "P" and "transparency" not in picture.info):
        picture = picture.convert("RGBA")
    picture.save(buffer, "PNG", **extra)
    return Verified(PNG, buffer.getvalue())
