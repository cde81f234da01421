"""Read-side helpers for public pages: the tracking view, statistics, published summaries.

Nothing here touches ``report_contacts``: public output is built from reports, notes marked
public, the event log and published summaries only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination

from portal.core.downloads import Column
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.pagecache import per_version
from portal.core.pagination import paginate
from portal.reports import eventlog, integrity, service, stats
from portal.reports.models import ACTION_LABELS, Report, ReportSummary
from portal.reports.workflow import Action, OverdueKind, State

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    label: str
    note: str


@dataclass(frozen=True)
class TrackingView:
    state: State
    timeline: list[TimelineEntry]
    deadlines: Any
    overdue: OverdueKind | None
    snapshot: Any
    reveal_dates: list[dt.date]
    can_rate: bool


def tracking_view(report: Report) -> TrackingView:
    snap = service.snapshot(report)
    timeline = [
        TimelineEntry(
            n.at,
            str(ACTION_LABELS[Action(n.action)])
            if n.action != "received"
            else _("Report received"),
            n.public_note,
        )
        for n in report.notes
    ]
    return TrackingView(
        state=snap.state,
        timeline=timeline,
        deadlines=service.deadlines(report),
        overdue=service.overdue(report),
        snapshot=snap,
        reveal_dates=service.reveal_dates(report),
        can_rate=snap.state is State.FINISHED,
    )


# ---------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------

STAT_COLUMNS = [
    Column("month", _l("Month")),
    Column("category", _l("Category")),
    Column("county", _l("County")),
    Column("channel", _l("Channel")),
    Column("received", _l("Received")),
    Column("accepted", _l("Accepted")),
    Column("not_accepted", _l("Not accepted")),
    Column("duplicate", _l("Duplicates")),
    Column("finished", _l("Finished")),
    Column("finished_on_time", _l("Finished on time")),
    Column("median_days_to_finish", _l("Median days to finish")),
    Column("disputed_share", _l("Disputed share")),
    Column("mean_days_to_finish", _l("Mean days to finish")),
    Column("mean_days_to_accept", _l("Mean days to accept")),
    Column("median_days_to_accept", _l("Median days to accept")),
    Column("overdue_accept_open", _l("Open past the acceptance limit")),
    Column("overdue_finish_open", _l("Open past the finishing limit")),
    Column("overdue_open", _l("Open past a limit")),
    Column("deadline_passed", _l("Limit reached")),
    Column("deadline_met", _l("Finished within every limit")),
    Column("on_time_rate", _l("On-time rate")),
    Column("received_mom", _l("Received, change on previous month")),
    Column("received_yoy", _l("Received, change on a year before")),
]

CHART_WIDTH = 640
CHART_HEIGHT = 240


# The figures are a pure function of the append-only log, so they are recomputed (and the
# log verified and anchored) only when its head moves: the home and statistics pages then
# cost the same with 100 reports or 100,000.  The cache lives on the app, so a process
# started on a copy of the database verifies that copy.
@dataclass(frozen=True)
class Figures:
    check: integrity.LogCheck
    rows: list[stats.Row] | None  # None: withheld, the log failed verification


def figures() -> Figures:
    """Statistics rows from the verified log, after appending any deadline events owed."""
    service.flag_missed_deadlines()
    head = service.event_head()
    cache: dict[str, Figures] = current_app.extensions.setdefault("report_figures", {})
    hit = cache.get(head)
    if hit is not None:
        return hit
    stored = integrity.stored()
    result = integrity.verify_log(stored)
    rows = None
    if result.ok:
        rows = stats.compute(eventlog.events_from_lines([r.line for r in stored]))
        integrity.anchor(result)
    else:
        log.error("report statistics withheld: %s", integrity.describe(result))
    made = Figures(result, rows)
    cache.clear()
    cache[head] = made
    return made


def _chart(months: list[stats.Row]) -> dict[str, Any]:
    """Geometry of a grouped bar chart (received vs finished per month), drawn as SVG."""
    recent = months[-12:]
    top = max([max(r.received, r.finished) for r in recent] + [1])
    left, bottom, plot_h = 40, 30, CHART_HEIGHT - 50
    slot = (CHART_WIDTH - left - 10) / max(len(recent), 1)
    bar = max(slot / 2 - 4, 2)
    bars = []
    for i, r in enumerate(recent):
        x = left + i * slot + 2
        for j, (value, kind) in enumerate(((r.received, "received"), (r.finished, "finished"))):
            h = plot_h * value / top
            bars.append(
                {
                    "x": round(x + j * (bar + 2), 1),
                    "y": round(CHART_HEIGHT - bottom - h, 1),
                    "w": round(bar, 1),
                    "h": round(h, 1),
                    "kind": kind,
                    "value": value,
                    "month": r.month,
                }
            )
    ticks = sorted({0, top // 2, top})
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bars": bars,
        "labels": [
            {"x": round(left + i * slot + slot / 2, 1), "text": (r.month or "")[2:]}
            for i, r in enumerate(recent)
        ],
        "ticks": [
            {"y": round(CHART_HEIGHT - bottom - plot_h * t / top, 1), "value": t} for t in ticks
        ],
        "axis_y": CHART_HEIGHT - bottom,
        "left": left,
    }


def _only(rows: list[stats.Row], keep: str) -> list[stats.Row]:
    others = [d for d in stats.DIMENSIONS if d != keep]
    return [
        r
        for r in rows
        if getattr(r, keep) is not None and all(getattr(r, o) is None for o in others)
    ]


def _total(rows: list[stats.Row]) -> stats.Row | None:
    return next((r for r in rows if all(getattr(r, d) is None for d in stats.DIMENSIONS)), None)


def statistics(args: Any) -> dict[str, Any]:
    made = figures()
    base = {"head": made.check.head, "line_count": made.check.count, "withheld": False}
    if made.rows is None:
        return {**base, "withheld": True, "download_rows": None}
    rows = made.rows
    months = _only(rows, "month")
    return {
        **base,
        "total": _total(rows),
        "months": months,
        "by_category": _only(rows, "category"),
        "by_county": _only(rows, "county"),
        "by_channel": _only(rows, "channel"),
        "chart": _chart(months),
        "download_rows": [r.as_dict() for r in rows],
    }


def home_figures() -> dict[str, Any]:
    made = figures()
    if made.rows is None:
        return {"withheld": True, "total": None, "open": 0}
    return {"withheld": False, "total": _total(made.rows), "open": _open_count()}


@per_version
def _open_count() -> int:
    """A count over every report: once per publication version, not per home page render."""
    open_count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Report)
        .where(
            Report.state.not_in([State.FINISHED, State.CLOSED, State.NOT_ACCEPTED, State.DUPLICATE])
        )
    )
    return int(open_count or 0)


# ---------------------------------------------------------------------------------------
# Published summaries
# ---------------------------------------------------------------------------------------


def published_summary(case: str) -> ReportSummary | None:
    return db.session.scalar(
        sa.select(ReportSummary)
        .join(Report)
        .where(Report.case == case, ReportSummary.published_at <= utcnow())
    )


def summaries_page() -> Pagination:
    return paginate(
        sa.select(ReportSummary).order_by(
            ReportSummary.published_at.desc(), ReportSummary.id.desc()
        )
    )


def sitemap_entries() -> list[tuple[str, Any]]:
    """The public report pages: the form, the statistics and every published case summary."""
    from portal.search.registry import template_lastmod

    latest_change = db.session.scalar(sa.select(sa.func.max(Report.updated_at)))
    summaries = db.session.execute(
        sa.select(Report.case, ReportSummary.updated_at)
        .join(ReportSummary.report)
        .where(ReportSummary.published_at <= utcnow())
        .order_by(ReportSummary.published_at.desc())
    ).all()
    out: list[tuple[str, Any]] = [
        ("/reports/new", template_lastmod("reports/new.html")),
        ("/reports/stats", latest_change or template_lastmod("reports/stats.html")),
        (
            "/reports/cases/",
            max((at for _c, at in summaries), default=None)
            or template_lastmod("reports/cases.html"),
        ),
    ]
    out += [(f"/reports/cases/{case}", at) for case, at in summaries]
    return out


def next_change(now: dt.datetime) -> dt.datetime | None:
    """The page cache's next time-driven change for reports: a summary scheduled for later,
    or midnight CST, when deadlines (and so overdue figures) move."""
    from portal.core.pagecache import next_china_midnight

    scheduled = db.session.scalar(
        sa.select(sa.func.min(ReportSummary.published_at)).where(ReportSummary.published_at > now)
    )
    midnight = next_china_midnight(now)
    if scheduled is not None:
        scheduled = scheduled if scheduled.tzinfo else scheduled.replace(tzinfo=dt.UTC)
        return min(scheduled, midnight)
    return midnight
