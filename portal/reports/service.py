"""Transactions of the reports feature: submission, handling, reveals, summaries, API keys.

Each public function commits once (or not at all when it raises). The event log is appended
in the same transaction as the change it records, so the published log never runs ahead of
or behind the reports themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.core import audit, counties
from portal.core.models import utcnow
from portal.extensions import db
from portal.reports import codes, eventlog, photos, workflow
from portal.reports.eventlog import EVENT_FOR_ACTION, EventType
from portal.reports.models import (
    Report,
    ReportApiKey,
    ReportContact,
    ReportEvent,
    ReportNote,
    ReportPhoto,
    ReportReveal,
    ReportSummary,
)
from portal.reports.workflow import Action, IllegalTransition, Snapshot, State

log = logging.getLogger(__name__)
EVENT_LOCK = 4242006  # pg advisory lock serialising appends to the event log


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
# The event log
# ---------------------------------------------------------------------------------------


def _pseudonym_key() -> bytes:
    secret = current_app.config.get("REPORT_PSEUDONYM_KEY") or current_app.config["SECRET_KEY"]
    return hashlib.sha256(b"portal.reports.pseudonym-key\x00" + str(secret).encode()).digest()


def _append(events: list[eventlog.Event]) -> None:
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"SELECT pg_advisory_xact_lock({EVENT_LOCK})"))
    prev = session.scalar(sa.select(ReportEvent.hash).order_by(ReportEvent.id.desc()).limit(1))
    for line in eventlog.chain(events, prev=prev or eventlog.GENESIS):
        h = eventlog.line_hash(line)
        session.add(ReportEvent(line=line, prev=prev or eventlog.GENESIS, hash=h))
        prev = h
    session.flush()


def _event(report: Report, kind: EventType, at: dt.datetime, **extra: Any) -> eventlog.Event:
    return eventlog.make_event(
        case=report.case,
        event=kind,
        at=at,
        category=report.category,
        county=report.county,
        channel=report.channel,
        **extra,
    )


def event_lines() -> list[str]:
    return list(db.session.scalars(sa.select(ReportEvent.line).order_by(ReportEvent.id)))


def event_head() -> str:
    last = db.session.scalar(sa.select(ReportEvent.hash).order_by(ReportEvent.id.desc()).limit(1))
    return last or eventlog.GENESIS


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
    channel: str = "web",
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
        case=eventlog.pseudonym(_pseudonym_key(), code),
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
                report.code,
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
    """A handler's step on a report (raises IllegalTransition, nothing stored then)."""
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
            report.code,
            before={"state": state_before},
            after={"state": report.state, "action": str(action)},
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def _duplicate_target(report: Report, raw: object) -> str:
    try:
        other = get_by_code(raw) if isinstance(raw, str) else None
    except codes.CodeError:
        other = None
    if other is None or other.id == report.id:
        raise IllegalTransition(workflow.ErrorCode.INVALID_DATA, field="duplicate_of")
    return other.code


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
    audit.record("view_personal_data", "report", report.code, reason="contact details revealed")
    db.session.commit()
    return contact


def reveal_dates(report: Report) -> list[dt.date]:
    days = sorted({workflow.china_date(r.at) for r in report.reveals})
    return days


# ---------------------------------------------------------------------------------------
# Published summaries
# ---------------------------------------------------------------------------------------


def publish_summary(
    report: Report,
    *,
    title_zh: str,
    summary_zh: str,
    title_en: str | None = None,
    summary_en: str | None = None,
) -> ReportSummary:
    """Publish (or correct) the redacted summary of a handled report and announce it."""
    if report.state not in (State.FINISHED, State.CLOSED, State.NOT_ACCEPTED):
        raise IllegalTransition(workflow.ErrorCode.NOT_ALLOWED)
    now = utcnow()
    summary = db.session.scalar(
        sa.select(ReportSummary).where(ReportSummary.report_id == report.id)
    )
    created = summary is None
    if summary is None:
        summary = ReportSummary(report_id=report.id, published_at=now)
        db.session.add(summary)
    summary.title_zh, summary.summary_zh = title_zh.strip(), summary_zh.strip()
    summary.title_en = (title_en or "").strip() or None
    summary.summary_en = (summary_en or "").strip() or None
    summary.updated_at = now
    db.session.flush()
    try:
        _announce(report, summary, None if created else "更正案例摘要")
        audit.record(
            "publish" if created else "update",
            "report_summary",
            report.case,
            after={"title_zh": summary.title_zh},
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return summary


def _announce(report: Report, summary: ReportSummary, correction: str | None) -> None:
    from portal.notices.announce import announce

    announce(
        "report-handling",
        summary.title_zh,
        summary.summary_zh,
        f"/reports/cases/{report.case}",
        county=report.county,
        source=f"reports:{report.case}",
        title_en=summary.title_en,
        summary_en=summary.summary_en,
        published_at=summary.published_at,
        reason=correction,
    )


# ---------------------------------------------------------------------------------------
# Open311 API keys
# ---------------------------------------------------------------------------------------


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(name: str) -> tuple[ReportApiKey, str]:
    plain = "dxk_" + secrets.token_urlsafe(32)
    key = ReportApiKey(name=name.strip()[:100], key_hash=_key_hash(plain), created_at=utcnow())
    db.session.add(key)
    db.session.flush()
    audit.record("create", "report_api_key", key.id, after={"name": key.name})
    db.session.commit()
    return key, plain


def revoke_api_key(key: ReportApiKey) -> None:
    key.revoked_at = utcnow()
    audit.record("withdraw", "report_api_key", key.id, after={"name": key.name})
    db.session.commit()


def find_api_key(plain: str | None) -> ReportApiKey | None:
    if not plain or len(plain) > 200:
        return None
    key = db.session.scalar(
        sa.select(ReportApiKey).where(ReportApiKey.key_hash == _key_hash(plain))
    )
    return key if key is not None and key.revoked_at is None else None
