"""Notice workflow: draft, publish (now or scheduled), update with a kept history, withdraw,
attachments and EIA comment periods. Each public function commits once and audits each step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from portal.core import audit
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.permissions import current_actor, require_county
from portal.notices import attachments as files
from portal.notices.models import (
    CommentStatus,
    Notice,
    NoticeAttachment,
    NoticeComment,
    NoticeStatus,
    NoticeVersion,
)
from portal.notices.publication import publish_notice

TEXT_FIELDS = ("title_zh", "title_en", "summary_zh", "summary_en", "body_zh", "body_en")
EDITABLE = (*TEXT_FIELDS, "category", "county", "language", "comments_close_at")


def current_author() -> tuple[int | None, str]:
    """The official acting in this request, else "system" (announcements from jobs, CLI)."""
    acting = current_actor()
    return acting.id, acting.name


def _audit_view(notice: Notice) -> dict[str, Any]:
    """What the audit log keeps of a notice: never comment authors' personal data."""
    return {
        "status": notice.status,
        "category": notice.category,
        "county": notice.county,
        "title_zh": notice.title_zh,
        "title_en": notice.title_en,
        "version": notice.version,
        "published_at": notice.published_at,
        "comments_close_at": notice.comments_close_at,
    }


def is_live(notice: Notice) -> bool:
    """Published text the public may already have read: changes must then be versioned."""
    return notice.status in (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN) and notice.is_public()


def revise(notice: Notice, changes: dict[str, Any], reason: str | None) -> bool:
    """Apply `changes` (flush, no commit). A notice the public has seen keeps its old text as a
    NoticeVersion with the public `reason`; returns False when nothing changed."""
    changed = {k: v for k, v in changes.items() if getattr(notice, k) != v}
    if not changed:
        return False
    if is_live(notice) and any(k in TEXT_FIELDS for k in changed):
        now = utcnow()
        db.session.add(
            NoticeVersion(
                notice=notice,
                version=notice.version,
                published_at=notice.revised_at or notice.published_at,
                replaced_at=now,
                reason=(reason or "").strip(),
                **{k: getattr(notice, k) for k in TEXT_FIELDS},
            )
        )
        notice.version += 1
        notice.revised_at = now
    for key, value in changed.items():
        setattr(notice, key, value)
    notice.refresh_search_text()
    db.session.flush()
    return True


# --- officials' workflow (each commits once) ---------------------------------------------


@dataclass
class NoticeData:
    category: str
    county: str | None
    language: str
    title_zh: str
    title_en: str | None
    summary_zh: str
    summary_en: str | None
    body_zh: str
    body_en: str | None
    comments_close_at: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in EDITABLE}


def create_draft(data: NoticeData, *, source: str | None = None) -> Notice:
    """A draft for a publisher; ``source`` (unique) marks one made by a job, e.g. a bulletin."""
    require_county(data.county)
    author_id, author_name = current_author()
    notice = Notice(
        status=NoticeStatus.DRAFT,
        author_id=author_id,
        author_name=author_name,
        source=source,
        **data.as_dict(),
    )
    notice.refresh_search_text()
    db.session.add(notice)
    db.session.flush()
    audit.record("create", "notice", notice.id, after=_audit_view(notice))
    db.session.commit()
    return notice


def update(notice: Notice, data: NoticeData, reason: str | None) -> bool:
    # The county as stored and the county asked for: no moving a notice between counties.
    require_county(notice.county, data.county)
    before = _audit_view(notice)
    if not revise(notice, data.as_dict(), reason):
        return False
    audit.record(
        "update", "notice", notice.id, before=before, after=_audit_view(notice), reason=reason
    )
    db.session.commit()
    return True


def publish(notice: Notice, at: dt.datetime | None = None) -> None:
    """Publish now, or schedule for `at` (public queries hide it until then)."""
    require_county(notice.county)
    before = _audit_view(notice)
    notice.status = NoticeStatus.PUBLISHED
    notice.published_at = at or utcnow()
    notice.revised_at = None
    action = "schedule" if at and at > utcnow() else "publish"
    audit.record(action, "notice", notice.id, before=before, after=_audit_view(notice))
    publish_notice(notice)
    db.session.commit()


