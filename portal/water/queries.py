"""Public reads: only what a current publication contains is ever returned."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer, undefer

from portal.core.extensions import db
from portal.search.registry import SearchHit, like_pattern
from portal.water import snapshot
from portal.water.evaluate import Stage
from portal.water.models import WaterEvaluation, WaterPublication, WaterSite, WaterSupplyLink
from portal.water.overdue import next_change  # noqa: F401  (the page cache's interface)
from portal.water.snapshot import PublishedSite


def _is_public() -> sa.Exists:
    """The site has a published sample (uses the (site_id, current, …) index)."""
    return (
        sa.exists()
        .where(WaterEvaluation.site_id == WaterSite.id, WaterEvaluation.current.is_(True))
        .correlate(WaterSite)
    )


def public_site(code: str) -> PublishedSite | None:
    """The site as its newest publication shows it; None when nothing is published."""
    site = db.session.scalar(sa.select(WaterSite).where(WaterSite.code == code))
    if site is None:
        return None
    return published_details([site]).get(site.id)


def published_details(sites: list[WaterSite]) -> dict[int, PublishedSite]:
    """Each published site of ``sites`` as the newest publication containing it shows it."""
    if not sites:
        return {}
    newest = dict(
        db.session.execute(
            sa.select(WaterEvaluation.site_id, sa.func.max(WaterEvaluation.publication_id))
            .where(
                WaterEvaluation.site_id.in_([s.id for s in sites]),
                WaterEvaluation.current.is_(True),
            )
            .group_by(WaterEvaluation.site_id)
        ).all()
    )
    snapshots: dict[int, dict[str, Any]] = dict(
        db.session.execute(
            sa.select(WaterPublication.id, WaterPublication.sites).where(
                WaterPublication.id.in_(set(newest.values()))
            )
        ).all()
    )
    return {
        s.id: snapshot.view(s, (snapshots.get(newest[s.id]) or {}).get(s.code))
        for s in sites
        if s.id in newest
    }


def published_list(sites: list[WaterSite]) -> list[PublishedSite]:
    details = published_details(sites)
    return [details[s.id] for s in sites if s.id in details]


def public_sites(county: str | None = None, stage: str | None = None) -> sa.Select[Any]:
    q = sa.select(WaterSite).where(_is_public())
    if county:
        q = q.where(WaterSite.county == county)
    if stage:
        q = q.where(WaterSite.stage == stage)
    return q.order_by(WaterSite.county, WaterSite.stage, WaterSite.code)


Chain = tuple[list[PublishedSite], list[PublishedSite]]


def chain(site: WaterSite | PublishedSite) -> Chain:
    """(supplied by, supplies): public neighbours only, as published."""
    return chains([site.id])[site.id]


def chains(site_ids: list[int]) -> dict[int, Chain]:
    """chain() for a whole page of sites in a fixed number of queries (not two per site)."""
    up, down = upstreams(site_ids), _neighbours(site_ids, downstream=True)
    return {i: (up.get(i, []), down.get(i, [])) for i in site_ids}


def upstreams(site_ids: list[int]) -> dict[int, list[PublishedSite]]:
    """The public sites supplying each of ``site_ids``, as published."""
    return _neighbours(site_ids, downstream=False)


def _neighbours(site_ids: list[int], *, downstream: bool) -> dict[int, list[PublishedSite]]:
    """For each of ``site_ids`` the public sites it supplies (or is supplied by), as
    published, in two queries whatever the number of sites."""
    link = WaterSupplyLink
    mine, theirs = (
        (link.upstream_id, link.site_id) if downstream else (link.site_id, link.upstream_id)
    )
    pairs = list(
        db.session.execute(
            sa.select(mine, WaterSite)
            .join(WaterSite, theirs == WaterSite.id)
            .where(mine.in_(site_ids), _is_public())
            .order_by(WaterSite.code)
        )
    )
    details = published_details(list({other.id: other for _, other in pairs}.values()))
    out: dict[int, list[PublishedSite]] = {}
    for site_id, other in pairs:
        if other.id in details:
            out.setdefault(site_id, []).append(details[other.id])
    return out


def site_evaluations(
    site: WaterSite | PublishedSite, *, with_result: bool = False
) -> sa.Select[Any]:
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
) -> list[tuple[WaterEvaluation, PublishedSite]]:
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
    shown = [(e, snapshot.view(site, pub.sites.get(site.code))) for e, site in rows]
    order: tuple[str, ...] = tuple(Stage)  # supply order
    return sorted(shown, key=lambda r: (order.index(r[1].stage), r[1].code))


def publication_rows(pub: WaterPublication) -> list[tuple[WaterEvaluation, PublishedSite]]:
    """Every sample of the publication, by site code then time."""
    return [
        (e, snapshot.view(site, pub.sites.get(site.code)))
        for e, site in db.session.execute(
            sa.select(WaterEvaluation, WaterSite)
            .join(WaterSite, WaterSite.id == WaterEvaluation.site_id)
            .options(undefer(WaterEvaluation.result))
            .where(WaterEvaluation.publication_id == pub.id)
            .order_by(WaterSite.code, WaterEvaluation.sampled_at)
        )
    ]


def sample_site(e: WaterEvaluation) -> PublishedSite:
    """The site of a published sample as that publication shows it."""
    return snapshot.view(e.site, e.publication.sites.get(e.site.code))


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


def sampling_dates(pubs: list[WaterPublication]) -> dict[int, dict[str, Any]]:
    """Per publication and stage: the newest sampling time among the sites' latest samples
    (a verdict is always shown with its quarter and when it was sampled)."""
    out: dict[int, dict[str, Any]] = {p.id: {} for p in pubs}
    if not pubs:
        return out
    for pub_id, stage, at in db.session.execute(
        sa.select(
            WaterEvaluation.publication_id, WaterSite.stage, sa.func.max(WaterEvaluation.sampled_at)
        )
        .join(WaterSite, WaterSite.id == WaterEvaluation.site_id)
        .where(
            WaterEvaluation.publication_id.in_([p.id for p in pubs]),
            WaterEvaluation.latest_of_quarter.is_(True),
        )
        .group_by(WaterEvaluation.publication_id, WaterSite.stage)
    ):
        out[pub_id][stage] = at
    return out


def sections() -> tuple[list[PublishedSite], list[str], dict[tuple[int, str], WaterEvaluation]]:
    """River sections, the last 8 quarters published for them (newest first) and the
    latest evaluation per (section, quarter)."""
    sites = published_list(list(db.session.scalars(public_sites(stage=Stage.SECTION))))
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

    from portal.core.i18n import china_date, localized

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
    sites = published_list(list(sites))
    newest = _newest_evaluations([s.id for s in sites])

    def summary(site: PublishedSite) -> str:
        e = newest.get(site.id)
        if e is None:
            return site.code
        verdicts: dict[bool | None, str] = {
            True: _("Meets the standard"),
            False: _("Does not meet the standard"),
        }
        verdict = verdicts.get(e.compliant, _("Inconclusive"))
        # A verdict always names its quarter and sampling date.
        return _(
            "%(code)s · latest published sample: %(verdict)s (%(year)s Q%(n)s, sampled %(date)s)",
            code=site.code,
            verdict=verdict,
            year=e.quarter[:4],
            n=e.quarter[-1],
            date=china_date(e.sampled_at),
        )

    return [
        SearchHit(
            _("Water monitoring site"),
            localized(s.name_zh, s.name_en),
            f"/water/sites/{s.code}",
            summary(s),
            newest[s.id].sampled_at if s.id in newest else None,
        )
        for s in sites
    ]


def _newest_evaluations(site_ids: list[int]) -> dict[int, WaterEvaluation]:
    if not site_ids:
        return {}
    newest = (
        sa.select(WaterEvaluation.site_id, sa.func.max(WaterEvaluation.sampled_at).label("at"))
        .where(WaterEvaluation.site_id.in_(site_ids), WaterEvaluation.current.is_(True))
        .group_by(WaterEvaluation.site_id)
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(WaterEvaluation)
        .join(
            newest,
            sa.and_(
                WaterEvaluation.site_id == newest.c.site_id,
                WaterEvaluation.sampled_at == newest.c.at,
            ),
        )
        .where(WaterEvaluation.current.is_(True))
    )
    return {e.site_id: e for e in rows}


def sitemap_entries() -> list[tuple[str, Any]]:
    """Quarter reports (newest first) and site pages, for the sitemap."""
    result = db.session.execute(
        sa.select(WaterPublication.county, WaterPublication.quarter, WaterPublication.published_at)
        .where(WaterPublication.current.is_(True))
        .order_by(WaterPublication.published_at.desc())
    )
    from portal.core.counties import codes
    from portal.search.registry import template_lastmod

    pubs = list(result)
    by_county: dict[str, Any] = {}
    for c, _q, at in pubs:
        by_county[c] = max(at, by_county.get(c, at))
    newest = max(by_county.values(), default=None) or template_lastmod("water/index.html")
    out: list[tuple[str, Any]] = [("/water/", newest), ("/water/sections", newest)]
    out += [
        (f"/water/counties/{c}", by_county.get(c) or template_lastmod("water/county.html"))
        for c in codes()
    ]
    out += [(f"/water/quarters/{c}/{q}", at) for c, q, at in pubs]
    out += [
        (f"/water/sites/{s.code}", by_county.get(s.county, newest))
        for s in db.session.scalars(public_sites())
    ]
    return out
