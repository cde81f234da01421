"""Public reads: only what a current publication contains is ever returned."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer, undefer

from portal.extensions import db
from portal.search.registry import SearchHit, like_pattern
from portal.water.models import WaterEvaluation, WaterPublication, WaterSite, WaterSupplyLink

STAGE_ORDER = ("source", "plant", "tap", "section")


def _is_public() -> sa.Exists:
    """The site has a published sample (uses the (site_id, current, …) index)."""
    return (
        sa.exists()
        .where(WaterEvaluation.site_id == WaterSite.id, WaterEvaluation.current.is_(True))
        .correlate(WaterSite)
    )


def public_site(code: str) -> WaterSite | None:
    site = db.session.scalar(sa.select(WaterSite).where(WaterSite.code == code))
    if site is None:
        return None
    has = db.session.scalar(
        sa.select(WaterEvaluation.id)
        .where(WaterEvaluation.site_id == site.id, WaterEvaluation.current.is_(True))
        .limit(1)
    )
    return site if has is not None else None


def public_sites(county: str | None = None, stage: str | None = None) -> sa.Select[Any]:
    q = sa.select(WaterSite).where(_is_public())
    if county:
        q = q.where(WaterSite.county == county)
    if stage:
        q = q.where(WaterSite.stage == stage)
    return q.order_by(WaterSite.county, WaterSite.stage, WaterSite.code)


def chain(site: WaterSite) -> tuple[list[WaterSite], list[WaterSite]]:
    """(supplied by, supplies): public neighbours only."""
    return chains([site.id])[site.id]


def chains(site_ids: list[int]) -> dict[int, tuple[list[WaterSite], list[WaterSite]]]:
    """chain() for a whole page of sites in two queries (not two per site)."""
    up = upstreams(site_ids)
    down: dict[int, list[WaterSite]] = {}
    for upstream_id, downstream in db.session.execute(
        sa.select(WaterSupplyLink.upstream_id, WaterSite)
        .join(WaterSite, WaterSupplyLink.site_id == WaterSite.id)
        .where(WaterSupplyLink.upstream_id.in_(site_ids), _is_public())
        .order_by(WaterSite.code)
    ):
        down.setdefault(upstream_id, []).append(downstream)
    return {i: (up.get(i, []), down.get(i, [])) for i in site_ids}


def upstreams(site_ids: list[int]) -> dict[int, list[WaterSite]]:
    """The public sites supplying each of ``site_ids``, in one query."""
    out: dict[int, list[WaterSite]] = {}
    for link_site, upstream in db.session.execute(
        sa.select(WaterSupplyLink.site_id, WaterSite)
        .join(WaterSite, WaterSupplyLink.upstream_id == WaterSite.id)
        .where(WaterSupplyLink.site_id.in_(site_ids), _is_public())
        .order_by(WaterSite.code)
    ):
        out.setdefault(link_site, []).append(upstream)
    return out


def site_evaluations(site: WaterSite, *, with_result: bool = False) -> sa.Select[Any]:
    """Every published sample of the site, newest first."""
    q = (
        sa.select(WaterEvaluation)
        .where(WaterEvaluation.site_id == site.id, WaterEvaluation.current.is_(True))
        .order_by(WaterEvaluation.sampled_at.desc())
    )
    return q.options(undefer(WaterEvaluation.result)) if with_result else q


def sample(sample_id: str) -> WaterEvaluation | None:
    return db.session.scalar(
        sa.select(WaterEvaluation)
        .options(undefer(WaterEvaluation.result))
        .where(WaterEvaluation.sample_id == sample_id, WaterEvaluation.current.is_(True))
    )


def publication(county: str, quarter: str) -> WaterPublication | None:
    return db.session.scalar(
        sa.select(WaterPublication).where(
            WaterPublication.county == county,
            WaterPublication.quarter == quarter,
            WaterPublication.current.is_(True),
        )
    )


def versions(county: str, quarter: str) -> list[WaterPublication]:
    return list(
        db.session.scalars(
            sa.select(WaterPublication)
            .where(WaterPublication.county == county, WaterPublication.quarter == quarter)
            .order_by(WaterPublication.version.desc())
        )
    )


def latest_rows(
    pub: WaterPublication, *, with_result: bool = False
) -> list[tuple[WaterEvaluation, WaterSite]]:
    """The latest sample of each site in the publication, in stage then code order."""
    q = sa.select(WaterEvaluation, WaterSite).join(
        WaterSite, WaterSite.id == WaterEvaluation.site_id
    )
    if with_result:
        q = q.options(undefer(WaterEvaluation.result))
    rows = db.session.execute(
        q.where(
            WaterEvaluation.publication_id == pub.id,
            WaterEvaluation.latest_of_quarter.is_(True),
        )
    )
    return sorted(rows, key=lambda r: (STAGE_ORDER.index(r[1].stage), r[1].code))


def latest_rows_of(
    pubs: list[WaterPublication],
) -> dict[int, list[tuple[WaterEvaluation, WaterSite]]]:
    """latest_rows() of several publications (the counties on /water/) in one query."""
    out: dict[int, list[tuple[WaterEvaluation, WaterSite]]] = {p.id: [] for p in pubs}
    if not pubs:
        return out
    rows = db.session.execute(
        sa.select(WaterEvaluation, WaterSite)
        .join(WaterSite, WaterSite.id == WaterEvaluation.site_id)
        .where(
            WaterEvaluation.publication_id.in_(list(out)),
            WaterEvaluation.latest_of_quarter.is_(True),
        )
    )
    for evaluation, site in rows:
        out[evaluation.publication_id].append((evaluation, site))
    for key, found in out.items():
        out[key] = sorted(found, key=lambda r: (STAGE_ORDER.index(r[1].stage), r[1].code))
    return out


def publication_rows(pub: WaterPublication) -> list[tuple[WaterEvaluation, WaterSite]]:
    """Every sample of the publication, by site code then time."""
    return list(
        db.session.execute(
            sa.select(WaterEvaluation, WaterSite)
            .join(WaterSite, WaterSite.id == WaterEvaluation.site_id)
            .options(undefer(WaterEvaluation.result))
            .where(WaterEvaluation.publication_id == pub.id)
            .order_by(WaterSite.code, WaterEvaluation.sampled_at)
        )
    )


def published_quarters(county: str) -> list[WaterPublication]:
    return list(
        db.session.scalars(
            sa.select(WaterPublication)
            .options(defer(WaterPublication.summary))
            .where(WaterPublication.county == county, WaterPublication.current.is_(True))
            .order_by(WaterPublication.quarter.desc())
        )
    )


def latest_publications() -> dict[str, WaterPublication]:
    """Each county's newest published quarter."""
    newest = (
        sa.select(WaterPublication.county, sa.func.max(WaterPublication.quarter).label("q"))
        .where(WaterPublication.current.is_(True))
        .group_by(WaterPublication.county)
        .subquery()
    )
    pubs = db.session.scalars(
        sa.select(WaterPublication)
        .join(
            newest,
            sa.and_(
                WaterPublication.county == newest.c.county,
                WaterPublication.quarter == newest.c.q,
            ),
        )
        .where(WaterPublication.current.is_(True))
    )
    return {p.county: p for p in pubs}


