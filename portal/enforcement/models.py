"""Enforcement records: enterprises, inspectors, red/yellow cards, draws, inspections, cases.

Nothing here is ever deleted. A mistaken value is changed through a `Correction` row that
keeps the old value and the reason, and the public sees both.

Every closed set of codes a column holds is a `StrEnum` (its members are the strings stored,
published in the API and the downloads, and compared in templates), with its labels beside
it; the columns' check constraints are built from the same enums.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.extensions import Model
from portal.core.models import TimestampMixin, UTCDateTime, intpk, str20, str64, str200, str500


class CardColor(StrEnum):
    YELLOW = "yellow"
    RED = "red"


class CardState(StrEnum):
    ACTIVE = "active"
    LIFTED = "lifted"
    # Replaced by a red card (the day the red card was decided ends it).
    ESCALATED = "escalated"


class Outcome(StrEnum):
    """What an inspection found."""

    NO_PROBLEM = "no_problem"
    RECTIFY = "rectify"
    CASE_OPENED = "case"


class ViolationType(StrEnum):
    EXCEEDING = "exceeding"
    BYPASS = "bypass"
    FALSIFIED = "falsified"
    NO_EIA = "no_eia"
    NO_PERMIT = "no_permit"
    OTHER = "other"


class ProductionMeasure(StrEnum):
    NONE = ""
    RESTRICT = "restrict"
    SUSPEND = "suspend"


class CaseStatus(StrEnum):
    FILED = "filed"
    DECIDED = "decided"
    ENFORCED = "enforced"
    CLOSED = "closed"


class DrawStatus(StrEnum):
    COMMITTED = "committed"
    REVEALED = "revealed"


class RecordKind(StrEnum):
    """The records a correction may change (`Correction.object_type`)."""

    CARD = "card"
    CASE = "case"
    INSPECTION = "inspection"


# The labels of each set, by code (looked up with the plain strings read from the database).
CARD_COLORS: dict[str, Any] = {CardColor.YELLOW: _l("Yellow card"), CardColor.RED: _l("Red card")}
CARD_MEANING: dict[str, Any] = {
    CardColor.YELLOW: _l(
        "Exceeded standards or totals: production restricted or suspended for rectification"
    ),
    CardColor.RED: _l("Rectification failed or serious violation: operations stopped or closed"),
}
CARD_STATES: dict[str, Any] = {
    CardState.ACTIVE: _l("In force"),
    CardState.LIFTED: _l("Lifted"),
    CardState.ESCALATED: _l("Escalated to red"),
}
OUTCOMES: dict[str, Any] = {
    Outcome.NO_PROBLEM: _l("No problem found"),
    Outcome.RECTIFY: _l("Ordered to rectify"),
    Outcome.CASE_OPENED: _l("Case opened"),
}
VIOLATION_TYPES: dict[str, Any] = {
    ViolationType.EXCEEDING: _l("Exceeding discharge standards"),
    ViolationType.BYPASS: _l("Bypassing treatment facilities"),
    ViolationType.FALSIFIED: _l("Falsifying monitoring data"),
    ViolationType.NO_EIA: _l("Building without environmental approval"),
    ViolationType.NO_PERMIT: _l("Operating without a discharge permit"),
    ViolationType.OTHER: _l("Other violation"),
}
PRODUCTION_MEASURES: dict[str, Any] = {
    ProductionMeasure.NONE: _l("None"),
    ProductionMeasure.RESTRICT: _l("Production restricted"),
    ProductionMeasure.SUSPEND: _l("Production suspended"),
}
CASE_STATUSES: dict[str, Any] = {
    CaseStatus.FILED: _l("Filed"),
    CaseStatus.DECIDED: _l("Penalty decided"),
    CaseStatus.ENFORCED: _l("Penalty enforced"),
    CaseStatus.CLOSED: _l("Case closed"),
}
DRAW_STATUSES: dict[str, Any] = {
    DrawStatus.COMMITTED: _l("Committed, awaiting the draw"),
    DrawStatus.REVEALED: _l("Drawn and revealed"),
}


def _in(values: Any) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Enterprise(Model, TimestampMixin):
    __tablename__ = "enforcement_enterprises"

    id: Mapped[intpk]
    code: Mapped[str20] = mapped_column(unique=True)  # unified social credit code
    name_zh: Mapped[str200]
    name_en: Mapped[str200 | None]
    county: Mapped[str20] = mapped_column(index=True)
    industry: Mapped[str] = mapped_column(sa.String(100), index=True)
    address: Mapped[str500] = mapped_column(default="")
    permit_number: Mapped[str | None] = mapped_column(sa.String(64))
    key_discharger: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (sa.Index("ix_enforcement_enterprises_name_zh", "name_zh"),)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name_zh,
            "name_en": self.name_en,
            "county": self.county,
            "industry": self.industry,
            "address": self.address,
            "permit_number": self.permit_number,
            "key_discharger": self.key_discharger,
        }


class Inspector(Model, TimestampMixin):
    """An enforcement officer who may be drawn; `code` is the enforcement certificate number."""

    __tablename__ = "enforcement_inspectors"

    id: Mapped[intpk]
    code: Mapped[str64] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    county: Mapped[str20 | None] = mapped_column(index=True)
    active: Mapped[bool] = mapped_column(default=True)


class Card(Model, TimestampMixin):
    __tablename__ = "enforcement_cards"

    id: Mapped[intpk]
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enforcement_enterprises.id"))
    color: Mapped[str20]
    number: Mapped[str] = mapped_column(sa.String(100), unique=True)  # decision number
    decided_on: Mapped[dt.date]
    authority: Mapped[str200]
    reasons: Mapped[str] = mapped_column(sa.Text)
    measures: Mapped[str] = mapped_column(sa.Text)
    deadline: Mapped[dt.date | None]  # rectification deadline
    state: Mapped[str20] = mapped_column(default=CardState.ACTIVE)
    # Lifting (or the day a red card replaced this yellow one) ends the card.
    ended_on: Mapped[dt.date | None]
    lift_reason: Mapped[str | None] = mapped_column(sa.Text)
    lift_evidence: Mapped[str | None] = mapped_column(sa.Text)
    escalated_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enforcement_cards.id"))
    # An approved credit repair ends publication early.
    repaired_on: Mapped[dt.date | None]
    repair_reason: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by: Mapped[str] = mapped_column(sa.String(254), default="system")
    decision_notice_id: Mapped[int | None]
    lift_notice_id: Mapped[int | None]

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    escalated_from: Mapped[Card | None] = relationship(remote_side="Card.id", lazy="select")

    __table_args__ = (
        sa.CheckConstraint(f"color in ({_in(CardColor)})", name="color_known"),
        sa.CheckConstraint(f"state in ({_in(CardState)})", name="state_known"),
        sa.Index("ix_enforcement_cards_state_color", "state", "color"),
        sa.Index("ix_enforcement_cards_enterprise_decided", "enterprise_id", "decided_on"),
        sa.Index("ix_enforcement_cards_ended_on", "ended_on"),
    )

    @property
    def serious(self) -> bool:
        return self.color == CardColor.RED

    @property
    def color_label(self) -> str:
        return str(CARD_COLORS[self.color])

    @property
    def state_label(self) -> str:
        return str(CARD_STATES[self.state])


class Draw(Model, TimestampMixin):
    """A "double random" draw. `committed_document` is frozen at commit time and never
    changes; `revealed_document` is added at the reveal."""

    __tablename__ = "enforcement_draws"

    id: Mapped[intpk]
    number: Mapped[str20] = mapped_column(unique=True)  # public: 2026-007
    title_zh: Mapped[str200]
    title_en: Mapped[str200 | None]
    county: Mapped[str20 | None] = mapped_column(index=True)
    planned_on: Mapped[dt.date]
    entropy_source: Mapped[str500]  # how the public entropy will be fixed, stated in advance
    status: Mapped[str20] = mapped_column(default=DrawStatus.COMMITTED, index=True)
    commitment: Mapped[str64]
    # Kept secret until the reveal; public pages and the API never read it before then.
    secret: Mapped[str64]
    entropy: Mapped[str | None] = mapped_column(sa.Text)
    committed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revealed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    committed_document: Mapped[dict[str, Any]]
    revealed_document: Mapped[dict[str, Any] | None]
    recorded_by: Mapped[str] = mapped_column(sa.String(254), default="system")

    __table_args__ = (
        sa.CheckConstraint(f"status in ({_in(DrawStatus)})", name="status_known"),
        sa.Index("ix_enforcement_draws_committed_at", "committed_at"),
    )

    @property
    def public_document(self) -> dict[str, Any]:
        revealed = self.status == DrawStatus.REVEALED
        return self.revealed_document if revealed else self.committed_document  # type: ignore[return-value]


class Case(Model, TimestampMixin):
    __tablename__ = "enforcement_cases"

    id: Mapped[intpk]
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enforcement_enterprises.id"))
    number: Mapped[str] = mapped_column(sa.String(100), unique=True)  # decision number
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    filed_on: Mapped[dt.date]
    decided_on: Mapped[dt.date | None] = mapped_column(index=True)
    violation_type: Mapped[str20]
    facts: Mapped[str] = mapped_column(sa.Text)
    legal_basis: Mapped[str] = mapped_column(sa.Text)
    fine_yuan: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    daily_penalty_yuan: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    seizure: Mapped[bool] = mapped_column(default=False)
    production_measure: Mapped[str20] = mapped_column(default=ProductionMeasure.NONE)
    police_transferred_on: Mapped[dt.date | None]
    police_outcome: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str20] = mapped_column(default=CaseStatus.DECIDED)
    typical: Mapped[bool] = mapped_column(default=False, index=True)
    serious: Mapped[bool] = mapped_column(default=False)
    repaired_on: Mapped[dt.date | None]
    repair_reason: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by: Mapped[str] = mapped_column(sa.String(254), default="system")
    notice_id: Mapped[int | None]

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(f"violation_type in ({_in(ViolationType)})", name="type_known"),
        sa.CheckConstraint(f"status in ({_in(CaseStatus)})", name="status_known"),
        sa.CheckConstraint(
            f"production_measure in ({_in(ProductionMeasure)})", name="measure_known"
        ),
        sa.CheckConstraint("fine_yuan >= 0 AND daily_penalty_yuan >= 0", name="amounts"),
        sa.Index("ix_enforcement_cases_enterprise_filed", "enterprise_id", "filed_on"),
        sa.Index("ix_enforcement_cases_filed_on", "filed_on"),
    )

    @property
    def reference_date(self) -> dt.date:
        return self.decided_on or self.filed_on

    @property
    def type_label(self) -> str:
        return str(VIOLATION_TYPES[self.violation_type])

    @property
    def status_label(self) -> str:
        return str(CASE_STATUSES[self.status])

    @property
    def measure_label(self) -> str:
        return str(PRODUCTION_MEASURES.get(self.production_measure, ""))


class Inspection(Model, TimestampMixin):
    """The published result of one inspection (usually of an enterprise drawn in a draw)."""

    __tablename__ = "enforcement_inspections"

    id: Mapped[intpk]
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enforcement_enterprises.id"))
    draw_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enforcement_draws.id"))
    inspected_on: Mapped[dt.date] = mapped_column(index=True)
    inspectors: Mapped[str] = mapped_column(sa.String(300), default="")
    items_checked: Mapped[str] = mapped_column(sa.Text)
    findings: Mapped[str] = mapped_column(sa.Text)
    outcome: Mapped[str20] = mapped_column(index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enforcement_cases.id"))
    follow_up: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(254), default="system")
    notice_id: Mapped[int | None]

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    draw: Mapped[Draw | None] = relationship()
    case: Mapped[Case | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"outcome in ({_in(Outcome)})", name="outcome_known"),
        sa.Index("ix_enforcement_inspections_enterprise_on", "enterprise_id", "inspected_on"),
    )

    @property
    def outcome_label(self) -> str:
        return str(OUTCOMES[self.outcome])


FIELD_LABELS = {
    "number": _l("Decision number"),
    "authority": _l("Deciding authority"),
    "reasons": _l("Reasons"),
    "measures": _l("Measures"),
    "deadline": _l("Rectification deadline"),
    "decided_on": _l("Decided on"),
    "facts": _l("Facts"),
    "legal_basis": _l("Legal basis"),
    "fine_yuan": _l("Fine (yuan)"),
    "daily_penalty_yuan": _l("Daily continuous penalty (yuan)"),
    "police_outcome": _l("Police outcome"),
    "status": _l("Status"),
    "items_checked": _l("Items checked"),
    "findings": _l("Findings"),
    "follow_up": _l("Rectification follow-up"),
    "inspected_on": _l("Inspected on"),
}


class Correction(Model):
    """A corrected value: the record shows the new value, this row keeps the old one."""

    __tablename__ = "enforcement_corrections"

    id: Mapped[intpk]
    object_type: Mapped[str20]  # card | case | inspection
    object_id: Mapped[int]
    field: Mapped[str] = mapped_column(sa.String(40))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    corrected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    corrected_by: Mapped[str] = mapped_column(sa.String(254))

    __table_args__ = (
        sa.CheckConstraint(f"object_type in ({_in(RecordKind)})", name="type_known"),
        sa.Index("ix_enforcement_corrections_object", "object_type", "object_id"),
    )

    @property
    def field_label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))
