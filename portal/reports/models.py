"""Tables of the public pollution reports feature.

Where the reporter's identity lives: name, phone and e-mail are in ``report_contacts``, a
table of its own that only :func:`portal.reports.service.reveal_contact` reads (the
relationship is ``lazy="raise"`` so no page can load it by accident). Everything public is
derived from ``reports`` and the event log, neither of which holds personal data.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.extensions import Model
from portal.core.models import UTCDateTime, intpk, str20, str64, str200, utcnow
from portal.reports.eventlog import Channel
from portal.reports.workflow import Action, Outcome, Rating, State


class Category(StrEnum):
    """Kinds of pollution, in the order the form shows them: water first (a water portal).
    The values are the stored codes and Open311's ``service_code``."""

    WATER = "water"
    AIR = "air"
    NOISE = "noise"
    SOLID_WASTE = "solid_waste"
    SOIL = "soil"
    RADIATION = "radiation"
    OTHER = "other"


CATEGORY_LABELS: dict[Category, Any] = {
    Category.WATER: _l("Water pollution"),
    Category.AIR: _l("Air pollution"),
    Category.NOISE: _l("Noise"),
    Category.SOLID_WASTE: _l("Solid waste"),
    Category.SOIL: _l("Soil pollution"),
    Category.RADIATION: _l("Radiation"),
    Category.OTHER: _l("Other"),
}

# How a report reached the bureau (eventlog.Channel: the published log's closed set).
CHANNEL_LABELS: dict[Channel, Any] = {
    Channel.WEB: _l("Website"),
    Channel.PHONE: _l("Telephone"),
    Channel.OPEN311: _l("Partner app (Open311)"),
}

STATE_LABELS: dict[State, Any] = {
    State.SUBMITTED: _l("Awaiting acceptance"),
    State.ACCEPTED: _l("Accepted"),
    State.NOT_ACCEPTED: _l("Not accepted"),
    State.DUPLICATE: _l("Merged as a duplicate"),
    State.ASSIGNED: _l("Assigned to a county bureau"),
    State.INVESTIGATING: _l("Under investigation"),
    State.FINISHED: _l("Handled"),
    State.DISPUTED: _l("Disputed by the reporter"),
    State.UNDER_REVIEW: _l("Under review"),
    State.CLOSED: _l("Closed"),
}

ACTION_LABELS: dict[Action, Any] = {
    Action.ACCEPT: _l("Accepted"),
    Action.NOT_ACCEPT: _l("Not accepted"),
    Action.MARK_DUPLICATE: _l("Merged as a duplicate"),
    Action.ASSIGN: _l("Assigned to a county bureau"),
    Action.START_INVESTIGATION: _l("Investigation started"),
    Action.EXTEND: _l("Time limit extended"),
    Action.FINISH: _l("Handling finished"),
    Action.RATE: _l("Rated by the reporter"),
    Action.AUTO_CLOSE: _l("Closed after the feedback period"),
    Action.DISPUTE: _l("Disputed by the reporter"),
    Action.START_REVIEW: _l("Review started"),
    Action.CONCLUDE_REVIEW: _l("Review concluded"),
}

# What a handler's button says (imperative), as opposed to the timeline's past tense.
ACTION_BUTTONS: dict[Action, Any] = {
    Action.ACCEPT: _l("Accept"),
    Action.NOT_ACCEPT: _l("Do not accept"),
    Action.MARK_DUPLICATE: _l("Merge as a duplicate"),
    Action.ASSIGN: _l("Assign to a county bureau"),
    Action.START_INVESTIGATION: _l("Start the investigation"),
    Action.EXTEND: _l("Extend the time limit"),
    Action.FINISH: _l("Finish handling"),
    Action.START_REVIEW: _l("Start the review"),
    Action.CONCLUDE_REVIEW: _l("Conclude the review"),
}

OUTCOME_LABELS: dict[Outcome, Any] = {
    Outcome.VIOLATION_FOUND: _l("Violation found and handled"),
    Outcome.NO_VIOLATION: _l("No violation found"),
    Outcome.NOT_SUBSTANTIATED: _l("Not substantiated"),
}

RATING_LABELS: dict[Rating, Any] = {
    Rating.SATISFIED: _l("Satisfied"),
    Rating.BASICALLY_SATISFIED: _l("Basically satisfied"),
    Rating.DISSATISFIED: _l("Dissatisfied"),
}


def _in(values: object) -> str:
    return ",".join(f"'{v}'" for v in values)  # type: ignore[attr-defined]


