"""Write side of the published event log: appending sealed, chained lines in the caller's
transaction, and the deadline events the portal appends by itself.

Appends take the log's lock (PostgreSQL advisory lock) so that two transactions never
chain onto the same line; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.core.extensions import db
from portal.reports import eventlog, integrity, workflow
from portal.reports.eventlog import EventType
from portal.reports.models import Report, ReportEvent
from portal.reports.workflow import Snapshot

EVENT_LOCK = 4242006  # pg advisory lock serialising appends to the event log

Owed = tuple[str, eventlog.Event]


def pseudonym_key() -> bytes:
    secret = current_app.config.get("REPORT_PSEUDONYM_KEY") or current_app.config["SECRET_KEY"]
    return hashlib.sha256(b"portal.reports.pseudonym-key\x00" + str(secret).encode()).digest()


def lock() -> None:
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"SELECT pg_advisory_xact_lock({EVENT_LOCK})"))


def append(events: list[eventlog.Event], keys: list[str | None] | None = None) -> None:
    """Chain, seal and add ``events`` (with their idempotency ``keys``) to the session."""
    session = db.session
    lock()
    prev = session.scalar(sa.select(ReportEvent.hash).order_by(ReportEvent.id.desc()).limit(1))
    key = integrity.seal_key()
    for line, unique in zip(
        eventlog.chain(events, prev=prev or eventlog.GENESIS),
        keys or [None] * len(events),
        strict=True,
    ):
        h = eventlog.line_hash(line)
        session.add(
            ReportEvent(
                line=line,
                prev=prev or eventlog.GENESIS,
                hash=h,
                key=unique,
                seal=integrity.seal(key, line),
            )
        )
        prev = h
    session.flush()


def event(
    report: Report, kind: EventType, at: dt.datetime | dt.date, **extra: Any
) -> eventlog.Event:
    return eventlog.make_event(
        case=report.case,
        event=kind,
        at=at,
        category=report.category,
        county=report.county,
        channel=report.channel,
        **extra,
    )


def missed_deadline(
    report: Report, snap: Snapshot, at: dt.datetime, limits: workflow.Limits
) -> Owed | None:
    """The deadline event owed for ``report`` at ``at`` (a limit passed unmet), with its key.

    Dated by the limit's last allowed day; keyed ``<event>:<case>`` (one per limit).
    """
    kind = workflow.overdue_kind(snap, at, limits)
    if kind is None:
        return None
    d = workflow.deadlines(snap, limits)
    day: dt.date | None
    if kind is workflow.OverdueKind.ACCEPTANCE:
        name, day = EventType.ACCEPT_DEADLINE_PASSED, d.accept_by
    else:
        name, day = EventType.FINISH_DEADLINE_PASSED, d.effective_finish_by
    assert day is not None
    return f"{name}:{report.case}", event(report, name, day)


KEYS_PER_QUERY = 10_000


def owed(pairs: list[Owed]) -> list[Owed]:
    """Those of ``pairs`` not yet in the log."""
    if not pairs:
        return []
    keys = [k for k, _ in pairs]
    have: set[str] = set()
    # In slices: one IN list of every open report's key outgrows the drivers' limit on bound
    # parameters (65,535 on PostgreSQL, 32,766 on SQLite) at a region's real volume.
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        have.update(
            db.session.scalars(sa.select(ReportEvent.key).where(ReportEvent.key.in_(chunk)))
        )
    return [(k, e) for k, e in pairs if k not in have]


def append_owed(pairs: list[Owed]) -> int:
    """Append those of ``pairs`` not yet in the log (under the lock); how many were added."""
    lock()
    todo = owed(pairs)
    if todo:
        append([e for _, e in todo], [k for k, _ in todo])
    return len(todo)


def lines() -> list[str]:
    return list(db.session.scalars(sa.select(ReportEvent.line).order_by(ReportEvent.id)))


def head() -> str:
    last = db.session.scalar(sa.select(ReportEvent.hash).order_by(ReportEvent.id.desc()).limit(1))
    return last or eventlog.GENESIS
