"""Warnings' read side: the banner's one query, the public lists, the time-driven changes the
page cache must know about, search and sitemap."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import abort, g
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from portal.alerts.models import Alert, AlertMessage, AlertStatus, Level
from portal.core.extensions import db
from portal.core.i18n import localized
from portal.search.registry import SITEMAP_MAX_URLS, SearchHit, like_pattern, template_lastmod

SEVERITY_ORDER: dict[str, int] = {level: rank for rank, level in enumerate(reversed(list(Level)))}


def in_force(now: dt.datetime | None = None) -> list[Alert]:
    """Warnings not lifted, most severe first, then newest. One query on the status index.

    Published warnings are public at once, also when their effective time is still ahead
    (people need to know that the water will be unsafe from 14:00 before 14:00); the banner
    then says from when. A warning never ends by itself at its expected end: only a lift
    (解除) ends it, as China's emergency warnings require; past the expected end the page
    says that the warning is still in force until lifted. So the banner is a pure function
    of the database and of the clock, the clock mattering only at `next_change()`.
    """
    rows = list(db.session.scalars(sa.select(Alert).where(Alert.status == AlertStatus.ACTIVE)))
    rows.sort(key=lambda a: (SEVERITY_ORDER.get(a.level, 9), -a.published_at.timestamp(), -a.id))
    return rows


def banner_alerts() -> list[Alert]:
    """`in_force()` once per request, for the banner on every page and the place notes."""
    if "alerts_in_force" not in g:
        # Already answering an error (the 503 page of a database outage): render it without
        # the banner. Otherwise a failed read fails the page: a page must never claim "no
        # warning" (and be cached so) because the warnings could not be read.
        answering_an_error = sys.exc_info()[0] is not None
        try:
            g.alerts_in_force = in_force()
        except SQLAlchemyError:
            if not answering_an_error:
                raise
            with contextlib.suppress(Exception):
                db.session.rollback()
            return []
    return g.alerts_in_force


def for_place(county: str | None = None, site: str | None = None) -> list[Alert]:
    """Warnings in force that name this county, or this site (or the site's county)."""
    return [
        a
        for a in banner_alerts()
        if (county and county in a.county_codes) or (site and site in a.site_codes)
    ]


def next_change(now: dt.datetime) -> dt.datetime | None:
    """The next moment at which public output changes by time alone: a warning's effective
    time or expected end still ahead (the wording of the banner and pages changes then).
    Publication, update and lift change the database, not the clock, and are not included."""
    starts = sa.select(sa.func.min(Alert.effective_from)).where(
        Alert.status == AlertStatus.ACTIVE, Alert.effective_from > now
    )
    ends = sa.select(sa.func.min(Alert.expected_end)).where(
        Alert.status == AlertStatus.ACTIVE, Alert.expected_end > now
    )
    row = db.session.execute(sa.select(starts.scalar_subquery(), ends.scalar_subquery())).one()
    moments = [m for m in row if m is not None]
    if not moments:
        return None
    # SQLite hands back naive values from aggregate subqueries: they are UTC.
    return min(m if m.tzinfo else m.replace(tzinfo=dt.UTC) for m in moments)


def public_list(limit: int | None = 200) -> tuple[list[Alert], list[Alert]]:
    """(in force, lifted newest first) for /alerts/ and the feeds (the newest `limit`
    lifted ones); the API pages through all of them (`limit=None`)."""
    query = (
        sa.select(Alert)
        .where(Alert.status != AlertStatus.ACTIVE)
        .order_by(Alert.lifted_at.desc(), Alert.id.desc())
    )
    past = list(db.session.scalars(query if limit is None else query.limit(limit)))
    return in_force(), past


def alert_or_404(alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        abort(404)
    return alert


def message_or_404(alert_id: int, version: int) -> AlertMessage:
    message = db.session.scalar(
        sa.select(AlertMessage).where(
            AlertMessage.alert_id == alert_id, AlertMessage.version == version
        )
    )
    if message is None:
        abort(404)
    return message


def recent(limit: int = 50) -> list[Alert]:
    """In force and past, newest change first (feeds, API)."""
    return list(
        db.session.scalars(
            sa.select(Alert).order_by(Alert.revised_at.desc(), Alert.id.desc()).limit(limit)
        )
    )


def search(query: str, limit: int) -> list[SearchHit]:
    pattern = like_pattern(query.strip().lower())
    columns = (Alert.headline_zh, Alert.headline_en, Alert.instruction_zh, Alert.instruction_en)
    rows = db.session.scalars(
        sa.select(Alert)
        .where(sa.or_(*(sa.func.lower(c).like(pattern, escape="\\") for c in columns)))
        .order_by(Alert.published_at.desc(), Alert.id.desc())
        .limit(limit)
    )
    hits = []
    for alert in rows:
        title = localized(alert.headline_zh, alert.headline_en)
        if alert.is_lifted:
            title = _("[Lifted] %(title)s", title=title)
        hits.append(
            SearchHit(
                kind_label=_("Warning") + " · " + alert.level_label,
                title=title,
                url=f"/alerts/{alert.id}",
                summary=localized(alert.instruction_zh, alert.instruction_en)[:160],
                date=alert.published_at,
            )
        )
    return hits


def sitemap_entries() -> Iterator[tuple[str, Any]]:
    rows = db.session.execute(
        sa.select(Alert.id, Alert.revised_at).order_by(Alert.id.desc()).limit(SITEMAP_MAX_URLS - 1)
    ).all()
    # The list changes whenever a warning does; with none yet, it is as old as its template.
    newest = max((at for _id, at in rows), default=None) or template_lastmod("alerts/index.html")
    yield "/alerts/", newest
    for alert_id, revised_at in rows:
        yield f"/alerts/{alert_id}", revised_at