def unschedule(notice: Notice) -> None:
    """Back to draft: only while the scheduled time has not come."""
    require_county(notice.county)
    before = _audit_view(notice)
    notice.status = NoticeStatus.DRAFT
    notice.published_at = None
    notice.announcement_due = False
    audit.record("unschedule", "notice", notice.id, before=before, after=_audit_view(notice))
    db.session.commit()


def withdraw(notice: Notice, reason: str) -> None:
    require_county(notice.county)
    before = _audit_view(notice)
    _withdraw(notice, reason)
    audit.record(
        "withdraw", "notice", notice.id, before=before, after=_audit_view(notice), reason=reason
    )
    db.session.commit()


def _withdraw(notice: Notice, reason: str) -> None:
    now = utcnow()
    notice.status = NoticeStatus.WITHDRAWN
    notice.withdrawn_at = now
    notice.withdrawn_reason = reason.strip()
    notice.revised_at = now


def add_attachment(notice: Notice, upload: files.CheckedFile) -> NoticeAttachment:
    require_county(notice.county)
    stored = files.store(upload)
    attachment = NoticeAttachment(
        notice=notice,
        filename=upload.filename,
        stored_name=stored,
        content_type=upload.content_type,
        size=len(upload.data),
        sha256=upload.sha256,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        "attach",
        "notice",
        notice.id,
        after={"attachment": attachment.id, "filename": upload.filename, "sha256": upload.sha256},
    )
    db.session.commit()
    return attachment


def remove_attachment(attachment: NoticeAttachment) -> None:
    require_county(attachment.notice.county)
    notice_id = attachment.notice_id
    info = {"attachment": attachment.id, "filename": attachment.filename}
    db.session.delete(attachment)
    audit.record("detach", "notice", notice_id, before=info)
    db.session.commit()
    # The file stays on disk: the audit log refers to it by hash and it costs little.


def publish_response(notice: Notice, response_zh: str, response_en: str | None) -> None:
    require_county(notice.county)
    before = {"response_zh": notice.response_zh, "response_en": notice.response_en}
    notice.response_zh = response_zh.strip()
    notice.response_en = (response_en or "").strip() or None
    notice.response_published_at = utcnow()
    notice.revised_at = notice.response_published_at
    audit.record(
        "publish_response",
        "notice",
        notice.id,
        before=before,
        after={"response_zh": notice.response_zh, "response_en": notice.response_en},
    )
    db.session.commit()


# --- public comments --------------------------------------------------------------------


def submit_comment(
    notice: Notice, body: str, name: str | None, contact: str | None
) -> NoticeComment:
    comment = NoticeComment(
        notice_id=notice.id,
        body=body.strip(),
        name=(name or "").strip() or None,
        contact=(contact or "").strip() or None,
        status=CommentStatus.PENDING,
    )
    db.session.add(comment)
    db.session.commit()
    # Logged without the text or any personal data.
    current_app.logger.info("comment %s received on notice %s", comment.id, notice.id)
    return comment


def moderate(comment: NoticeComment, accept: bool) -> None:
    notice = db.session.get(Notice, comment.notice_id)
    require_county(notice.county if notice else None)
    before = {"status": comment.status}
    comment.status = CommentStatus.ACCEPTED if accept else CommentStatus.REJECTED
    comment.moderated_at = utcnow()
    comment.moderated_by = current_author()[0]
    audit.record(
        "moderate", "notice_comment", comment.id, before=before, after={"status": comment.status}
    )
    db.session.commit()


def view_comment_contacts(notice: Notice) -> None:
    """Opening the moderation page shows commenters' contact details: that is audited."""
    require_county(notice.county)
    audit.record("view_personal_data", "notice_comments", notice.id)
    db.session.commit()


def comment_counts(notice_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(NoticeComment.status, sa.func.count())
        .where(NoticeComment.notice_id == notice_id)
        .group_by(NoticeComment.status)
    ).all()
    counts: dict[str, int] = dict.fromkeys(CommentStatus, 0)
    counts.update(dict(rows))
    return counts


def received_count(notice_id: int) -> int:
    """Comments received, less those moderated away as spam or abuse."""
    counts = comment_counts(notice_id)
    return counts[CommentStatus.PENDING] + counts[CommentStatus.ACCEPTED]


def with_details() -> Any:
    return (selectinload(Notice.attachments), selectinload(Notice.versions))
