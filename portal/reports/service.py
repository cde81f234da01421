"""Transactions of the reports feature: submission, handling, reveals, summaries, API keys.

Each public function commits once (or not at all when it raises). The event log is appended
in the same transaction as the change it records, so the published log never runs ahead of
or behind the reports themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.core import audit, counties
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.problems import Refusal
from portal.reports import codes, eventlog, eventstore, mail, photos, workflow
from portal.reports.apikeys import create_api_key, find_api_key, revoke_api_key
from portal.reports.eventlog import EVENT_FOR_ACTION, Channel, EventType
from portal.reports.models import (
    Report,
    ReportContact,
    ReportEvent,
    ReportNote,
    ReportPhoto,
    ReportReveal,
)
from portal.reports.summaries import publish_summary
from portal.reports.workflow import Action, IllegalTransition, Snapshot, State

log = logging.getLogger(__name__)
__all__ = [
    "create_api_key",
    "event_head",
    "event_lines",
    "find_api_key",
    "publish_summary",
    "revoke_api_key",
]


# ---------------------------------------------------------------------------------------
# Configuration and snapshots
# ---------------------------------------------------------------------------------------


def limits() -> workflow.Limits:
    cfg = current_app.config
    return workflow.Limits(
        accept_days=int(cfg["REPORT_ACCEPT_DAYS"]),
        finish_days=int(cfg["REPORT_FINISH_DAYS"]),
        max_extension_days=int(cfg["REPORT_MAX_EXTENSION_DAYS"]),
        auto_close_days=int(cfg["REPORT_AUTO_CLOSE_DAYS"]),
    )


def _dump(snap: Snapshot) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(snap):
        value = getattr(snap, f.name)
        out[f.name] = value.isoformat() if isinstance(value, dt.datetime) else value
    return out


_DATETIME_FIELDS = {f.name for f in dataclasses.fields(Snapshot) if "datetime" in str(f.type)}


def snapshot(report: Report) -> Snapshot:
    data = dict(report.workflow)
    for name in _DATETIME_FIELDS:
        if data.get(name):
            data[name] = dt.datetime.fromisoformat(data[name])
    data["state"] = State(data["state"])
    if data.get("outcome"):
        data["outcome"] = workflow.Outcome(data["outcome"])
    if data.get("rating"):
        data["rating"] = workflow.Rating(data["rating"])
    return Snapshot(**data)


def _due_on(snap: Snapshot) -> dt.date | None:
    d = workflow.deadlines(snap, limits())
    if snap.state is State.SUBMITTED:
        return d.accept_by
    if snap.state in workflow.EXTENDABLE_STATES:
        return d.effective_finish_by
    return None


def _store(report: Report, snap: Snapshot) -> None:
    report.workflow = _dump(snap)
    report.state = str(snap.state)
    report.updated_at = snap.updated_at
    report.due_on = _due_on(snap)


def deadlines(report: Report) -> workflow.Deadlines:
    return workflow.deadlines(snapshot(report), limits())


def overdue(report: Report, now: dt.datetime | None = None) -> workflow.OverdueKind | None:
    return workflow.overdue_kind(snapshot(report), now or utcnow(), limits())


# ---------------------------------------------------------------------------------------
# The event log (write side in eventstore)
# ---------------------------------------------------------------------------------------

event_lines = eventstore.lines
event_head = eventstore.head
_append = eventstore.append


def _event(report: Report, kind: EventType, at: dt.datetime, **extra: Any) -> eventlog.Event:
    return eventstore.event(report, kind, at, **extra)


def flag_missed_deadlines(now: dt.datetime | None = None) -> int:
    """Append a deadline event for every open report past a limit that has none yet.

    Run by the daily ``reports close-due`` job and lazily before the statistics or the log
    are read, so a limit's miss is public without any worker.  Idempotent by the unique
    key ``<event>:<case>`` in ``report_events``: concurrent callers are serialised by the
    log's lock (PostgreSQL) or lose the unique race and find the work done (SQLite).
    """
    now = now or utcnow()
    today = workflow.china_date(now)
    open_states = [s for s in State if s not in workflow.TERMINAL_STATES]
    # Only reports whose owed event is not in the log yet: an unaccepted report owes the
    # acceptance one, any later open one the finishing one (`eventstore.missed_deadline`
    # decides for the few left). Without this every read would re-check every overdue report.
    owed_key = sa.case(
        (Report.state == State.SUBMITTED, f"{EventType.ACCEPT_DEADLINE_PASSED}:" + Report.case),
        else_=f"{EventType.FINISH_DEADLINE_PASSED}:" + Report.case,
    )
    logged = sa.select(ReportEvent.id).where(ReportEvent.key == owed_key).exists()
    query = sa.select(Report).where(Report.state.in_(open_states), Report.due_on < today, ~logged)
    pairs = [
        p
        for r in db.session.scalars(query)
        if (p := eventstore.missed_deadline(r, snapshot(r), now, limits())) is not None
    ]
    if not eventstore.owed(pairs):
        return 0
    try:
        added = eventstore.append_owed(pairs)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another process appended the same events first
        return 0
    except BaseException:
        db.session.rollback()
        raise
    return added


def next_deadline_event_at() -> dt.datetime | None:
    """When the next deadline event falls due (UTC), for caches of the public figures: the
    first instant after the earliest due date of an open report; None if none is open."""
    open_states = [s for s in State if s not in workflow.TERMINAL_STATES]
    due = db.session.scalar(
        sa.select(sa.func.min(Report.due_on)).where(
            Report.state.in_(open_states), Report.due_on >= workflow.china_date(utcnow())
        )
    )
    return None if due is None else workflow.china_day_end(due)


# ---------------------------------------------------------------------------------------
# Submission
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    category: str
    county: str
    place: str
    description: str
    lat: float | None = None
    lon: float | None = None
    observed_at: dt.datetime | None = None
    anonymous: bool = True
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    updates: bool = False  # mail each public status change to ``email``
    language: str | None = None  # of those mails

    def __repr__(self) -> str:  # keep personal data out of tracebacks and logs
        return f"<Submission {self.category}/{self.county}>"

    @property
    def has_contact(self) -> bool:
        return not self.anonymous and bool(self.name or self.phone or self.email)


def find_by_submission(submission_id: str) -> Report | None:
    return db.session.scalar(sa.select(Report).where(Report.submission_id == submission_id))


def submit(
    data: Submission,
    *,
    submission_id: str,
    channel: Channel = Channel.WEB,
    photo_ids: list[str] | None = None,
    api_key_id: int | None = None,
    staff: bool = False,
    received_at: dt.datetime | None = None,
) -> tuple[Report, bool]:
    """Store a report with its photos; return (report, created).

    Idempotent on ``submission_id``: a resubmission returns the existing report. Photos are
    copied into place before the commit and removed again if the commit fails, so a shown
    tracking code always means the report and its photos are stored.
    """
    existing = find_by_submission(submission_id)
    if existing is not None:
        return existing, False
    upload_dir = current_app.config["UPLOAD_DIR"]
    waiting = photos.pending(upload_dir, submission_id, photo_ids or []) if photo_ids else []
    now = received_at or utcnow()
    snap = workflow.new_report(now)
    code = codes.new_code()
    report = Report(
        code=code,
        submission_id=submission_id,
        case=eventlog.pseudonym(eventstore.pseudonym_key(), code),
        channel=channel,
        category=data.category,
        county=data.county,
        place=data.place.strip(),
        lat=data.lat,
        lon=data.lon,
        description=data.description.strip(),
        observed_at=data.observed_at,
        anonymous=not data.has_contact,
        received_at=now,
        api_key_id=api_key_id,
    )
    _store(report, snap)
    if data.has_contact:
        report.contact = ReportContact(
            name=(data.name or "").strip() or None,
            phone=(data.phone or "").strip() or None,
            email=(data.email or "").strip() or None,
            updates=bool(data.updates and (data.email or "").strip()),
            language=data.language,
        )
    for p in waiting:
        report.photos.append(
            ReportPhoto(
                photo_id=p.photo_id,
                filename=p.filename,
                content_type=p.content_type,
                sha256_original=p.sha256_original,
                size=p.size,
                width=p.width,
                height=p.height,
            )
        )
    report.notes.append(ReportNote(at=now, action="received", state=str(State.SUBMITTED)))
    placed = photos.place(upload_dir, waiting)
    try:
        db.session.add(report)
        db.session.flush()
        _append([_event(report, EventType.RECEIVED, now)])
        if staff:
            audit.record(
                "create",
                "report",
                report.case,
                after={"channel": channel, "category": data.category, "county": data.county},
            )
        db.session.commit()
    except IntegrityError:
        # Most likely the same submission committed concurrently: answer with that one.
        db.session.rollback()
        photos.remove(placed)
        existing = find_by_submission(submission_id)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        # Files first: with the database gone the rollback itself may raise.
        photos.remove(placed)
        db.session.rollback()
        raise
    photos.discard_quarantine(upload_dir, submission_id)
    log.info(
        "report received: channel=%s category=%s county=%s", channel, data.category, data.county
    )
    return report, True


# ---------------------------------------------------------------------------------------
# Handling
# ---------------------------------------------------------------------------------------


def get_by_code(text: str) -> Report | None:
    """Look a report up by (possibly sloppy) tracking code; raises codes.CodeError."""
    return db.session.scalar(sa.select(Report).where(Report.code == codes.parse(text)))


def _apply(
    report: Report,
    action: Action,
    at: dt.datetime,
    *,
    public_note: str = "",
    internal_note: str | None = None,
    actor_id: int | None = None,
    **data: Any,
) -> None:
    before = snapshot(report)
    after = workflow.apply(before, action, at, limits=limits(), **data)
    # A late step first records the limit it missed, so the log never depends on whether a
    # job happened to run between the deadline and the step.
    missed = eventstore.missed_deadline(report, before, after.updated_at, limits())
    if missed is not None:
        eventstore.append_owed([missed])
    _store(report, after)
    report.notes.append(
        ReportNote(
            at=after.updated_at,
            action=str(action),
            state=str(after.state),
            public_note=(public_note or "").strip(),
            internal_note=(internal_note or "").strip() or None,
            actor_id=actor_id,
        )
    )
    extra: dict[str, Any] = {}
    if action is Action.FINISH:
        timing = workflow.finish_timing(after, limits())
        assert timing is not None
        extra = {"on_time": timing.on_time, "days_to_finish": timing.days_to_finish}
    _append([_event(report, EVENT_FOR_ACTION[action], after.updated_at, **extra)])


def act(
    report: Report,
    action: Action | str,
    *,
    public_note: str,
    internal_note: str | None = None,
    actor_id: int | None = None,
    at: dt.datetime | None = None,
    **data: Any,
) -> Report:
    """A handler's step on a report (raises a Refusal, IllegalTransition mostly, nothing
    stored then)."""
    action = Action(action)
    if action in (Action.RATE, Action.DISPUTE, Action.AUTO_CLOSE):
        raise IllegalTransition(workflow.ErrorCode.NOT_ALLOWED, action=action)
    county = data.pop("county", None)
    if report.county == counties.REGION and action is Action.ACCEPT:
        # Filed without a county (Open311): accepting it places it in its county's queue.
        if county not in counties.codes():
            raise IllegalTransition(workflow.ErrorCode.INVALID_DATA, field="county")
        report.county = county
    if action is Action.MARK_DUPLICATE:
        other = _duplicate_target(report, data.get("duplicate_of"))
        data["duplicate_of"] = other
    state_before = report.state
    try:
        _apply(
            report,
            action,
            at or utcnow(),
            public_note=public_note,
            internal_note=internal_note,
            actor_id=actor_id,
            **data,
        )
        audit.record(
            "update",
            "report",
            report.case,
            before={"state": state_before},
            after={"state": report.state, "action": str(action)},
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    mail.status_changed(report)
    return report


def _duplicate_target(report: Report, raw: object) -> str:
    """The case number of the surviving report, as the handler sees it on its page."""
    case = raw.strip().lower() if isinstance(raw, str) else ""
    other = db.session.scalar(sa.select(Report).where(Report.case == case)) if case else None
    if other is None or other.id == report.id:
        raise Refusal("not_another_report", "duplicate_of")
    return other.case


def feedback(report: Report, action: Action | str, *, reason: str = "", rating: str = "") -> Report:
    """The code holder rates (closing) or disputes (reopening) a finished report."""
    action = Action(action)
    now = utcnow()
    try:
        if action is Action.RATE:
            _apply(report, action, now, rating=rating)
        elif action is Action.DISPUTE:
            _apply(report, action, now, public_note=reason, reason=reason)
        else:
            raise IllegalTransition(workflow.ErrorCode.NOT_ALLOWED, action=action)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def close_if_due(report: Report, now: dt.datetime | None = None) -> bool:
    """Apply the automatic close lazily (when a report is viewed); True if it closed."""
    now = now or utcnow()
    if not workflow.auto_close_due(snapshot(report), now, limits()):
        return False
    try:
        _apply(report, Action.AUTO_CLOSE, now)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    mail.status_changed(report)
    return True


def refresh_due_dates() -> int:
    """Recompute the queue's due dates, e.g. after the REPORT_*_DAYS limits changed."""
    changed = 0
    open_states = [s for s in State if s not in workflow.TERMINAL_STATES]
    for report in db.session.scalars(sa.select(Report).where(Report.state.in_(open_states))):
        due = _due_on(snapshot(report))
        if report.due_on != due:
            report.due_on = due
            changed += 1
    db.session.commit()
    return changed


def close_due(now: dt.datetime | None = None) -> int:
    """Close every finished report whose feedback period is over (the CLI's job)."""
    now = now or utcnow()
    refresh_due_dates()
    flag_missed_deadlines(now)
    closed = 0
    ids = db.session.scalars(sa.select(Report.id).where(Report.state == State.FINISHED)).all()
    for report_id in ids:
        report = db.session.get(Report, report_id)
        if report is not None and close_if_due(report, now):
            closed += 1
    return closed


# ---------------------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------------------


def reveal_contact(report: Report, user_id: int) -> ReportContact | None:
    """Open the reporter's contact details for a handler: recorded and audited."""
    contact = db.session.get(ReportContact, report.id)
    if contact is None:
        return None
    db.session.add(ReportReveal(report_id=report.id, user_id=user_id, at=utcnow()))
    audit.record("view_personal_data", "report", report.case, reason="contact details revealed")
    db.session.commit()
    return contact


def reveal_dates(report: Report) -> list[dt.date]:
    days = sorted({workflow.china_date(r.at) for r in report.reveals})
    return days
