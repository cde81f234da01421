"""The page cache: public answers served before Flask runs, never stale, and gzip.

A WSGI layer (inside ProxyFix and WhiteNoise) keeps the answers of views that opt in with
`@cacheable`, per scheme, host, path, sorted query, language (chosen by
`i18n.choose_language`, as Flask-Babel chooses it) and publication version. An entry is valid
while the version is unchanged (read once per request: one primary-key row) and until the
next moment public output changes by time alone (`register_next_change`). So a request that
starts after a commit never gets a page of before it: the staleness bound is zero for every
request that reaches the portal, in every worker and host (the version lives in the database,
not in Redis or memory). Outside the portal, browsers and proxies may reuse a page for the
`max-age` its view sends; writes made outside the ORM session (psql) need `flask pagecache bump`.

Never stored: requests with an officials' login (or anything but a CSRF token) in their
session, which also never see a stored page; non-GET/HEAD; answers other than 200; answers
that set a cookie, are `no-store`/`private`, hold a CSRF token, or are streamed.

Compression: HTML, feeds, JSON, CSV and other text answers are gzipped for clients that accept
it (stored entries keep both bodies), except `no-store` answers, which hold secrets (tracking,
officials' forms) and are left uncompressed against BREACH-style attacks.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import click
import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request, session
from werkzeug.http import is_resource_modified, parse_cookie, unquote_etag

from portal.core import pubversion
from portal.core.clock import CHINA
from portal.core.i18n import LANG_COOKIE, choose_language
from portal.core.pagecache_store import Entry, MemoryStore, RedisStore, Store

log = logging.getLogger("portal.pagecache")

FILL = "portal.pagecache.fill"  # environ: the version this request may store under
STORE = "portal.pagecache.store"  # environ: set by Flask when the answer may be stored
VERSION = "portal.pagecache.version"  # environ: the publication version read for this request
SESSION_KEYS_ANONYMOUS = frozenset({"csrf_token", "_permanent"})
MAX_ENTRY = 4 * 1024 * 1024
MIN_GZIP = 512
NextChange = Callable[[dt.datetime], "dt.datetime | None"]
_next_change: list[NextChange] = []
# Pure, and browsers send a handful of distinct headers: remember the answers.
_language = functools.lru_cache(maxsize=4096)(choose_language)


def cacheable(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let the page cache keep this view's public answers (put it below the route decorator)."""
    view._pagecache = True  # type: ignore[attr-defined]
    return view


def refuse() -> None:
    """Called by a cacheable view whose answer this time must not be kept."""
    g.pagecache_refuse = True


# Features whose tables never reach the public (outbox, subscriptions) declare them here.
register_private_table = pubversion.register_private_table


def register_next_change(fn: NextChange) -> None:
    """`fn(now)` → the next moment after `now` at which public output changes by time alone
    (a scheduled publication, the end of a period), or None. Runs inside a request."""
    if fn not in _next_change:
        _next_change.append(fn)


def next_change(now: dt.datetime) -> dt.datetime | None:
    moments = [m for fn in _next_change if (m := fn(now)) is not None and m > now]
    return min(moments) if moments else None


def next_china_midnight(now: dt.datetime) -> dt.datetime:
    """Date-based public rules (publication periods, report deadlines) turn at midnight CST."""
    local = now.astimezone(CHINA)
    tomorrow = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), CHINA)
    return tomorrow.astimezone(dt.UTC)


