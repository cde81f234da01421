"""Attachment checks by content, not by name: PDF, XLSX, CSV and images (re-encoded).

Plain functions over bytes: `check()` returns a CheckedFile or refuses the file with an
AttachmentError (a Refusal; words in notices/messages.py); `store()` writes it under
UPLOAD_DIR/notices with a random name.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps

from portal.core.problems import Refusal

Image.MAX_IMAGE_PIXELS = 40_000_000

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = {
    "pdf": "application/pdf",
    "xlsx": XLSX_TYPE,
    "csv": "text/csv; charset=utf-8",
    "png": "image/png",
    "jpg": "image/jpeg",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class AttachmentError(Refusal):
    """`code` is one of: empty, too_large (`size`: the limit, as shown), wrong_type."""

    def __init__(self, code: str, *, size: str | None = None) -> None:
        if size is None:
            super().__init__(code, "file")
        else:
            super().__init__(code, "file", size=size)


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean_filename(name: str, extension: str) -> str:
    """Keep the name people recognise (Chinese included), without paths or control chars."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = "".join(ch for ch in stem if unicodedata.category(ch)[0] not in ("C",))
    stem = stem.strip(" .")[:120] or "attachment"
    return f"{stem}.{extension}"


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _csv_text(data: bytes) -> bytes | None:
    """CSV must be text in UTF-8 (BOM or not) or GB18030; served as UTF-8."""
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return ("\ufeff" + text).encode("utf-8")
    return None


def _reencode_image(data: bytes) -> tuple[bytes, str] | None:
    """Decode and re-encode: drops EXIF (GPS!) and anything hidden after the image data."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image  # the opened file, then the transposed, converted copies
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format
                if fmt not in ("PNG", "JPEG", "GIF", "WEBP"):
                    return None
                img.load()
                img = ImageOps.exif_transpose(img)
                out = io.BytesIO()
                if fmt == "JPEG":
                    img = img.convert("RGB")
                elif img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    img = img.convert("RGBA")
                # Pillow writes back what it read into .info (a JPEG's COM segment, the ICC
                # profile, PNG text): only the pixels may leave.
                img.info = (
                    {"transparency": img.info["transparency"]}
                    if ("transparency" in img.info)
                    else {}
                )
                if fmt == "JPEG":
                    img.save(out, "JPEG", quality=90)
                    return out.getvalue(), "jpg"
                img.save(out, "PNG", optimize=True)
                return out.getvalue(), "png"
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None


def check(filename: str, data: bytes, max_bytes: int) -> CheckedFile:
    if not data:
        raise AttachmentError("empty")
    if len(data) > max_bytes:
        raise AttachmentError("too_large", size=size_label(max_bytes))
    if data.startswith(b"%PDF-"):
        return CheckedFile(clean_filename(filename, "pdf"), TYPES["pdf"], data)
    if data.startswith(b"PK\x03\x04"):
        if _is_xlsx(data):
            return CheckedFile(clean_filename(filename, "xlsx"), XLSX_TYPE, data)
        raise AttachmentError("wrong_type")
    image = _reencode_image(data)
    if image is not None:
        encoded, ext = image
        return CheckedFile(clean_filename(filename, ext), TYPES[ext], encoded)
    if filename.lower().endswith(".csv"):
        text = _csv_text(data)
        if text is not None:
            return CheckedFile(clean_filename(filename, "csv"), TYPES["csv"], text)
    raise AttachmentError("wrong_type")


def directory() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "notices"


def max_bytes() -> int:
    return int(current_app.config.get("NOTICE_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(size / 1024, 0.1):.1f} KB" if size >= 102 else f"{size} B"


def store(upload: CheckedFile) -> str:
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(upload.data)
    return name
