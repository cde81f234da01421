"""Proof that the published report event log was not rewritten.

Three layers, each catching what the one before cannot:

* the hash chain (:func:`portal.reports.eventlog.verify_chain`): editing, deleting or
  reordering a line breaks it, but a rebuilt chain verifies;
* a seal per stored line, an HMAC under a key that is not in the database
  (``REPORT_LOG_KEY``, default derived from ``SECRET_KEY``): a line written straight
  into the database (a forged event, a rebuilt chain) has no valid seal;
* anchors (:mod:`portal.core.anchors`): the head and length written to a file outside the
  database by every statistics recomputation and by the daily ``reports close-due``: a
  log cut short or rebuilt no longer has that head at that position.

The database also refuses UPDATE and DELETE on the table (triggers, see
:data:`portal.reports.models.EVENT_GUARD_DDL`); the checks hold even when they are dropped.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from portal.core import anchors
from portal.core.extensions import db
from portal.reports import eventlog
from portal.reports.models import ReportEvent

__all__ = ["ANCHOR_NAME", "LogCheck", "anchor", "check", "seal", "seal_key", "verify_log"]

ANCHOR_NAME = "reports-events"


def seal_key() -> bytes:
    secret = current_app.config.get("REPORT_LOG_KEY") or current_app.config["SECRET_KEY"]
    return hashlib.sha256(b"portal.reports.eventlog-seal\x00" + str(secret).encode()).digest()


def seal(key: bytes, line: str) -> str:
    return hmac.new(key, line.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class LogCheck:
    """Outcome of a verification; ``problem`` is a machine code, ``line`` 1-based."""

    count: int
    head: str
    problem: str | None = None
    line: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True, slots=True)
class StoredLine:
    line: str
    prev: str
    hash: str
    seal: str | None


def check(rows: Sequence[StoredLine], marks: Sequence[anchors.Anchor], key: bytes) -> LogCheck:
    """Verify stored lines (in id order) against their chain, their seals and the anchors."""
    lines = [r.line for r in rows]
    head = eventlog.head(lines)
    bad = eventlog.verify_chain(lines)
    if bad is not None:
        return LogCheck(len(rows), head, "chain_broken", bad + 1)
    prev = eventlog.GENESIS
    for index, row in enumerate(rows):
        if row.prev != prev or row.hash != eventlog.line_hash(row.line):
            return LogCheck(len(rows), head, "stored_hash_mismatch", index + 1)
        if row.seal is None or not hmac.compare_digest(row.seal, seal(key, row.line)):
            return LogCheck(len(rows), head, "seal_invalid", index + 1)
        prev = row.hash
    for mark in marks:
        if mark.count > len(rows):
            return LogCheck(len(rows), head, "shorter_than_anchor", mark.count)
        expected = rows[mark.count - 1].hash if mark.count else eventlog.GENESIS
        if expected != mark.head:
            return LogCheck(len(rows), head, "anchor_mismatch", mark.count)
    return LogCheck(len(rows), head)


def stored() -> list[StoredLine]:
    query = sa.select(ReportEvent.line, ReportEvent.prev, ReportEvent.hash, ReportEvent.seal)
    return [StoredLine(*row) for row in db.session.execute(query.order_by(ReportEvent.id))]


def verify_log(rows: Sequence[StoredLine] | None = None) -> LogCheck:
    """Check the stored log against its chain, seals and every anchor on file."""
    path = anchors.anchor_path(ANCHOR_NAME)
    try:
        marks = anchors.read(path)
    except ValueError:
        lines = [r.line for r in (rows if rows is not None else stored())]
        return LogCheck(len(lines), eventlog.head(lines), "anchor_file_bad")
    return check(rows if rows is not None else stored(), marks, seal_key())


def anchor(result: LogCheck) -> bool:
    """Write the verified head to the anchor file (never the head of a failed log)."""
    if not result.ok:
        return False
    return anchors.append(anchors.anchor_path(ANCHOR_NAME), count=result.count, head=result.head)


PROBLEMS = {
    "chain_broken": "line {line} does not follow from the line before (edited, removed or "
    "reordered)",
    "stored_hash_mismatch": "line {line}: the stored hashes do not match the line",
    "seal_invalid": "line {line} has no valid seal: it was not written by the portal",
    "shorter_than_anchor": "the log is shorter than the {line} lines an anchor recorded "
    "(cut short)",
    "anchor_mismatch": "line {line} differs from the head an anchor recorded (rewritten)",
    "anchor_file_bad": "the anchor file cannot be read",
}


def describe(result: LogCheck) -> str:
    if result.ok:
        return f"event log intact: {result.count} line(s), head {result.head}"
    return "event log FAILED verification: " + PROBLEMS[str(result.problem)].format(
        line=result.line
    )
