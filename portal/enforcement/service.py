"""What the enforcement write side shares: the validation error, the acting official, and
the county check every write makes against the record as stored.

The workflows live beside this module, one per concern: `registry` (enterprises,
inspectors, import), `cards`, `corrections` (credit repair and corrections), `draws`,
`cases` (inspections and cases); `announcements` writes their notices. Each public
function there is one transaction: it validates, writes, records the audit entry,
announces what became public, and commits once. Errors for users are raised as `Problems`
(translated messages by field), never as bare exceptions.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Forbidden


class Problems(Exception):
    """Validation failed: `errors` maps a field name (or "" for the whole form) to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def actor() -> str:
    """The e-mail of the official acting in this request, else "system" (CLI, demo)."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return str(current_user.email)
    return "system"


def may_act_in(*counties: str | None) -> bool:
    """May the acting official write records of every one of `counties`? County-scoped
    officials act only in their own county; region-wide officials and the system (CLI,
    demo loading) anywhere. Callers pass the county of the record as stored and, for an
    update, the county it would have afterwards."""
    if not (has_request_context() and current_user and current_user.is_authenticated):
        return True
    return all(current_user.may_act_in(county) for county in counties)


def require_county(*counties: str | None) -> None:
    """403 unless the acting official may act in every one of `counties`."""
    if not may_act_in(*counties):
        raise Forbidden()


def require_text(errors: dict[str, str], name: str, value: str | None, label: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = _("%(field)s is missing.", field=label)
    return value
