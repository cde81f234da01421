"""Security headers, safe redirects and cache rules applied to every response."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths: refuses absolute URLs, `//evil`, `/\\evil` and control chars."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str = "/") -> str:
    return target if target is not None and is_safe_next(target) else fallback


def private_path(path: str) -> bool:
    """Pages that may show officials' or reporters' data: never stored by any cache."""
    return path.startswith(
        ("/admin", "/reports/track", "/reports/new", "/reports/check", "/reports/status")
    )


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if private_path(request.path):
        headers["Cache-Control"] = "no-store"
    elif "Cache-Control" not in headers:
        # Pages depend on the language chosen by cookie or header.
        headers["Cache-Control"] = "no-cache"
    response.vary.update({"Cookie", "Accept-Language"})
    return response


def init_app(app: Flask) -> None:
    app.after_request(_headers)
