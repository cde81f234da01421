"""What the enforcement write side shares: the validation error, the acting official, and
the county check every write makes against the record as stored (`may_act_in`, one check
for forms, imports and the CLI alike, kept in `portal.core.permissions`).

The workflows live beside this module, one per concern: `registry` (enterprises,
inspectors, import), `cards`, `corrections` (credit repair and corrections), `draws`,
`cases` (inspections and cases); `announcements` writes their notices. Each public
function there is one transaction: it validates, writes, records the audit entry,
announces what became public, and commits once. Errors for users are raised as `Problems`
(translated messages by field), never as bare exceptions.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core.extensions import db
from portal.core.permissions import current_actor, may_act_in, require_county

__all__ = ["Problems", "actor", "may_act_in", "require_county", "require_text"]


class Problems(Exception):
    """Validation failed: `errors` maps a field name (or "" for the whole form) to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def actor() -> str:
    """The e-mail of the official acting in this request, else "system" (CLI, demo)."""
    return current_actor().email


def check_decision_number(
    errors: dict[str, str], model: Any, number: str, record_id: int | None, taken_message: str
) -> None:
    """A decision number fits its column and is not another record's (cards and cases)."""
    taken = sa.select(model.id).where(model.number == number)
    if record_id is not None:
        taken = taken.where(model.id != record_id)
    if len(number) > 100:
        errors["number"] = _("The decision number is longer than 100 characters.")
    elif number and db.session.scalar(taken):
        errors["number"] = taken_message


def require_text(errors: dict[str, str], name: str, value: str | None, label: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = _("%(field)s is missing.", field=label)
    return value
