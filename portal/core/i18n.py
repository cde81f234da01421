"""Language selection and locale-aware formatting (Chinese first, English too)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_datetime, format_decimal, get_locale, refresh
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANG_COOKIE = "lang"
LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}


def normalize_language(value: str | None) -> str | None:
    """Map what browsers and users send ('zh-CN', 'zh', 'en-GB') to a supported locale."""
    if not value:
        return None
    value = value.strip().replace("-", "_").lower()
    if value.startswith("zh"):
        return "zh_Hans"
    if value.startswith("en"):
        return "en"
    return None


def choose_language(
    query_lang: str | None, cookie_lang: str | None, accept_language: str | None, default: str
) -> str:
    """?lang= (shareable links) wins, then the remembered cookie, then Accept-Language.

    Pure: the page cache (before Flask runs) and Flask-Babel (inside it) both call this, so a
    cached page is always the one the visitor's language would have rendered."""
    for candidate in (query_lang, cookie_lang):
        chosen = normalize_language(candidate)
        if chosen:
            return chosen
    for value, _quality in parse_accept_header(accept_language, LanguageAccept):
        chosen = normalize_language(value)
        if chosen:
            return chosen
    return default


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return choose_language(
        request.args.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("Accept-Language"),
        current_app.config["BABEL_DEFAULT_LOCALE"],
    )


def is_english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def html_lang() -> str:
    return "en" if is_english() else "zh-Hans"


def localized(zh: str | None, en: str | None) -> str:
    """Pick the text for the current language; fall back to Chinese, the official text."""
    return (en or zh or "") if is_english() else (zh or en or "")


def china_time(value: dt.datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Government-site convention: YYYY-MM-DD HH:MM, China Standard Time, in both languages."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def china_date(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return format_datetime(value, "yyyy-MM-dd")
    return value.isoformat()


def html_datetime(value: dt.datetime | dt.date | None) -> str:
    """A valid HTML <time datetime>: a date as is; a moment in UTC to the second, with Z
    (HTML allows at most three fractional digits; isoformat() gives six)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)  # stored times are UTC
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def number(value: float | Decimal | int | None, digits: int | None = None) -> str:
    if value is None:
        return ""
    if digits is None:
        return format_decimal(value)
    return format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0")


def translation_directories(root: Path) -> str:
    """One catalog per language, in portal/translations/<locale>/ (`make messages`)."""
    return str(root / "portal" / "translations")


def init_app(app: Flask) -> None:
    # Flask-Babel caches the locale on the app context, which a request may share (tests,
    # CLI-driven requests); choose afresh for every request.
    app.before_request(refresh)
    app.jinja_env.filters.update(
        china_time=china_time, china_date=china_date, number=number, html_datetime=html_datetime
    )
    app.jinja_env.globals.update(
        html_lang=html_lang,
        is_english=is_english,
        localized=localized,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        Markup=Markup,
    )
