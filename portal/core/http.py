"""HTTP helpers: content-hashed static URLs and conditional (304) responses."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from flask import Flask, Request, Response, current_app, request, url_for
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property
from whitenoise import WhiteNoise

from portal.core.text import clean, is_clean


class CleanRequest(Request):
    """Every form field and query value arrives without characters XML cannot hold, so no
    form, API or search can store one (see portal.core.text)."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None and any(not is_clean(v) for v in form.values()):
            self.__dict__["form"] = ImmutableMultiDict(
                [(clean(k), clean(v)) for k, v in form.items(multi=True)]
            )

    @cached_property
    def args(self) -> MultiDict[str, str]:  # an ImmutableMultiDict, as Werkzeug's
        raw = super().args
        if all(is_clean(k) and is_clean(v) for k, v in raw.items(multi=True)):
            return raw
        return ImmutableMultiDict([(clean(k), clean(v)) for k, v in raw.items(multi=True)])


class BoundedInt(IntegerConverter):
    """<int:…> in every route: a number no database id can reach (PostgreSQL INTEGER is 32
    bits, SQLite's 64) does not match the route, so it is a 404, never a 500."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")


def _hash_static(root: Path) -> dict[str, str]:
    """Map 'css/portal.css' → 'css/portal.<12 hex>.css' by content, computed once at start."""
    manifest: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            rel = path.relative_to(root).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            manifest[rel] = f"{rel[: -len(path.suffix)]}.{digest}{path.suffix}"
    return manifest


def static_url(filename: str) -> str:
    hashed = current_app.extensions["static_manifest"].get(filename, filename)
    return url_for("static", filename=hashed)


def init_static(app: Flask, root: Path) -> None:
    """WhiteNoise serves static files; hashed names are immutable for a year."""
    manifest = _hash_static(root)
    app.extensions["static_manifest"] = manifest
    wn = WhiteNoise(
        app.wsgi_app,
        root=str(root),
        prefix="static/",
        max_age=3600,
        immutable_file_test=lambda _path, url: bool(HASHED.search(url)),
    )
    for rel, hashed in manifest.items():
        wn.add_file_to_dictionary(f"/static/{hashed}", str(root / rel))
    app.wsgi_app = wn  # type: ignore[method-assign]
    app.jinja_env.globals["static_url"] = static_url


def conditional(response: Response, *, max_age: int = 60) -> Response:
    """Add a strong ETag and shared-cache lifetime, and answer 304 when the client is current."""
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.make_conditional(request)  # updates the response in place (and returns it)
    return response