def compressible(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or kind.endswith(("json", "xml")) or "json" in kind


def accepts_gzip(environ: dict[str, Any]) -> bool:
    for part in environ.get("HTTP_ACCEPT_ENCODING", "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and q[2:].strip() in ("0", "0.0", "0.00", "0.000"))
    return False


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    name = name.lower()
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _add_vary(headers: list[tuple[str, str]], *names: str) -> list[tuple[str, str]]:
    current = _header(headers, "Vary") or ""
    have = {v.strip().lower() for v in current.split(",") if v.strip()}
    extra = [n for n in names if n.lower() not in have]
    if not extra:
        return headers
    value = ", ".join([v.strip() for v in current.split(",") if v.strip()] + extra)
    return [(k, v) for k, v in headers if k.lower() != "vary"] + [("Vary", value)]


def _without(headers: list[tuple[str, str]], *names: str) -> list[tuple[str, str]]:
    drop = {n.lower() for n in names}
    return [(k, v) for k, v in headers if k.lower() not in drop]


def _uncacheable_header(headers: list[tuple[str, str]]) -> bool:
    if _header(headers, "Set-Cookie") is not None or _header(headers, "Content-Encoding"):
        return True
    control = (_header(headers, "Cache-Control") or "").lower()
    return "no-store" in control or "private" in control


class PageCache:
    def __init__(self, app: Flask, wsgi_app: Callable[..., Any], store: Store,
                 reader: pubversion.VersionReader) -> None:  # fmt: skip
        self.app = app
        self.wsgi_app = wsgi_app
        self.store = store
        self.reader = reader
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.default_locale = app.config["BABEL_DEFAULT_LOCALE"]
        self.max_seconds = float(app.config["PAGE_CACHE_MAX_SECONDS"])
        self._serializer: Any = None

    # --- who may be served from the cache --------------------------------------------------

    def _anonymous(self, cookies: Any) -> bool:
        """No login, no flash message, nothing but a CSRF token in the session."""
        if self.remember_cookie in cookies:
            return False
        raw = cookies.get(self.session_cookie)
        if not raw:
            return True
        if self._serializer is None:
            self._serializer = self.app.session_interface.get_signing_serializer(self.app)  # type: ignore[attr-defined]
        try:
            data = self._serializer.loads(
                raw, max_age=int(self.app.permanent_session_lifetime.total_seconds())
            )
        except Exception:  # a bad or expired cookie is an empty session to Flask too
            return True
        return isinstance(data, dict) and set(data) <= SESSION_KEYS_ANONYMOUS

    def _key(self, environ: dict[str, Any], cookies: Any, version: str) -> str:
        query = environ.get("QUERY_STRING", "")
        pairs = parse_qsl(query, keep_blank_values=True)
        query_lang = next((v for k, v in pairs if k == "lang"), None)
        lang = _language(
            query_lang, cookies.get(LANG_COOKIE), environ.get("HTTP_ACCEPT_LANGUAGE"),
            self.default_locale,
        )  # fmt: skip
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        return "|".join(
            (version, environ["wsgi.url_scheme"], host, lang, path, urlencode(sorted(pairs)))
        )

    # --- WSGI ---------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if method not in ("GET", "HEAD") or path.startswith(("/admin", "/static/")):
            return self._pass(environ, start_response, None)
        cookies = parse_cookie(environ)
        if not self._anonymous(cookies):
            return self._pass(environ, start_response, None)
        version = self.reader.read()
        if version is None:  # the database cannot say: render (and never store)
            return self._pass(environ, start_response, None)
        environ[VERSION] = version
        key = self._key(environ, cookies, version)
        entry = self.store.get(key)
        if entry is not None and entry.expires > time.time():
            return self._serve(environ, start_response, entry)
        if method == "HEAD":
            return self._pass(environ, start_response, None)
        environ[FILL] = time.time()
        return self._pass(environ, start_response, key)

    def _serve(self, environ: dict[str, Any], start_response: Callable[..., Any],
               entry: Entry) -> Iterable[bytes]:  # fmt: skip
        gz = entry.gzip is not None and accepts_gzip(environ)
        headers = list(entry.headers)
        if entry.etag:
            tag = entry.etag + "-gzip" if gz else entry.etag
            headers.append(("ETag", f'"{tag}"'))
            last_modified = _header(headers, "Last-Modified")
            conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
            if conditional and (
                not is_resource_modified(environ, etag=entry.etag, last_modified=last_modified)
                or not is_resource_modified(environ, etag=entry.etag + "-gzip")
            ):
                start_response("304 NOT MODIFIED", _without(headers, "Content-Type"))
                return []
        body = entry.gzip if gz else entry.body
        assert body is not None
        if gz:
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        start_response(entry.status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    def _pass(self, environ: dict[str, Any], start_response: Callable[..., Any],
              key: str | None) -> Iterable[bytes]:  # fmt: skip
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm and "-gzip" in inm:  # the app's own ETags know only the plain body
            environ["HTTP_IF_NONE_MATCH"] = inm.replace('-gzip"', '"')
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if exc_info is not None and captured:
                raise exc_info[1].with_traceback(exc_info[2])
            captured[:] = [status, list(headers)]
            return lambda _data: (_ for _ in ()).throw(RuntimeError("write() is not supported"))

        result = self.wsgi_app(environ, capture)
        if not captured:  # an app that starts the response while iterating: leave it alone
            first = list(_chunks(result, limit=1))
            if not captured:
                raise RuntimeError("the application did not start a response")
            start_response(*captured)
            return _chain(first, result)
        status, headers = captured
        length = _header(headers, "Content-Length")
        gz_wanted = (
            status.startswith("200")
            and environ.get("REQUEST_METHOD") != "HEAD"
            and length is not None
            and MIN_GZIP <= int(length) <= MAX_ENTRY
            and compressible(_header(headers, "Content-Type") or "")
            and not _header(headers, "Content-Encoding")
            and "no-store" not in (_header(headers, "Cache-Control") or "").lower()
        )
        storable = (
            key is not None
            and environ.get(STORE) is not None
            and status.startswith("200")
            and length is not None
            and int(length) <= MAX_ENTRY
            and not _uncacheable_header(headers)
        )
        if not (storable or gz_wanted):
            start_response(status, headers)
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        gz_body = gzip.compress(body, compresslevel=6, mtime=0) if gz_wanted else None
        if gz_body is not None:
            headers = _add_vary(headers, "Accept-Encoding")
        if storable:
            assert key is not None
            etag_header = _header(headers, "ETag")
            etag = unquote_etag(etag_header)[0] if etag_header else None
            if etag is None:
                import hashlib

                etag = hashlib.sha256(body).hexdigest()[:32]
            kept = _without(headers, "Content-Length", "ETag", "Set-Cookie")
            entry = Entry(status, kept, body, gz_body, etag, environ[STORE])
            self.store.set(key, entry)
        if gz_body is not None and accepts_gzip(environ):
            headers = _without(headers, "Content-Length")
            etag_header = _header(headers, "ETag")
            if etag_header and etag_header.endswith('"') and not etag_header.startswith("W/"):
                headers = [*_without(headers, "ETag"), ("ETag", etag_header[:-1] + '-gzip"')]
            headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(gz_body)))]
            start_response(status, headers)
            return [gz_body]
        start_response(status, headers)
        return [body]


