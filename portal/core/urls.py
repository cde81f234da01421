"""Absolute addresses: every one is built on PORTAL_BASE_URL, never on the request's Host.

Answers marked Cache-Control: public (API lists, downloads, feeds) are shared by caches; a
Host header copied into them would be served to everyone. One canonical address per page
and language: Chinese (the default locale, what a client without a preference gets) at the
plain address, English with ?lang=en. hreflang, the sitemap, the feeds and the DCAT catalog
all take their addresses from here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, has_request_context, request

LANG_PARAM = "lang"
HREFLANG = {"zh_Hans": "zh-Hans", "en": "en"}


def base_url() -> str:
    return current_app.config["BASE_URL"]


def absolute(path: str) -> str:
    """A site path ('/notices/1') on the configured public address."""
    return base_url() + path


def localized_path(path: str, args: list[tuple[str, str]], locale: str) -> str:
    """`path` with its query `args` in `locale`: ?lang=en for English, none for Chinese."""
    kept = [(k, v) for k, v in args if k != LANG_PARAM]
    if locale != current_app.config["BABEL_DEFAULT_LOCALE"]:
        kept.append((LANG_PARAM, locale))
    return path + ("?" + urlencode(kept) if kept else "")


def canonical_url(locale: str | None = None) -> str:
    """The canonical address of the current page in `locale` (default: the page's language)."""
    from flask_babel import get_locale

    if locale is None:
        current = get_locale()
        locale = "en" if current is not None and current.language == "en" else "zh_Hans"
    args = [(k, v) for k, v in request.args.items(multi=True) if v != ""]
    return absolute(localized_path(request.path, args, locale))


def alternates() -> list[tuple[str, str]]:
    """(hreflang, address) for every language of the current page, and x-default."""
    links = [(HREFLANG[code], canonical_url(code)) for code in current_app.config["LANGUAGES"]]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    links.append(("x-default", canonical_url(default)))
    return links


class PortalFlask(Flask):
    """url_for(..., _external=True) during a request builds on BASE_URL, not the Host."""

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        if _external and _scheme is None and has_request_context():
            path = super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
            return self.config["BASE_URL"] + path
        return super().url_for(
            endpoint,
            _anchor=_anchor,
            _method=_method,
            _scheme=_scheme,
            _external=_external,
            **values,
        )


def warn_on_other_host() -> None:
    """Log once per process when a request's host is not BASE_URL's: links would then point
    somewhere else than the address the visitor used (e.g. `make run` on another port)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.extensions.get("base_url_warned"):
        return
    expected = urlsplit(app.config["BASE_URL"]).netloc
    if expected and request.host != expected:
        app.extensions["base_url_warned"] = True
        app.logger.warning(
            "request for host %s but PORTAL_BASE_URL is %s: feeds, the sitemap and API links "
            "use PORTAL_BASE_URL",
            request.host[:200],
            app.config["BASE_URL"],
        )


def init_app(app: Flask) -> None:
    app.before_request(warn_on_other_host)
    app.jinja_env.globals.update(canonical_url=canonical_url, hreflang_alternates=alternates)
