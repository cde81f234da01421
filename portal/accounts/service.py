"""Account operations shared by the web pages and the CLI; each one is audited."""

from __future__ import annotations

import sqlalchemy as sa
from flask import session
from flask_login import login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.models import User, new_session_token
from portal.core import audit, counties
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.permissions import Role
from portal.core.problems import Problems

MIN_PASSWORD = 12
# Compared against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def _snapshot(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "county": user.county,
        "active": user.active,
    }


def validate_new_user(email: str, role: str, county: str | None, password: str) -> Problems:
    """Every refusal of the new account at once, one per field (words: accounts.messages)."""
    problems = Problems()
    if "@" not in email or len(email) > 254:
        problems.add("email_invalid", "email")
    elif db.session.scalar(sa.select(User.id).where(User.email == email.lower())):
        problems.add("email_taken", "email")
    if role not in frozenset(Role):
        problems.add("role_unknown", "role")
    if county and county not in counties.codes():
        problems.add("county_unknown", "county")
    if len(password) < MIN_PASSWORD:
        problems.add("password_too_short", "password", n=MIN_PASSWORD)
    return problems


def create_user(
    email: str, role: str, county: str | None, password: str, name: str = ""
) -> tuple[User | None, Problems]:
    """The new account, or None with the refusals (empty when created). A pair rather than
    a raise: callers across the portal and its tests take it apart as (user, errors)."""
    email = email.strip().lower()
    county = county or None
    problems = validate_new_user(email, role, county, password)
    if problems:
        return None, problems
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        county=county,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.id, after=_snapshot(user))
    db.session.commit()
    return user, problems


def set_active(user: User, active: bool, reason: str | None = None) -> None:
    before = _snapshot(user)
    user.active = active
    if not active:
        user.session_token = new_session_token()  # ends every open session at once
    audit.record("update", "user", user.id, before=before, after=_snapshot(user), reason=reason)
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def log_in(user: User) -> None:
    # A fresh session at login: nothing an attacker planted in the old cookie survives.
    session.clear()
    login_user(user, remember=False)
    session.permanent = True
    user.last_login_at = utcnow()
    audit.record("login", "user", user.id, actor=(user.id, user.email))
    db.session.commit()


def record_failed_login(email: str) -> None:
    """Audit a failed login by the account it names, never by what was typed.

    People type passwords into the e-mail field: the log keeps the account's id when the
    text names one, else only a keyed fingerprint, so repeated attempts can be seen together
    without the typed text being readable by anyone who reads the log.
    """
    typed = email.strip().lower()[:254]
    user = db.session.scalar(sa.select(User).where(User.email == typed)) if typed else None
    audit.record(
        "login_failed",
        "user",
        user.id if user else None,
        after={"account": "known"} if user else {"typed": audit.keyed_digest(typed)},
        actor=(None, "anonymous"),
    )
    db.session.commit()


def log_out(user: User) -> None:
    # Rotating the token kills this and every copy of the session cookie, even a replayed one.
    user.session_token = new_session_token()
    audit.record("logout", "user", user.id)
    db.session.commit()
    logout_user()
    session.clear()
