"""Water-incident warnings (预警): the current state of each warning and every message sent
about it. The current row is what pages read cheaply; the messages are the kept history
(one immutable row per publish, update and lift, never overwritten)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.alerts.cap import MsgType
from portal.core.extensions import Model
from portal.core.models import UTCDateTime, intpk, str20, str200, utcnow


class Level(StrEnum):
    """The four levels of China's emergency warnings, least to most severe."""

    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


LEVEL_LABELS: dict[Level, Any] = {
    Level.BLUE: _l("Blue warning"),
    Level.YELLOW: _l("Yellow warning"),
    Level.ORANGE: _l("Orange warning"),
    Level.RED: _l("Red warning"),
}


class Kind(StrEnum):
    """What the warning is about (and so what people are told to do)."""

    BOIL_WATER = "boil_water"
    DO_NOT_DRINK = "do_not_drink"
    DO_NOT_USE = "do_not_use"
    SUPPLY_INTERRUPTION = "supply_interruption"
    SOURCE_POLLUTION = "source_pollution"
    RIVER_POLLUTION = "river_pollution"


KIND_LABELS: dict[Kind, Any] = {
    Kind.BOIL_WATER: _l("Boil water before drinking"),
    Kind.DO_NOT_DRINK: _l("Do not drink tap water"),
    Kind.DO_NOT_USE: _l("Do not use tap water"),
    Kind.SUPPLY_INTERRUPTION: _l("Water supply interruption"),
    Kind.SOURCE_POLLUTION: _l("Drinking-water source pollution"),
    Kind.RIVER_POLLUTION: _l("River pollution incident"),
}


class AlertStatus(StrEnum):
    """In force until lifted (解除); a warning never ends by itself."""

    ACTIVE = "active"
    LIFTED = "lifted"


# What a message snapshots: the warning's public content in both languages.
CONTENT = (
    "level",
    "kind",
    "counties",
    "sites",
    "headline_zh",
    "headline_en",
    "instruction_zh",
    "instruction_en",
    "description_zh",
    "description_en",
    "effective_from",
    "expected_end",
)


def _in(values: Any) -> str:
    return ", ".join(f"'{v}'" for v in values)


def split_codes(value: str | None) -> tuple[str, ...]:
    return tuple(c for c in (value or "").split(";") if c)


class _Content:
    """Columns shared by the current warning and each message about it."""

    level: Mapped[str20]
    kind: Mapped[str20]
    # County and site codes, ";"-separated: read with the row, no join on every page.
    counties: Mapped[str] = mapped_column(sa.String(200))
    sites: Mapped[str] = mapped_column(sa.String(1000), default="")
    headline_zh: Mapped[str200]
    headline_en: Mapped[str200]
    instruction_zh: Mapped[str] = mapped_column(sa.Text)
    instruction_en: Mapped[str] = mapped_column(sa.Text)
    description_zh: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    effective_from: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expected_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def county_codes(self) -> tuple[str, ...]:
        return split_codes(self.counties)

    @property
    def site_codes(self) -> tuple[str, ...]:
        return split_codes(self.sites)

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[Level(self.level)])

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[Kind(self.kind)])


class Alert(Model, _Content):
    __tablename__ = "alerts"

    id: Mapped[intpk]
    status: Mapped[str20] = mapped_column(default=AlertStatus.ACTIVE)
    version: Mapped[int] = mapped_column(default=1)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    lift_reason_zh: Mapped[str | None] = mapped_column(sa.Text)
    lift_reason_en: Mapped[str | None] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    messages: Mapped[list[AlertMessage]] = relationship(
        back_populates="alert", order_by="AlertMessage.version", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint(f"status in ({_in(AlertStatus)})", name="status_known"),
        sa.CheckConstraint(f"level in ({_in(Level)})", name="level_known"),
        sa.CheckConstraint(f"kind in ({_in(Kind)})", name="kind_known"),
        sa.CheckConstraint(
            "expected_end IS NULL OR expected_end > effective_from", name="end_after_start"
        ),
        # The banner's one query: warnings in force.
        sa.Index("ix_alerts_status_published_at", "status", "published_at"),
    )

    @property
    def is_active(self) -> bool:
        return self.status == AlertStatus.ACTIVE

    @property
    def is_lifted(self) -> bool:
        return self.status == AlertStatus.LIFTED

    def in_effect(self, now: dt.datetime | None = None) -> bool:
        """In force now (not lifted, effective time reached). A warning never ends by itself:
        only a lift (解除) ends it, whatever its expected end said."""
        return self.is_active and self.effective_from <= (now or utcnow())

    def overdue(self, now: dt.datetime | None = None) -> bool:
        """Still in force after the expected end: the page says so plainly."""
        return bool(self.is_active and self.expected_end and self.expected_end <= (now or utcnow()))


class AlertMessage(Model, _Content):
    """One message as sent (CAP msgType: cap.MsgType), with what changed."""

    __tablename__ = "alert_messages"

    id: Mapped[intpk]
    alert_id: Mapped[int] = mapped_column(sa.ForeignKey("alerts.id"), index=True)
    version: Mapped[int]
    msg_type: Mapped[str20]
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Names of the CONTENT fields this message changed (empty for the first one).
    changed: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The official's public note: what changed (update) or why it was lifted (lift).
    note_zh: Mapped[str] = mapped_column(sa.Text, default="")
    note_en: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    alert: Mapped[Alert] = relationship(back_populates="messages")

    __table_args__ = (
        sa.UniqueConstraint("alert_id", "version"),
        sa.CheckConstraint(f"msg_type in ({_in(MsgType)})", name="msg_type_known"),
        sa.CheckConstraint(f"level in ({_in(Level)})", name="level_known"),
        sa.CheckConstraint(f"kind in ({_in(Kind)})", name="kind_known"),
    )