def sections() -> tuple[list[WaterSite], list[str], dict[tuple[int, str], WaterEvaluation]]:
    """River sections, the last 8 quarters published for them (newest first) and the
    latest evaluation per (section, quarter)."""
    sites = list(db.session.scalars(public_sites(stage="section")))
    ids = [s.id for s in sites]
    quarters = list(
        db.session.scalars(
            sa.select(WaterEvaluation.quarter)
            .where(WaterEvaluation.site_id.in_(ids), WaterEvaluation.current.is_(True))
            .distinct()
            .order_by(WaterEvaluation.quarter.desc())
            .limit(8)
        )
    )
    evals = db.session.scalars(
        sa.select(WaterEvaluation).where(
            WaterEvaluation.site_id.in_(ids),
            WaterEvaluation.quarter.in_(quarters),
            WaterEvaluation.current.is_(True),
            WaterEvaluation.latest_of_quarter.is_(True),
        )
    ).all()
    return sites, quarters, {(e.site_id, e.quarter): e for e in evals}


def search(query: str, limit: int) -> list[SearchHit]:
    from flask_babel import gettext as _

    from portal.core.i18n import localized

    pattern = like_pattern(query.strip())
    sites = db.session.scalars(
        public_sites()
        .where(
            sa.or_(
                WaterSite.code.ilike(pattern, escape="\\"),
                WaterSite.name_zh.like(pattern, escape="\\"),
                WaterSite.name_en.ilike(pattern, escape="\\"),
            )
        )
        .limit(limit)
    ).all()
    return [
        SearchHit(
            _("Water monitoring site"),
            localized(s.name_zh, s.name_en),
            f"/water/sites/{s.code}",
            s.code,
            None,
        )
        for s in sites
    ]


def sitemap_entries() -> list[tuple[str, Any]]:
    """Quarter reports (newest first) and site pages, for the sitemap."""
    pubs = db.session.execute(
        sa.select(WaterPublication.county, WaterPublication.quarter, WaterPublication.published_at)
        .where(WaterPublication.current.is_(True))
        .order_by(WaterPublication.published_at.desc())
    )
    out: list[tuple[str, Any]] = [(f"/water/quarters/{c}/{q}", at) for c, q, at in pubs]
    out += [(f"/water/sites/{s.code}", None) for s in db.session.scalars(public_sites())]
    return out