def _chunks(result: Iterable[bytes], limit: int) -> Iterator[bytes]:
    iterator = iter(result)
    for _ in range(limit):
        try:
            yield next(iterator)
        except StopIteration:
            return


def _chain(first: list[bytes], rest: Iterable[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


# --- inside Flask: may this answer be stored, and until when? -------------------------------

_memo: dict[str, Any] = {"version": None, "until": None}


def _expiry(started: float) -> float:
    """The next time-driven change, memoised per version (it depends on the data alone)."""
    now = dt.datetime.fromtimestamp(started, dt.UTC)
    cap = started + float(current_app.config["PAGE_CACHE_MAX_SECONDS"])
    version = request.environ.get(VERSION)
    until = _memo["until"] if _memo["version"] == version and version is not None else None
    if until is None or until <= now:
        until = next_change(now)
        if version is not None:
            _memo.update(version=version, until=until)
    return min(cap, until.timestamp()) if until else cap


def current_version() -> str | None:
    """The publication version this request runs under: the one the cache read before Flask
    ran, or (cache off, officials) read now, before the caller reads any data."""
    version = request.environ.get(VERSION) if has_request_context() else None
    if version is None:
        from portal.core.extensions import db

        row = db.session.execute(
            sa.select(pubversion.PublicationVersion.epoch, pubversion.PublicationVersion.n).where(
                pubversion.PublicationVersion.id == pubversion.VERSION_ROW
            )
        ).first()
        version = f"{row[0]}.{row[1]}" if row else ""
    return version


def per_version(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Remember a public figure per publication version in this process (until the next
    time-driven change), so an aggregate over the whole table runs once per publication,
    not once per page render. Arguments must be hashable; results must be plain data."""
    memo: dict[Any, tuple[str | None, float | None, Any]] = {}

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        version = current_version()
        now = time.time()
        hit = memo.get(args)
        if hit is not None and hit[0] == version and (hit[1] is None or now < hit[1]):
            return hit[2]
        until = next_change(dt.datetime.fromtimestamp(now, dt.UTC))
        value = fn(*args)
        if len(memo) > 512:
            memo.clear()
        memo[args] = (version, until.timestamp() if until else None, value)
        return value

    return wrapper


def _after_request(response: Any) -> Any:
    started = request.environ.get(FILL)
    if started is None:
        return response
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "_pagecache", False) or response.status_code != 200:
        return response
    if response.is_streamed or response.direct_passthrough or g.get("pagecache_refuse"):
        return response
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g or response.headers.getlist("Set-Cookie"):
        return response
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return response
    if session.modified or not set(session.keys()) <= SESSION_KEYS_ANONYMOUS:
        return response
    if response.mimetype == "text/html" and b'name="csrf_token"' in response.get_data():
        return response
    response.vary.update({"Cookie", "Accept-Language"})
    request.environ[STORE] = _expiry(started)
    return response


@click.group("pagecache")
def pagecache_cli() -> None:
    """The page cache of public pages."""


@pagecache_cli.command("bump")
def bump_command() -> None:
    """Invalidate every cached page (after changing the database by hand, outside the portal)."""
    from portal.core.extensions import db

    connection = db.session.connection()
    connection.execute(pubversion.bump_statement(connection.dialect.name, dt.datetime.now(dt.UTC)))
    db.session.commit()
    click.echo(f"publication version now {current_version()}")


def init_app(app: Flask) -> None:
    """Wrap app.wsgi_app (call before WhiteNoise and ProxyFix are wrapped around it)."""
    pubversion.install_session_events()
    app.cli.add_command(pagecache_cli)
    app.config.setdefault("PAGE_CACHE", True)
    app.config.setdefault("PAGE_CACHE_URL", None)
    app.config.setdefault("PAGE_CACHE_MEMORY_MB", 64)
    app.config.setdefault("PAGE_CACHE_MAX_SECONDS", 3600)
    app.after_request(_after_request)
    if not app.config["PAGE_CACHE"]:
        app.wsgi_app = GzipOnly(app.wsgi_app)  # type: ignore[method-assign]
        return
    url = app.config["PAGE_CACHE_URL"]
    store: Store
    if url:
        store = RedisStore(url, prefix=app.config.get("PAGE_CACHE_PREFIX", "portal:pagecache"))
    else:
        store = MemoryStore(int(app.config["PAGE_CACHE_MEMORY_MB"]) * 1024 * 1024)
    reader = pubversion.VersionReader(app.config["SQLALCHEMY_DATABASE_URI"])
    cache = PageCache(app, app.wsgi_app, store, reader)
    app.extensions["pagecache"] = cache
    app.wsgi_app = cache  # type: ignore[method-assign]


class GzipOnly(PageCache):
    """The cache turned off (PORTAL_CACHE=off): every request renders; answers still gzipped."""

    def __init__(self, wsgi_app: Callable[..., Any]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self._pass(environ, start_response, None)
