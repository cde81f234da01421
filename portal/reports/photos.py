"""Photo uploads: re-encode every image so no metadata (EXIF, GPS, XMP, ICC) survives.

An upload is accepted only if Pillow can decode it within the size and pixel limits and
re-encode it; the bytes as sent are never stored, only their SHA-256 as evidence. Files
wait in a quarantine folder (per submission) until the report is committed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps

from portal.core.problems import Refusal

try:  # HEIC only when the optional, well-kept pillow-heif is installed
    from pillow_heif import register_heif_opener  # type: ignore[import-not-found]

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - depends on the environment
    HEIC = False

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; more is refused as a possible bomb
MAX_SIDE = 4096  # stored copies are scaled down to this
MAX_PHOTOS = 5
FORMATS = {"JPEG", "PNG", "WEBP"} | ({"HEIF"} if HEIC else set())
_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


class PhotoError(Refusal):
    """Refused upload; ``code`` is one of too_large, not_an_image, too_many_pixels, and the
    ``name`` parameter the upload's file name (words in :mod:`portal.reports.messages`)."""

    def __init__(self, code: str, name: str) -> None:
        super().__init__(code, "photos", name=name)


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes  # the re-encoded JPEG/PNG without metadata
    extension: str
    content_type: str
    sha256_original: str
    width: int
    height: int