class Report(Model):
    __tablename__ = "reports"

    id: Mapped[intpk]
    code: Mapped[str20] = mapped_column(unique=True)  # the tracking code, canonical form
    # Idempotency key minted when the form was first shown: a resubmission finds this row.
    submission_id: Mapped[str64] = mapped_column(unique=True)
    case: Mapped[str64] = mapped_column(unique=True)  # pseudonym used in the event log
    channel: Mapped[str20]
    category: Mapped[str20]
    county: Mapped[str20]
    place: Mapped[str] = mapped_column(sa.String(500))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    description: Mapped[str] = mapped_column(sa.Text)
    observed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    anonymous: Mapped[bool] = mapped_column(default=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    state: Mapped[str20]
    # The next deadline the agency must meet (China date), for sorting the queue.
    due_on: Mapped[dt.date | None]
    workflow: Mapped[dict[str, Any]]  # the serialised workflow.Snapshot
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_api_keys.id"))
    # SHA-256 of the one-time receipt kept in the reporter's session until the confirmation
    # page has shown the tracking code once (the code itself never goes into the cookie).
    receipt_hash: Mapped[str64 | None] = mapped_column(unique=True)

    contact: Mapped[ReportContact | None] = relationship(
        back_populates="report", lazy="raise", cascade="all, delete-orphan"
    )
    photos: Mapped[list[ReportPhoto]] = relationship(
        back_populates="report", order_by="ReportPhoto.id", cascade="all, delete-orphan"
    )
    notes: Mapped[list[ReportNote]] = relationship(
        back_populates="report", order_by="ReportNote.id", cascade="all, delete-orphan"
    )
    reveals: Mapped[list[ReportReveal]] = relationship(
        order_by="ReportReveal.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint(f"state in ({_in(State)})", name="state_known"),
        sa.CheckConstraint(f"channel in ({_in(Channel)})", name="channel_known"),
        sa.CheckConstraint(f"category in ({_in(Category)})", name="category_known"),
        sa.Index("ix_reports_county_state", "county", "state"),
        sa.Index("ix_reports_state_due_on", "state", "due_on"),
        sa.Index("ix_reports_received_at", "received_at"),
    )


class ReportContact(Model):
    """The reporter's identity, kept apart from the report; never shown without a reveal."""

    __tablename__ = "report_contacts"

    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str | None] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # "Send me updates": each public status change is mailed to ``email``.
    updates: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    language: Mapped[str | None] = mapped_column(sa.String(10))  # of the updates

    report: Mapped[Report] = relationship(back_populates="contact")

    def __repr__(self) -> str:  # never print personal data in a traceback or log
        return f"<ReportContact report_id={self.report_id}>"


class ReportStatusLink(Model):
    """A bookmarkable, read-only address of a report's status, revocable by the reporter.

    The token is an HMAC of ``salt`` under a key that is not in the database; only its
    SHA-256 is stored, so a copy of the database opens no status page.
    """

    __tablename__ = "report_status_links"

    id: Mapped[intpk]
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    salt: Mapped[str64]
    token_hash: Mapped[str64] = mapped_column(unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    report: Mapped[Report] = relationship()


class ReportReveal(Model):
    """When an official opened the contact details (the date is shown to the reporter)."""

    __tablename__ = "report_reveals"

    id: Mapped[intpk]
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None]


class ReportPhoto(Model):
    __tablename__ = "report_photos"

    id: Mapped[intpk]
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    photo_id: Mapped[str64] = mapped_column(unique=True)  # random; also the file's stem
    filename: Mapped[str200]  # stored name under UPLOAD_DIR/reports/
    content_type: Mapped[str] = mapped_column(sa.String(40))
    sha256_original: Mapped[str64]  # of the bytes as sent, kept as evidence
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]

    report: Mapped[Report] = relationship(back_populates="photos")


class ReportNote(Model):
    """One step in a report's handling: the public note is shown to the code holder."""

    __tablename__ = "report_notes"

    id: Mapped[intpk]
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(sa.String(30))  # an Action value, or "received"
    state: Mapped[str20]  # state after the step
    public_note: Mapped[str] = mapped_column(sa.Text, default="")
    internal_note: Mapped[str | None] = mapped_column(sa.Text)
    actor_id: Mapped[int | None]  # None: the reporter or the system

    report: Mapped[Report] = relationship(back_populates="notes")


class ReportEvent(Model):
    """The published, hash-chained event log, one stored line per event (append-only).

    ``key`` makes events the portal appends by itself idempotent (``<event>:<case>`` for a
    missed deadline); ``seal`` is an HMAC of the line under a key kept outside the database
    (:mod:`portal.reports.integrity`), so a line forged in the database does not verify.
    The database refuses UPDATE and DELETE (:data:`EVENT_GUARD_DDL`).
    """

    __tablename__ = "report_events"

    id: Mapped[intpk]
    line: Mapped[str] = mapped_column(sa.Text)
    prev: Mapped[str64] = mapped_column(unique=True)
    hash: Mapped[str64] = mapped_column(unique=True)
    key: Mapped[str | None] = mapped_column(sa.String(80), unique=True, index=True)
    seal: Mapped[str64 | None]


# Installed by create_all (below) and by migration 0009 (which repeats the statements).
EVENT_GUARD_DDL = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS report_events_no_update BEFORE UPDATE ON report_events "
        "BEGIN SELECT RAISE(ABORT, 'report event log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS report_events_no_delete BEFORE DELETE ON report_events "
        "BEGIN SELECT RAISE(ABORT, 'report event log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION report_events_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'report event log is append-only'; END $$",
        "DROP TRIGGER IF EXISTS report_events_no_change ON report_events",
        "CREATE TRIGGER report_events_no_change BEFORE UPDATE OR DELETE ON report_events "
        "FOR EACH ROW EXECUTE FUNCTION report_events_append_only()",
    ],
}


@sa.event.listens_for(ReportEvent.__table__, "after_create")
def _install_event_guards(target: sa.Table, connection: sa.Connection, **_: Any) -> None:
    for statement in EVENT_GUARD_DDL.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


class ReportSummary(Model):
    """A redacted case summary, written by a handler and published under report handling."""

    __tablename__ = "report_summaries"

    id: Mapped[intpk]
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"), unique=True)
    title_zh: Mapped[str200]
    title_en: Mapped[str200 | None]
    summary_zh: Mapped[str] = mapped_column(sa.Text)
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    report: Mapped[Report] = relationship()


class ReportApiKey(Model):
    """A partner channel's Open311 key; only its SHA-256 is stored."""

    __tablename__ = "report_api_keys"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(100))
    key_hash: Mapped[str64] = mapped_column(unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
