"""Query-string filters of the JSON APIs: a value outside the documented ones is a clear
400 (as the OpenAPI document promises), never a silently empty or unfiltered list."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl

from flask import abort, request
from flask_babel import gettext as _

from portal.core import counties


def choice(name: str, choices: Iterable[str], default: str | None = None) -> str | None:
    """?name= as one of `choices`; absent or empty gives `default`. A value that was not
    empty as sent (only characters the input cleaner removes) is refused, not taken as "all"."""
    raw = request.args.get(name, "")
    if raw == "" and _as_sent(name) == "":
        return default
    allowed = list(choices)
    if raw not in allowed:
        abort(400, _("%(name)s must be one of: %(values)s.", name=name, values=", ".join(allowed)))
    return raw


def county(name: str = "county") -> str | None:
    """?county= as a county code of content/counties.csv, or None when absent."""
    return choice(name, counties.codes())


def _as_sent(name: str) -> str:
    """The query value before portal/core/http.py removed control characters from it."""
    sent = parse_qsl(request.query_string.decode("utf-8", "replace"), keep_blank_values=True)
    return next((value for key, value in sent if key == name), "")
