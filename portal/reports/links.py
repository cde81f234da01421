"""Bookmarkable status links and the one-time receipt that shows a new report's code.

A status link (``/reports/status/<token>``) opens a report's status read-only: it holds no
tracking code, the reporter can turn it off from the status page, and rating or disputing
still needs the code, sent by POST. The token is an HMAC of a random salt under a key that is
not in the database, and only the token's SHA-256 is stored: a copy of the database opens no
status page, while the portal can still put the current link into a mail.

The receipt keeps the tracking code out of the session cookie: the cookie carries a random
one-time value whose hash is on the report until the confirmation page has shown the code.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets

import sqlalchemy as sa
from flask import current_app

from portal.core import urls
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.reports.models import Report, ReportContact, ReportStatusLink

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
# A resubmission of the same form (the answer was lost on the way) shows the code again only
# this soon after the report was received; later the browser's history no longer opens it.
RECEIPT_RESEND = dt.timedelta(minutes=15)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _key() -> bytes:
    secret = current_app.config.get("REPORT_LINK_KEY") or current_app.config["SECRET_KEY"]
    return hashlib.sha256(b"portal.reports.status-link-key\x00" + str(secret).encode()).digest()


def _token(salt: str) -> str:
    digest = hmac.new(_key(), salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _active(report: Report) -> ReportStatusLink | None:
    return db.session.scalar(
        sa.select(ReportStatusLink)
        .where(ReportStatusLink.report_id == report.id, ReportStatusLink.revoked_at.is_(None))
        .order_by(ReportStatusLink.id.desc())
        .limit(1)
    )


def ensure_token(report: Report) -> str:
    """The token of the report's working link, made (flushed, not committed) if it has none."""
    link = _active(report)
    if link is None:
        salt = secrets.token_urlsafe(32)
        link = ReportStatusLink(
            report_id=report.id, salt=salt, token_hash=_sha256(_token(salt)), created_at=utcnow()
        )
        db.session.add(link)
        db.session.flush()
    return _token(link.salt)


def status_path(token: str) -> str:
    return f"/reports/status/{token}"


def status_url(report: Report) -> str:
    """The absolute address of the report's status page, for mails and the confirmation page.

    Makes a new link (and commits it) when the reporter has turned the last one off.
    """
    try:
        token = ensure_token(report)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return urls.absolute(status_path(token))


def find(token: str) -> ReportStatusLink | None:
    """The working link with this token, or None (unknown, mistyped or turned off)."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    return db.session.scalar(
        sa.select(ReportStatusLink).where(
            ReportStatusLink.token_hash == _sha256(token), ReportStatusLink.revoked_at.is_(None)
        )
    )


def revoke(link: ReportStatusLink) -> None:
    """Turn a link off for good; entering the code later makes a new one."""
    link.revoked_at = utcnow()
    db.session.commit()


# ---------------------------------------------------------------------------------------
# The one-time receipt
# ---------------------------------------------------------------------------------------


def issue_receipt(report: Report, *, created: bool) -> str | None:
    """A one-time value for the session that lets the next page show the code once.

    None for a resubmission long after the report was received (the form's page may be
    replayed from the history of a shared browser).
    """
    if not created and utcnow() - report.received_at > RECEIPT_RESEND:
        return None
    receipt = secrets.token_urlsafe(24)
    try:
        report.receipt_hash = _sha256(receipt)
        ensure_token(report)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return receipt


def redeem_receipt(receipt: str | None) -> Report | None:
    """The report the receipt was issued for, once: the receipt is spent by this call."""
    if not receipt or not isinstance(receipt, str) or len(receipt) > 64:
        return None
    report = db.session.scalar(sa.select(Report).where(Report.receipt_hash == _sha256(receipt)))
    if report is None:
        return None
    try:
        report.receipt_hash = None
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


# ---------------------------------------------------------------------------------------
# E-mail updates (the address itself is read only by portal.reports.mail)
# ---------------------------------------------------------------------------------------


def wants_updates(report: Report) -> bool:
    contact = db.session.get(ReportContact, report.id)
    return bool(contact is not None and contact.updates and contact.email)


def stop_updates(report: Report) -> None:
    contact = db.session.get(ReportContact, report.id)
    if contact is not None and contact.updates:
        contact.updates = False
        db.session.commit()
