"""Append-only, hash-chained audit log of officials' actions.

Every create, update, publish, withdraw, login and view of a reporter's personal data is
recorded through `record()`. Each entry carries the hash of the previous one, so editing or
deleting any entry breaks the chain (`flask --app portal audit verify`). The database also
refuses UPDATE and DELETE on the table (see `GUARD_DDL`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import UTCDateTime, intpk, str64, utcnow
from portal.extensions import db

GENESIS = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[intpk]
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None]  # no foreign key: the log outlives accounts
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_id: Mapped[str64 | None]
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    reason: Mapped[str | None] = mapped_column(sa.Text)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    prev_hash: Mapped[str64] = mapped_column(unique=True)
    hash: Mapped[str64] = mapped_column(unique=True)

    def payload(self) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(dt.UTC).isoformat(),
            "actor_id": self.actor_id,
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "ip": self.ip,
        }


def entry_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """JSON-native copy, so the hash computed now equals the one recomputed after a reload."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _actor() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, "system"


def record(
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    actor: tuple[int | None, str] | None = None,
) -> AuditEntry:
    """Append an entry in the current transaction; the caller's commit makes it permanent."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Serialise writers so two transactions never chain onto the same predecessor.
        session.execute(sa.text("SELECT pg_advisory_xact_lock(4242001)"))
    last = session.execute(
        sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar()
    actor_id, actor_name = actor or _actor()
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor_id,
        actor=actor_name,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=_plain(before),
        after=_plain(after),
        reason=reason,
        # Officials' addresses only (and failed logins): a citizen's address is personal data.
        ip=request.remote_addr
        if has_request_context() and (actor_id is not None or action == "login_failed")
        else None,
        prev_hash=last or GENESIS,
    )
    entry.hash = entry_hash(entry.prev_hash, entry.payload())
    session.add(entry)
    session.flush()
    return entry


def verify_chain() -> tuple[int, int | None]:
    """Walk the log in order; return (entries checked, id of the first broken entry or None)."""
    prev = GENESIS
    count = 0
    for entry in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000):
        count += 1
        if entry.prev_hash != prev or entry.hash != entry_hash(prev, entry.payload()):
            return count, entry.id
        prev = entry.hash
    return count, None


# The database itself refuses changes to the log; installed by the migration and by tests.
GUARD_DDL = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$",
        "DROP TRIGGER IF EXISTS audit_entries_no_change ON audit_entries",
        "CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
    ],
}


@sa.event.listens_for(AuditEntry.__table__, "after_create")
def _install_guards(target: sa.Table, connection: sa.Connection, **_: Any) -> None:
    for statement in GUARD_DDL.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)
