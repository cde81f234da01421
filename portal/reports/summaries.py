"""Write side of published case summaries: a handler's redacted account of a handled
report, published (or corrected) under report handling and announced as a notice."""

from __future__ import annotations

import sqlalchemy as sa

from portal.core import audit
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.problems import Refusal
from portal.reports.models import Report, ReportSummary
from portal.reports.workflow import State


def publish_summary(
    report: Report,
    *,
    title_zh: str,
    summary_zh: str,
    title_en: str | None = None,
    summary_en: str | None = None,
) -> ReportSummary:
    """Publish (or correct) the redacted summary of a handled report and announce it; a
    report not handled yet is refused (``summary_before_handling``)."""
    if report.state not in (State.FINISHED, State.CLOSED, State.NOT_ACCEPTED):
        raise Refusal("summary_before_handling")
    now = utcnow()
    summary = db.session.scalar(
        sa.select(ReportSummary).where(ReportSummary.report_id == report.id)
    )
    created = summary is None
    if summary is None:
        summary = ReportSummary(report_id=report.id, published_at=now)
        db.session.add(summary)
    summary.title_zh, summary.summary_zh = title_zh.strip(), summary_zh.strip()
    summary.title_en = (title_en or "").strip() or None
    summary.summary_en = (summary_en or "").strip() or None
    summary.updated_at = now
    db.session.flush()
    try:
        _announce(report, summary, None if created else "更正案例摘要")
        audit.record(
            "publish" if created else "update",
            "report_summary",
            report.case,
            after={"title_zh": summary.title_zh},
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return summary


def _announce(report: Report, summary: ReportSummary, correction: str | None) -> None:
    from portal.notices.announce import announce
    from portal.notices.models import Category

    announce(
        Category.REPORT_HANDLING,
        summary.title_zh,
        summary.summary_zh,
        f"/reports/cases/{report.case}",
        county=report.county,
        source=f"reports:{report.case}",
        title_en=summary.title_en,
        summary_en=summary.summary_en,
        published_at=summary.published_at,
        reason=correction,
    )
