"""The monthly 12369 bulletin: a draft notice summarising last month's reports.

Shaped like the national monthly bulletins on 12369 reports (received by channel, category
and county; handling, the on-time rate and what is overdue; a few typical handled cases).
The daily ``reports close-due`` job drafts it on the first day of a month (or at its
first run after a missed 1st); a publisher
reviews and publishes it through the notices admin.  One draft per month: the notice's
unique ``source`` is ``reports:bulletin:YYYY-MM``.  Figures come from the verified event
log (:func:`portal.reports.queries.figures`); with a log failing verification no bulletin
is drafted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from portal.core import counties
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.notices import service as notices
from portal.notices.models import Category as NoticeCategory
from portal.notices.models import Language, Notice
from portal.reports import queries, stats
from portal.reports.models import CATEGORY_LABELS, CHANNEL_LABELS, Report, ReportSummary
from portal.reports.workflow import china_date, china_day_end

CASES_SHOWN = 3


def source_for(month: str) -> str:
    return f"reports:bulletin:{month}"


def previous_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


def draft_due(now: dt.datetime | None = None) -> Notice | None:
    """Draft last month's bulletin unless it exists: on the 1st, or at the first run after a
    missed 1st (the daily job calls this every day; it is idempotent)."""
    return draft_for(previous_month(china_date(now or utcnow())))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _change(value: float | None, zh: bool) -> str:
    if value is None:
        return "无可比数据" if zh else "no comparable figure"
    word = ("上升" if value >= 0 else "下降") if zh else ("up" if value >= 0 else "down")
    return f"{word} {abs(value) * 100:.1f}%"


def _label(labels: Mapping[Any, object], code: str, locale: str) -> str:
    with force_locale(locale):
        return str(labels.get(code, code))


def _county(code: str, zh: bool) -> str:
    county = counties.get(code)
    if county is None:
        return code
    return county.name_zh if zh else county.name_en


def _cases(month: str) -> list[ReportSummary]:
    year, mon = int(month[:4]), int(month[5:])
    start = china_day_end(dt.date(year, mon, 1) - dt.timedelta(days=1))
    nxt = dt.date(year + mon // 12, mon % 12 + 1, 1)
    end = china_day_end(nxt - dt.timedelta(days=1))
    query = (
        sa.select(ReportSummary)
        .join(Report)
        .where(ReportSummary.published_at >= start, ReportSummary.published_at < end)
        .order_by(ReportSummary.published_at, ReportSummary.id)
        .limit(CASES_SHOWN)
    )
    return list(db.session.scalars(query))


def _lines(rows: list[stats.Row], dim: str, labels: list[str], zh: bool) -> list[str]:
    out = []
    for row, label in zip(rows, labels, strict=True):
        if zh:
            out.append(f"- {label}：{row.received} 件")
        else:
            out.append(f"- {label}: {row.received}")
    return out or (["- 无" if zh else "- none"])


def _body(month: str, rows: list[stats.Row], cases: list[ReportSummary], zh: bool) -> str:
    def pick(dim: str) -> list[stats.Row]:
        others = [d for d in stats.DIMENSIONS if d not in ("month", dim)]
        return [
            r
            for r in rows
            if r.month == month
            and getattr(r, dim) is not None
            and all(getattr(r, o) is None for o in others)
            and r.received
        ]

    total = next(
        (
            r
            for r in rows
            if r.month == month and r.category is None and r.county is None and r.channel is None
        ),
        None,
    ) or stats.Row(month, None, None, None, 0, 0, 0, 0, 0, 0, None, None)
    # Region-wide open past a limit today: the month rows' overdue_open summed (the queue).
    open_now = sum(
        r.overdue_open
        for r in rows
        if r.month and r.category is None and r.county is None and r.channel is None
    )
    locale = "zh_Hans" if zh else "en"
    by_channel = pick("channel")
    by_category = pick("category")
    by_county = pick("county")
    parts: list[str] = []
    if zh:
        parts += [
            "## 一、举报受理情况",
            f"{month[:4]}年{int(month[5:])}月，全区共接到生态环境举报 {total.received} 件，"
            f"环比{_change(total.received_mom, True)}，同比{_change(total.received_yoy, True)}。",
            "按举报渠道：",
            *_lines(
                by_channel,
                "channel",
                [_label(CHANNEL_LABELS, r.channel or "", locale) for r in by_channel],
                True,
            ),
            "按污染类型：",
            *_lines(
                by_category,
                "category",
                [_label(CATEGORY_LABELS, r.category or "", locale) for r in by_category],
                True,
            ),
            "按县（区）：",
            *_lines(by_county, "county", [_county(r.county or "", True) for r in by_county], True),
            "## 二、办理情况",
            f"本月受理 {total.accepted} 件，不予受理 {total.not_accepted} 件，"
            f"重复举报合并 {total.duplicate} 件，办结 {total.finished} 件。",
            f"本月办理时限到期（或已办结）的举报 {total.deadline_passed} 件，"
            f"其中在全部时限内办结 {total.deadline_met} 件，"
            f"按期办结率 {_pct(total.on_time_rate)}。",
            f"本月到期的时限中，截至本通报起草时仍逾期未办 {total.overdue_open} 件"
            f"（逾期未受理 {total.overdue_accept_open} 件，"
            f"逾期未办结 {total.overdue_finish_open} 件）；"
            f"全区目前逾期未办共 {open_now} 件。",
            "## 三、典型案例",
        ]
        parts += [f"### {c.title_zh}\n\n{c.summary_zh}" for c in cases] or [
            "本月无已公开的办理案例。"
        ]
        parts.append(
            "数据来源：本平台公开的举报办理事件日志（/reports/events.jsonl），"
            "任何人可下载复核；统计口径见 /reports/stats。"
        )
    else:
        parts += [
            "## 1. Reports received",
            f"In {month}, {total.received} environmental reports were received across the "
            f"region, {_change(total.received_mom, False)} on the month before and "
            f"{_change(total.received_yoy, False)} on the same month a year before.",
            "By channel:",
            *_lines(
                by_channel,
                "channel",
                [_label(CHANNEL_LABELS, r.channel or "", locale) for r in by_channel],
                False,
            ),
            "By kind of pollution:",
            *_lines(
                by_category,
                "category",
                [_label(CATEGORY_LABELS, r.category or "", locale) for r in by_category],
                False,
            ),
            "By county:",
            *_lines(
                by_county, "county", [_county(r.county or "", False) for r in by_county], False
            ),
            "## 2. Handling",
            f"Accepted {total.accepted}, not accepted {total.not_accepted}, merged as "
            f"duplicates {total.duplicate}, finished {total.finished}.",
            f"Reports whose time limit came (or that were finished) this month: "
            f"{total.deadline_passed}; finished within every limit: {total.deadline_met}; "
            f"on-time rate {_pct(total.on_time_rate)}.",
            f"Of the limits that fell due this month, {total.overdue_open} reports were still "
            f"open past them when this bulletin was drafted ({total.overdue_accept_open} "
            f"awaiting acceptance, {total.overdue_finish_open} unfinished); region-wide "
            f"{open_now} reports are open past a limit.",
            "## 3. Typical cases",
        ]
        parts += [
            f"### {c.title_en or c.title_zh}\n\n{c.summary_en or c.summary_zh}" for c in cases
        ] or ["No handled case was published this month."]
        parts.append(
            "Source: the portal's public event log of report handling (/reports/events.jsonl), "
            "which anyone can download and recompute; definitions at /reports/stats."
        )
    return "\n\n".join(parts)


def draft_for(month: str) -> Notice | None:
    """Draft the bulletin for ``month`` (YYYY-MM); None if it exists or the log is withheld."""
    source = source_for(month)
    if db.session.scalar(sa.select(Notice.id).where(Notice.source == source)) is not None:
        return None
    made = queries.figures()
    if made.rows is None:
        return None
    cases = _cases(month)
    year, mon = month[:4], int(month[5:])
    data = notices.NoticeData(
        category=NoticeCategory.REPORT_HANDLING,
        county=None,
        language=Language.ZH_HANS,
        title_zh=f"大兴安岭地区{year}年{mon}月12369环保举报办理情况",
        title_en=f"Daxing'anling 12369 environmental reports, {month}: how they were handled",
        summary_zh=f"{year}年{mon}月全区生态环境举报的受理、办理、按期办结和逾期情况及典型案例。",
        summary_en=f"Reports received and handled in {month}: on-time rate, overdue reports and "
        "typical cases.",
        body_zh=_body(month, made.rows, cases, True),
        body_en=_body(month, made.rows, cases, False),
    )
    try:
        return notices.create_draft(data, source=source)
    except IntegrityError:
        db.session.rollback()  # drafted concurrently: one draft per month
        return None
