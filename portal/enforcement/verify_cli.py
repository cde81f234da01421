"""Verify a published inspection draw from a file or URL (backs ``flask inspections verify``).

Anyone can run this against the agency's published JSON document; it needs nothing but the
document.  :func:`verify_source` reads it, :func:`format_report` renders the result in
English, one line per check.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Final

from portal.enforcement.draw import CHECK_ENTROPY, STATUS_COMMITTED, VerifyReport, verify

__all__ = [
    "MAX_BYTES",
    "TIMEOUT_SECONDS",
    "SourceError",
    "committed_url",
    "format_report",
    "load_source",
    "portal_urls",
    "verify_source",
]

MAX_BYTES: Final = 5 * 1024 * 1024
TIMEOUT_SECONDS: Final = 10
_USER_AGENT: Final = "dxal-portal-draw-verifier/1"


class SourceError(Exception):
    """The document could not be obtained or is not a JSON object.  ``code`` is one of
    ``unreadable``, ``too_large``, ``http_error``, ``bad_json``, ``not_object``; the
    message is English, suitable for a CLI."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _read_url(url: str) -> bytes:
    request = urllib.request.Request(  # noqa: S310 - scheme restricted to http(s) by _is_url
        url, headers={"Accept": "application/json", "User-Agent": _USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            # Read one byte past the limit so an oversized body is detected without
            # trusting (or needing) a Content-Length header.
            data: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise SourceError("http_error", f"{url}: HTTP {exc.code} {exc.reason}") from exc
    # URLError/OSError: DNS, refused, TLS, timeout; HTTPException: e.g. a truncated body.
    except (OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError("unreadable", f"{url}: {reason}") from exc
    return data


def _read_file(path: str) -> bytes:
    try:
        with Path(path).open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SourceError("unreadable", f"{path}: {exc.strerror or exc}") from exc


def load_source(file_or_url: str) -> dict[str, Any]:
    """Read a JSON object from a local path or an ``http(s)://`` URL.

    At most :data:`MAX_BYTES` are read; URLs time out after :data:`TIMEOUT_SECONDS`.
    Raises :class:`SourceError` if the document cannot be read or parsed.
    """
    data = _read_url(file_or_url) if _is_url(file_or_url) else _read_file(file_or_url)
    if len(data) > MAX_BYTES:
        raise SourceError("too_large", f"{file_or_url}: larger than {MAX_BYTES} bytes")
    try:
        document = json.loads(data.decode("utf-8"))
    # ValueError covers JSONDecodeError, UnicodeDecodeError and Python's limit on huge
    # integer literals; RecursionError a maliciously deep nesting.
    except (ValueError, RecursionError) as exc:
        raise SourceError("bad_json", f"{file_or_url}: not valid UTF-8 JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise SourceError("not_object", f"{file_or_url}: JSON document is not an object")
    return document


_PORTAL_DRAW: Final = re.compile(
    r"^(https?://[^?#]+?)/(api/v1/)?enforcement/draws/([^/?#]+)(/committed)?/?(?:[?#].*)?$"
)


def portal_urls(url: str) -> tuple[str, str] | None:
    """For a portal draw address (the API document or the public page), the addresses of
    the draw document and of the snapshot published at commit time; None otherwise."""
    match = _PORTAL_DRAW.match(url) if _is_url(url) else None
    if match is None or match.group(4):
        return None
    base = f"{match.group(1)}/api/v1/enforcement/draws/{match.group(3)}"
    return base, f"{base}/committed"


def committed_url(url: str) -> str | None:
    """The commit-time snapshot's address for a portal draw address, else None."""
    urls = portal_urls(url)
    return urls[1] if urls else None


def verify_source(
    file_or_url: str, *, committed: str | None = None, entropy: str | None = None
) -> VerifyReport:
    """Read a draw document from a local path or an ``http(s)://`` URL and verify it.

    With ``committed`` (a path or URL of the document as published at commit time), the
    frozen fields are also compared with it, and the entropy's source and moment must be
    named there. ``entropy`` is the value the verifier read at that source themselves; the
    document's entropy must be it. Raises :class:`SourceError` if a document
    cannot be read or parsed; a document that parses but fails a check is a normal (not
    ok) :class:`VerifyReport`.
    """
    document = load_source(file_or_url)
    published = load_source(committed) if committed else None
    return verify(document, published=published, observed_entropy=entropy)


def format_report(report: VerifyReport) -> str:
    """Render ``report`` in English: a header, one ``✓``/``✗`` line per check, a verdict."""
    lines = [
        f"Draw {report.draw_id if report.draw_id is not None else '?'} "
        f"(status: {report.status or 'unknown'})"
    ]
    lines.extend(
        f"{'✓' if check.ok else '✗'} {check.code}: {check.detail}" for check in report.checks
    )
    if not report.ok:
        lines.append("FAILED: this document does not verify.")
    elif report.status == STATUS_COMMITTED:
        lines.append(
            "OK so far: the draw is committed but not yet revealed; "
            "only the pools and parameters can be checked."
        )
    elif not any(check.code == CHECK_ENTROPY for check in report.checks):
        lines.append(
            "CONSISTENT ONLY: the document reproduces itself; it is not verified until it is "
            "compared with the commit-time document and the value the entropy source "
            "published (--committed, --entropy)."
        )
    else:
        lines.append(
            "VERIFIED: the selection reproduces from the commitment and the entropy published "
            "by the source named at commit time."
        )
    return "\n".join(lines)
