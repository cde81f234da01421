"""The report statistics in the open-data catalog. Its columns are the CSV writer's own list
(queries.STAT_COLUMNS), so a column added there is described in the CSVW metadata at once."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask

from portal.data.registry import Dataset, Distribution, register_dataset

# Datatypes of the columns known today; a new column is text until it is given one here.
DATATYPES = {
    "received": "integer",
    "accepted": "integer",
    "not_accepted": "integer",
    "duplicate": "integer",
    "finished": "integer",
    "finished_on_time": "integer",
    "median_days_to_finish": "decimal",
    "disputed_share": "decimal",
}


def _columns():
    from portal.reports.queries import STAT_COLUMNS

    return STAT_COLUMNS


def _latest() -> dt.datetime | None:
    from portal.core.extensions import db
    from portal.reports.models import Report

    return db.session.scalar(sa.select(sa.func.max(Report.updated_at)))


def _period() -> tuple[dt.date | None, dt.date | None]:
    from portal.core.extensions import db
    from portal.reports.models import Report
    from portal.reports.workflow import china_date

    first, last = db.session.execute(
        sa.select(sa.func.min(Report.received_at), sa.func.max(Report.updated_at))
    ).one()
    return (china_date(first) if first else None, china_date(last) if last else None)


STATISTICS = Dataset(
    id="report-statistics",
    title_zh="12369 环境污染举报办理情况统计",
    title_en="12369 pollution reports: handling statistics",
    description_zh="按月份、类别、县（区）和渠道统计的举报受理、办结、按期办结和争议情况，"
    "由公开的办理事件日志计算。",
    description_en="Reports received, accepted, finished (on time) and disputed per month, "
    "category, county and channel, computed from the public event log.",
    keywords=("12369", "举报", "pollution reports", "statistics"),
    theme="GOVE",
    column_source=_columns,
    datatypes=DATATYPES,
    distributions=tuple(
        Distribution(fmt, "reports.stats_download", {"fmt": fmt}) for fmt in ("csv", "json")
    ),
    update_frequency="continuous",
    modified=_latest,
    temporal=_period,
)


def register(app: Flask) -> None:
    register_dataset(app, STATISTICS)
