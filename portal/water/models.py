"""Water tables: sites and their supply chain, samples and measurements as imported, and
published quarters with the evaluation snapshot that was published.

A site's ``stage`` and ``water_body`` are :class:`~portal.water.evaluate.Stage` and
:class:`~portal.water.evaluate.WaterBody` values (the engine owns those sets)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.extensions import Model
from portal.core.models import TimestampMixin, UTCDateTime, intpk, str20, str64, str200, utcnow
from portal.water.evaluate import Stage


def _in(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class WaterSite(Model, TimestampMixin):
    __tablename__ = "water_sites"
    __table_args__ = (
        sa.CheckConstraint(f"stage IN ({_in(Stage)})", name="stage_known"),
        sa.Index("ix_water_sites_county_stage", "county", "stage"),
    )

    id: Mapped[intpk]
    code: Mapped[str64] = mapped_column(unique=True)
    name_zh: Mapped[str200]
    name_en: Mapped[str200] = mapped_column(default="")
    stage: Mapped[str20]
    county: Mapped[str20]
    water_body: Mapped[str20 | None]
    centralized: Mapped[bool] = mapped_column(default=False)
    target_class: Mapped[str20 | None]
    disinfectant: Mapped[str | None] = mapped_column(sa.String(100))  # ";"-separated codes
    small_supply: Mapped[bool] = mapped_column(default=False)
    protection_zone: Mapped[str | None] = mapped_column(sa.String(100))
    latitude: Mapped[str20 | None]
    longitude: Mapped[str20 | None]

    @property
    def disinfection(self) -> tuple[str, ...] | None:
        return tuple(self.disinfectant.split(";")) if self.disinfectant else None


class WaterSupplyLink(Model):
    """`site` is supplied by `upstream` (a plant by a source, a tap by a plant)."""

    __tablename__ = "water_supply_links"
    __table_args__ = (sa.UniqueConstraint("site_id", "upstream_id", name="pair"),)

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("water_sites.id"), index=True)
    upstream_id: Mapped[int] = mapped_column(sa.ForeignKey("water_sites.id"), index=True)

    upstream: Mapped[WaterSite] = relationship(foreign_keys=[upstream_id])
    site: Mapped[WaterSite] = relationship(foreign_keys=[site_id])


class WaterSample(Model, TimestampMixin):
    __tablename__ = "water_samples"
    __table_args__ = (
        sa.Index("ix_water_samples_county_quarter", "county", "quarter"),
        sa.Index("ix_water_samples_site_sampled", "site_id", "sampled_at"),
    )

    id: Mapped[intpk]
    sample_id: Mapped[str64] = mapped_column(unique=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("water_sites.id"))
    county: Mapped[str20]  # the site's, at import: publication is per county
    quarter: Mapped[str20]  # "2026Q3", by the China date of sampled_at
    sampled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    lab: Mapped[str200] = mapped_column(default="")
    method: Mapped[str200] = mapped_column(default="")

    site: Mapped[WaterSite] = relationship()


class WaterMeasurement(Model):
    """One result as the lab gave it, and as parsed into the canonical unit."""

    __tablename__ = "water_measurements"
    __table_args__ = (sa.UniqueConstraint("sample_pk", "parameter", name="sample_parameter"),)

    id: Mapped[intpk]
    sample_pk: Mapped[int] = mapped_column(sa.ForeignKey("water_samples.id"))
    parameter: Mapped[str64]
    value_text: Mapped[str200]
    unit_given: Mapped[str20] = mapped_column(default="")
    unit: Mapped[str20]  # canonical
    # Decimals as exact text (SQLite has no exact decimal type).
    value: Mapped[str | None] = mapped_column(sa.String(40))
    qualifier: Mapped[str20 | None]
    detection_limit: Mapped[str | None] = mapped_column(sa.String(40))


class WaterPublication(Model):
    """One published version of a county's quarter; the newest (current) one is public."""

    __tablename__ = "water_publications"
    __table_args__ = (
        sa.UniqueConstraint("county", "quarter", "version", name="version"),
        sa.Index("ix_water_publications_current", "current", "county", "quarter"),
    )

    id: Mapped[intpk]
    county: Mapped[str20]
    quarter: Mapped[str20]
    version: Mapped[int] = mapped_column(default=1)
    current: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by: Mapped[str] = mapped_column(sa.String(254), default="system")
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The site details the quarter shows (name, water body, …) as they were when it was
    # published, by site code: a later rename shows on the next publication, not here.
    sites: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class WaterExplanation(Model):
    """The water officer's account of a failed or inconclusive site in a published quarter:
    cause, measures taken, advice to residents.  Versioned: a rewrite is a new row and the
    newest (current) one is public; publication never waits for it."""

    __tablename__ = "water_explanations"
    __table_args__ = (
        sa.UniqueConstraint("county", "quarter", "site_id", "version", name="explanation_version"),
        sa.Index("ix_water_explanations_current", "current", "county", "quarter"),
    )

    id: Mapped[intpk]
    county: Mapped[str20]
    quarter: Mapped[str20]
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("water_sites.id"))
    version: Mapped[int] = mapped_column(default=1)
    current: Mapped[bool] = mapped_column(default=True)
    cause: Mapped[str] = mapped_column(sa.Text)
    measures: Mapped[str] = mapped_column(sa.Text)
    advice: Mapped[str] = mapped_column(sa.Text)
    written_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    written_by: Mapped[str] = mapped_column(sa.String(254), default="system")

    site: Mapped[WaterSite] = relationship()


class WaterEvaluation(Model):
    """The evaluation of one sample as published in one publication version."""

    __tablename__ = "water_evaluations"
    __table_args__ = (
        sa.Index("ix_water_evaluations_site", "site_id", "current", "sampled_at"),
        sa.Index("ix_water_evaluations_sample", "sample_id", "current"),
        sa.Index("ix_water_evaluations_publication", "publication_id"),
    )

    id: Mapped[intpk]
    publication_id: Mapped[int] = mapped_column(sa.ForeignKey("water_publications.id"))
    current: Mapped[bool] = mapped_column(default=True)  # copy of the publication's
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("water_sites.id"))
    sample_id: Mapped[str64]
    quarter: Mapped[str20]
    sampled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    latest_of_quarter: Mapped[bool] = mapped_column(default=False)
    standard: Mapped[str64]
    water_class: Mapped[str20 | None]
    held_to_class: Mapped[str20 | None]
    compliant: Mapped[bool | None]
    deciding: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The published sample document (deferred: lists do not need it).
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON, deferred=True)

    publication: Mapped[WaterPublication] = relationship()
    site: Mapped[WaterSite] = relationship()
