"""Notices, their earlier versions, attachments and public comments (EIA comment periods)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.extensions import Model
from portal.core.models import TimestampMixin, UTCDateTime, intpk, str20, str64, str200, utcnow


class Category(StrEnum):
    """Category codes are the slugs used in URLs and feeds; the order is the filters'."""

    ANNOUNCEMENTS = "announcements"
    WATER_QUALITY = "water-quality"
    CARDS = "cards"
    INSPECTIONS = "inspections"
    CASES = "cases"
    REPORT_HANDLING = "report-handling"
    EIA = "eia"  # environmental impact assessment: these take public comments


CATEGORY_LABELS: dict[Category, Any] = {
    Category.ANNOUNCEMENTS: _l("Announcements"),
    Category.WATER_QUALITY: _l("Water quality"),
    Category.CARDS: _l("Red and yellow cards"),
    Category.INSPECTIONS: _l("Inspection results"),
    Category.CASES: _l("Violation cases"),
    Category.REPORT_HANDLING: _l("Report handling"),
    Category.EIA: _l("Environmental impact assessment"),
}


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # scheduled too, while published_at is still ahead
    WITHDRAWN = "withdrawn"  # keeps its address, which then shows the reason


class Language(StrEnum):
    """A notice's primary language: Chinese is the official text; English-only is rare."""

    ZH_HANS = "zh_Hans"
    EN = "en"


class CommentStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # spam or abuse, moderated away


def _in(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Notice(Model, TimestampMixin):
    __tablename__ = "notices"

    id: Mapped[intpk]
    category: Mapped[str20]
    county: Mapped[str20 | None]
    status: Mapped[str20] = mapped_column(default=NoticeStatus.DRAFT)
    language: Mapped[str20] = mapped_column(default=Language.ZH_HANS)
    title_zh: Mapped[str200] = mapped_column(default="")
    title_en: Mapped[str200 | None]
    summary_zh: Mapped[str] = mapped_column(sa.Text, default="")
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    body_zh: Mapped[str] = mapped_column(sa.Text, default="")
    body_en: Mapped[str | None] = mapped_column(sa.Text)
    # Lower-cased title, summary and body in both languages: the one column search scans.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    # A site path such as /water/quarters/mohe/2026Q3 when another module announced this.
    link: Mapped[str | None] = mapped_column(sa.String(500))
    # Stable key of the announcing record (e.g. water:quarter:mohe:2026Q3); re-announcing updates.
    source: Mapped[str200 | None] = mapped_column(unique=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(sa.String(254), default="system")
    # Future dates are scheduled notices: public queries require published_at <= now.
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Last public change (update or withdrawal); feeds' <updated> and Last-Modified.
    revised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    # End of the announced record's legal publication period (set by the announcing
    # feature): from then on every public query leaves the notice out, without a worker.
    public_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Scheduled for a future time: its publication (subscribers' mail) is still to be sent,
    # by the worker's sweep once the time has come (`publication.announce_due`).
    announcement_due: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # EIA public comment period: open from publication until comments_close_at.
    comments_close_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    response_zh: Mapped[str | None] = mapped_column(sa.Text)
    response_en: Mapped[str | None] = mapped_column(sa.Text)
    response_published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    versions: Mapped[list[NoticeVersion]] = relationship(
        back_populates="notice", order_by="NoticeVersion.version", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[NoticeAttachment]] = relationship(
        back_populates="notice", order_by="NoticeAttachment.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint(f"status in ({_in(NoticeStatus)})", name="status_known"),
        sa.CheckConstraint(f"category in ({_in(Category)})", name="category_known"),
        sa.CheckConstraint(f"language in ({_in(Language)})", name="language_known"),
        sa.Index("ix_notices_status_published_at", "status", "published_at"),
        # The unfiltered list, feeds and API walk this newest-first.
        sa.Index("ix_notices_published_at_id", "published_at", "id"),
        sa.Index("ix_notices_category_published_at", "category", "published_at"),
        sa.Index("ix_notices_county_published_at", "county", "published_at"),
        # Substring search (Chinese has no word breaks) uses trigrams on PostgreSQL;
        # SQLite scans the one lower-cased column.
        sa.Index(
            "ix_notices_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS[Category(self.category)])

    def is_public(self, now: dt.datetime | None = None) -> bool:
        """Published (or withdrawn after publication), not scheduled for later and not past
        the publication period of the record it announces."""
        now = now or utcnow()
        return (
            self.status in (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN)
            and self.published_at is not None
            and self.published_at <= now
            and (self.public_until is None or self.public_until > now)
        )

    @property
    def is_scheduled(self) -> bool:
        return self.status == NoticeStatus.PUBLISHED and bool(
            self.published_at and self.published_at > utcnow()
        )

    @property
    def is_withdrawn(self) -> bool:
        return self.status == NoticeStatus.WITHDRAWN

    @property
    def has_comment_period(self) -> bool:
        return self.category == Category.EIA and self.comments_close_at is not None

    def comments_open(self, now: dt.datetime | None = None) -> bool:
        now = now or utcnow()
        return (
            self.has_comment_period
            and self.status == NoticeStatus.PUBLISHED
            and self.is_public(now)
            and now < self.comments_close_at  # type: ignore[operator]
        )

    def comments_closed(self, now: dt.datetime | None = None) -> bool:
        now = now or utcnow()
        return self.has_comment_period and now >= self.comments_close_at  # type: ignore[operator]

    @property
    def last_modified(self) -> dt.datetime | None:
        return self.revised_at or self.published_at

    def refresh_search_text(self) -> None:
        parts: tuple[str | None, ...] = (self.title_zh, self.title_en)
        parts += (self.summary_zh, self.summary_en, self.body_zh, self.body_en)
        self.search_text = "\n".join(p for p in parts if p).lower()


@sa.event.listens_for(Notice.__table__, "before_create")
def _trigram_extension(target: sa.Table, connection: sa.Connection, **_: Any) -> None:
    # The migration must do the same before creating ix_notices_search_text_trgm.
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class NoticeVersion(Model):
    """The text a notice had before an update, and why it changed (history is kept)."""

    __tablename__ = "notice_versions"

    id: Mapped[intpk]
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"), index=True)
    version: Mapped[int]  # the version number this text had
    title_zh: Mapped[str200]
    title_en: Mapped[str200 | None]
    summary_zh: Mapped[str] = mapped_column(sa.Text)
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    body_zh: Mapped[str] = mapped_column(sa.Text)
    body_en: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # When it was replaced, and the public reason given for the replacement.
    replaced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    notice: Mapped[Notice] = relationship(back_populates="versions")

    __table_args__ = (sa.UniqueConstraint("notice_id", "version"),)


class NoticeAttachment(Model):
    __tablename__ = "notice_attachments"

    id: Mapped[intpk]
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"), index=True)
    filename: Mapped[str200]  # as shown and offered for download
    stored_name: Mapped[str64] = mapped_column(unique=True)  # random, under UPLOAD_DIR/notices
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str64]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    notice: Mapped[Notice] = relationship(back_populates="attachments")


class NoticeComment(Model):
    """A member of the public's comment on an EIA notice. Name and contact are personal
    data: shown only to publishers on the moderation page, never in public output or logs."""

    __tablename__ = "notice_comments"

    id: Mapped[intpk]
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    name: Mapped[str | None] = mapped_column(sa.String(100))
    contact: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[str20] = mapped_column(default=CommentStatus.PENDING)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    moderated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    moderated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.CheckConstraint(f"status in ({_in(CommentStatus)})", name="status_known"),
        sa.Index("ix_notice_comments_notice_id_status", "notice_id", "status"),
    )
