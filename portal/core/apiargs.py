"""Query-string filters of the JSON APIs: a value outside the documented ones is a clear
400 (as the OpenAPI document promises), never a silently empty or unfiltered list."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort, request
from flask_babel import gettext as _

from portal.core import counties


def choice(name: str, choices: Iterable[str], default: str | None = None) -> str | None:
    """?name= as one of `choices`; absent or empty gives `default`."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    allowed = list(choices)
    if raw not in allowed:
        abort(400, _("%(name)s must be one of: %(values)s.", name=name, values=", ".join(allowed)))
    return raw


def county(name: str = "county") -> str | None:
    """?county= as a county code of content/counties.csv, or None when absent."""
    return choice(name, counties.codes())
