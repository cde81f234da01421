"""Officials' roles and the guards every officials' view and service uses.

Every admin view must be wrapped by `require_role`; a test walks the URL map and fails for
any /admin route that is not. County scope is checked against the record as stored.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

F = TypeVar("F", bound=Callable[..., Any])


class Role(enum.StrEnum):
    ADMIN = "admin"
    PUBLISHER = "publisher"
    WATER_OFFICER = "water_officer"
    ENFORCEMENT_OFFICER = "enforcement_officer"
    REPORT_HANDLER = "report_handler"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.PUBLISHER: _l("Publisher"),
    Role.WATER_OFFICER: _l("Water officer"),
    Role.ENFORCEMENT_OFFICER: _l("Enforcement officer"),
    Role.REPORT_HANDLER: _l("Report handler"),
}


def require_role(*roles: Role) -> Callable[[F], F]:
    """Logged-in officials holding one of `roles` (admins always); others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        guarded = login_required(wrapped)
        guarded.required_roles = roles
        return guarded

    return decorator


@dataclass(frozen=True)
class Actor:
    """Who is acting: the logged-in official, or "system" (CLI, demo loading, jobs)."""

    id: int | None
    email: str
    name: str


SYSTEM = Actor(None, "system", "system")


def current_actor() -> Actor:
    """The one answer to "who is acting?" for audit entries, authors and records."""
    if has_request_context() and current_user and current_user.is_authenticated:
        email = str(current_user.email)
        return Actor(current_user.id, email, current_user.name or email)
    return SYSTEM


def may_act_in(*counties: str | None) -> bool:
    """The one county check for writes: may the acting official write records of every one
    of `counties`? Callers pass the county of the record as stored and, for an update, the
    county it would have afterwards, so a county-scoped official can neither touch another
    county's record nor move one between counties. Region-wide officials act anywhere;
    without a logged-in official (CLI, demo loading, jobs) the system acts."""
    if not (has_request_context() and current_user and current_user.is_authenticated):
        return True
    return all(current_user.may_act_in(county) for county in counties)


def require_county(*counties: str | None) -> None:
    """403 unless the acting official may act in every one of `counties`."""
    if not may_act_in(*counties):
        abort(403)
