"""Append-only, hash-chained and keyed audit log of officials' actions.

Every create, update, publish, withdraw, login and view of a reporter's personal data is
recorded through `record()`. Three things make tampering visible without trusting the
database alone (`flask --app portal audit verify`):
- each entry carries the hash of the previous one, and a MAC keyed with `AUDIT_KEY` — a key
  that is not in the database — over its sequence number, hash and the previous MAC, so
  nobody without the key can rebuild the chain after editing, deleting or forging an entry;
- sequence numbers are contiguous (assigned under the writers' lock, so a rolled-back
  transaction leaves no gap), so a deleted entry leaves a hole;
- every committed head is appended to a file outside the database (`core/anchors.py`), so a
  cut tail or a whole rebuilt log no longer contains the heads anchored before.
The database also refuses UPDATE and DELETE on the table (see `GUARD_DDL`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import anchors
from portal.core.extensions import Model, db
from portal.core.models import UTCDateTime, intpk, str64, utcnow
from portal.core.permissions import current_actor

GENESIS = "0" * 64
ANCHOR_NAME = "audit"
log = logging.getLogger(__name__)


class AuditEntry(Model):
    __tablename__ = "audit_entries"

    id: Mapped[intpk]
    seq: Mapped[int] = mapped_column(unique=True)  # 1, 2, 3, … with no gap
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
    mac: Mapped[str64]  # HMAC-SHA256(AUDIT_KEY, seq, previous mac, hash)

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


def entry_mac(key: bytes, seq: int, prev_mac: str, entry_hash_: str) -> str:
    return hmac.new(key, f"{seq}\n{prev_mac}\n{entry_hash_}".encode(), hashlib.sha256).hexdigest()


def _key() -> bytes:
    return str(current_app.config["AUDIT_KEY"]).encode()


def keyed_digest(value: str) -> str:
    """A short keyed fingerprint of a value that must not be stored (e.g. a mistyped login):
    equal inputs give equal fingerprints, and without the key nobody can test guesses."""
    return hmac.new(_key(), value.encode(), hashlib.sha256).hexdigest()[:16]


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """JSON-native copy, so the hash computed now equals the one recomputed after a reload."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _actor() -> tuple[int | None, str]:
    acting = current_actor()
    return acting.id, acting.email


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
        sa.select(AuditEntry.seq, AuditEntry.hash, AuditEntry.mac)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    actor_id, actor_name = actor or _actor()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
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
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry.prev_hash, entry.payload())
    entry.mac = entry_mac(_key(), entry.seq, last.mac if last else GENESIS, entry.hash)
    session.add(entry)
    session.flush()
    # Anchored once the transaction commits (a rolled-back entry must not be anchored).
    session.info["audit_head"] = {"seq": entry.seq, "mac": entry.mac}
    return entry


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _anchor_head(session: sa.orm.Session) -> None:
    head = session.info.pop("audit_head", None)
    if head is not None and has_app_context():
        anchor_head(head)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _forget_head(session: sa.orm.Session) -> None:
    session.info.pop("audit_head", None)


def anchor_head(head: dict[str, Any]) -> bool:
    """Append the head to the anchor file; a refusing disk is logged, never raised: the
    anchor is a witness, and the next successful write covers this head too."""
    try:
        anchors.append(anchors.anchor_path(ANCHOR_NAME), count=head["seq"], head=head["mac"])
    except OSError as exc:
        log.warning("could not anchor the audit log's head: %s", exc.strerror)
        return False
    return True


def current_head() -> dict[str, Any] | None:
    row = db.session.execute(
        sa.select(AuditEntry.seq, AuditEntry.mac).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return {"seq": row.seq, "mac": row.mac} if row else None


@dataclass(frozen=True)
class Verification:
    """What `verify_chain` found: `problem` is None when the log is intact."""

    entries: int
    anchors: int
    problem: str | None = None
    at_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain() -> Verification:
    """Walk the log in sequence order, recompute hashes and MACs, then check every anchor."""
    key = _key()
    prev_hash, prev_mac = GENESIS, GENESIS
    macs: dict[int, str] = {}
    count = 0
    query = sa.select(AuditEntry).order_by(AuditEntry.seq)
    try:
        heads = anchors.read(anchors.anchor_path(ANCHOR_NAME))
    except ValueError:
        return Verification(0, 0, "unreadable anchor line", None)
    for entry in db.session.scalars(query).yield_per(1000):
        count += 1
        if entry.seq != count:
            return Verification(count, len(heads), "entries missing before this one", entry.seq)
        if entry.prev_hash != prev_hash or entry.hash != entry_hash(prev_hash, entry.payload()):
            return Verification(count, len(heads), "entry altered", entry.seq)
        if not hmac.compare_digest(entry.mac, entry_mac(key, entry.seq, prev_mac, entry.hash)):
            problem = "entry not written with the audit key"
            return Verification(count, len(heads), problem, entry.seq)
        prev_hash, prev_mac = entry.hash, entry.mac
        macs[entry.seq] = entry.mac
    for head in heads:
        if head.count not in macs:
            problem = "anchored entry no longer in the log"
            return Verification(count, len(heads), problem, head.count)
        if not hmac.compare_digest(macs[head.count], head.head):
            return Verification(count, len(heads), "anchored entry rewritten", head.count)
    return Verification(count, len(heads))


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