def clean(stream: IO[bytes], name: str = "?") -> CleanPhoto:
    """Decode, orient, strip and re-encode one upload, or raise :class:`PhotoError` (``name``:
    the file name the refusal quotes)."""
    original = stream.read(MAX_BYTES + 1)
    if len(original) > MAX_BYTES:
        raise PhotoError("too_large", name)
    if not original:
        raise PhotoError("not_an_image", name)
    digest = hashlib.sha256(original).hexdigest()
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(original)) as probe:
                if probe.format not in FORMATS:
                    raise PhotoError("not_an_image", name)
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoError("too_many_pixels", name)
                probe.load()
                image = ImageOps.exif_transpose(probe)
                has_alpha = image.mode in ("RGBA", "LA", "P") and probe.format == "PNG"
                image = image.convert("RGBA" if has_alpha else "RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("too_many_pixels", name) from None
    except PhotoError:
        raise
    except Exception:  # any decoder failure means "not an image we accept"
        raise PhotoError("not_an_image", name) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # A fresh image carries no info dict at all: nothing of the original's metadata.
    fresh = Image.new(image.mode, image.size)
    fresh.paste(image)
    out = io.BytesIO()
    if has_alpha:
        fresh.save(out, "PNG", optimize=True)
        ext, ctype = "png", "image/png"
    else:
        fresh.save(out, "JPEG", quality=88, optimize=True)
        ext, ctype = "jpg", "image/jpeg"
    return CleanPhoto(out.getvalue(), ext, ctype, digest, fresh.width, fresh.height)


def _root(upload_dir: str) -> Path:
    return Path(upload_dir) / "reports"


def quarantine_dir(upload_dir: str, submission_id: str) -> Path:
    if not _ID.fullmatch(submission_id):
        raise ValueError("bad submission id")
    return _root(upload_dir) / "quarantine" / submission_id


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        # A full disk must not keep the half-written file for good.
        tmp.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------
# Bounds of the quarantine: photos of forms not sent yet are kept per client, in total and
# for a time only, so that nobody can fill the disk with step 1 of the form.
# ---------------------------------------------------------------------------------------

_OWNER = ".owner"  # JSON {"client": keyed hash of the address, "at": unix time}


@dataclass(frozen=True)
class Bounds:
    per_client: int  # bytes
    total: int  # bytes
    max_age: float  # seconds


class QuarantineFull(Refusal):
    """No room for the photo: ``client_quarantine_full`` (this client holds too much) or
    ``quarantine_full`` (everybody's photos together do)."""

    def __init__(self, code: str) -> None:
        super().__init__(code, "photos")


def _folders(upload_dir: str) -> list[Path]:
    base = _root(upload_dir) / "quarantine"
    try:
        return [p for p in base.iterdir() if p.is_dir()]
    except FileNotFoundError:
        return []


def _owner(folder: Path) -> tuple[str, float]:
    try:
        data = json.loads((folder / _OWNER).read_text())
        return str(data["client"]), float(data["at"])
    except (OSError, ValueError, KeyError, TypeError):
        # No owner file (an old or broken folder): age from the folder itself.
        try:
            return "", folder.stat().st_mtime
        except OSError:
            return "", 0.0


def _size(folder: Path) -> int:
    total = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            with contextlib.suppress(OSError):
                total += entry.stat().st_size
    return total


def sweep(upload_dir: str, max_age: float, now: float | None = None) -> int:
    """Remove the quarantine folders of forms abandoned longer than ``max_age`` seconds."""
    now = time.time() if now is None else now
    removed = 0
    for folder in _folders(upload_dir):
        _client, at = _owner(folder)
        if now - at > max_age:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _usage(upload_dir: str, client: str, bounds: Bounds) -> tuple[int, int]:
    """(bytes held for this client, bytes held in all), sweeping abandoned folders on the way."""
    now = time.time()
    mine = total = 0
    for folder in _folders(upload_dir):
        owner, at = _owner(folder)
        if now - at > bounds.max_age:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        size = _size(folder)
        total += size
        if owner == client:
            mine += size
    return mine, total


def quarantine(
    upload_dir: str,
    submission_id: str,
    photo: CleanPhoto,
    *,
    client: str = "",
    bounds: Bounds | None = None,
) -> str:
    """Store a cleaned photo for a submission not yet sent; return its random id.

    With ``bounds``, raises :class:`QuarantineFull` when the photo would take the client's
    or everybody's quarantine past its bound (abandoned uploads are removed first).
    """
    photo_id = secrets.token_urlsafe(18)
    folder = quarantine_dir(upload_dir, submission_id)
    if bounds is not None:
        mine, total = _usage(upload_dir, client, bounds)
        needed = len(photo.data) + 1024  # the photo and its small description
        if mine + needed > bounds.per_client:
            raise QuarantineFull("client_quarantine_full")
        if total + needed > bounds.total:
            raise QuarantineFull("quarantine_full")
    if not (folder / _OWNER).exists():
        _write(folder / _OWNER, json.dumps({"client": client, "at": time.time()}).encode())
    _write(folder / f"{photo_id}.{photo.extension}", photo.data)
    meta = {
        "extension": photo.extension,
        "content_type": photo.content_type,
        "sha256_original": photo.sha256_original,
        "width": photo.width,
        "height": photo.height,
        "size": len(photo.data),
    }
    _write(folder / f"{photo_id}.json", json.dumps(meta).encode())
    return photo_id


@dataclass(frozen=True)
class Pending:
    photo_id: str
    source: Path
    extension: str
    content_type: str
    sha256_original: str
    width: int
    height: int
    size: int

    @property
    def filename(self) -> str:
        return f"{self.photo_id}.{self.extension}"


def pending(upload_dir: str, submission_id: str, photo_ids: list[str]) -> list[Pending]:
    """The quarantined photos of this submission among ``photo_ids`` (others are ignored)."""
    folder = quarantine_dir(upload_dir, submission_id)
    found = []
    for photo_id in photo_ids[:MAX_PHOTOS]:
        if not _ID.fullmatch(photo_id):
            continue
        meta_path = folder / f"{photo_id}.json"
        if not meta_path.is_file():
            continue
        meta = json.loads(meta_path.read_text())
        source = folder / f"{photo_id}.{meta['extension']}"
        if source.is_file():
            found.append(Pending(photo_id, source, **meta))
    return found


def final_path(upload_dir: str, filename: str) -> Path:
    return _root(upload_dir) / "store" / filename


def place(upload_dir: str, photos: list[Pending]) -> list[Path]:
    """Copy quarantined photos into the store (durably) before the database commit."""
    placed = []
    try:
        for p in photos:
            target = final_path(upload_dir, p.filename)
            _write(target, p.source.read_bytes())
            placed.append(target)
    except OSError:
        remove(placed)
        raise
    return placed


def remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def discard_quarantine(upload_dir: str, submission_id: str) -> None:
    """Best effort after a commit: a left-over folder is harmless, a crash here is not."""
    if _ID.fullmatch(submission_id):
        shutil.rmtree(quarantine_dir(upload_dir, submission_id), ignore_errors=True)
