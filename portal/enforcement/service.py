"""What the enforcement write side shares: the acting official, the county check every write
makes against the record as stored (`may_act_in`, one check for forms, imports and the CLI
alike, kept in `portal.core.permissions`), and the checks several forms make.

The workflows live beside this module, one per concern: `registry` (enterprises,
inspectors, import), `cards`, `corrections` (credit repair and corrections), `draws`,
`cases` (inspections and cases); `announcements` writes their notices. Each public
function there is one transaction: it validates, writes, records the audit entry,
announces what became public, and commits once. What the official must change is raised
as `portal.core.problems.Problems` (or one `Refusal`): machine codes by field, never words;
the words are in `portal.enforcement.messages`. Each field carries at most one refusal, the
one its last failing check gave (what the forms have always shown).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from portal.core.extensions import db
from portal.core.permissions import current_actor, may_act_in, require_county
from portal.core.problems import Problems

__all__ = [
    "actor",
    "check_decision_number",
    "may_act_in",
    "require_county",
    "require_text",
]


def actor() -> str:
    """The e-mail of the official acting in this request, else "system" (CLI, demo)."""
    return current_actor().email


def check_decision_number(
    problems: Problems, model: Any, number: str, record_id: int | None, taken_code: str
) -> None:
    """A decision number fits its column and is not another record's (cards and cases);
    `taken_code` is the refusal for a number in use (its words name the `number`)."""
    taken = sa.select(model.id).where(model.number == number)
    if record_id is not None:
        taken = taken.where(model.id != record_id)
    if len(number) > 100:
        problems.add("decision_number_too_long", "number")
    elif number and db.session.scalar(taken):
        problems.add(taken_code, "number", number=number)


def require_text(problems: Problems, name: str, value: str | None, label: Any) -> str:
    """`value` stripped; a `missing` refusal on field `name` (its words name the `label`)
    when nothing is left."""
    value = (value or "").strip()
    if not value:
        problems.add("missing", name, field=label)
    return value
