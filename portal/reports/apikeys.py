"""Open311 API keys of partner channels: issued once in plain text, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa

from portal.core import audit
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.reports.models import ReportApiKey


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(name: str) -> tuple[ReportApiKey, str]:
    plain = "dxk_" + secrets.token_urlsafe(32)
    key = ReportApiKey(name=name.strip()[:100], key_hash=_key_hash(plain), created_at=utcnow())
    db.session.add(key)
    db.session.flush()
    audit.record("create", "report_api_key", key.id, after={"name": key.name})
    db.session.commit()
    return key, plain


def revoke_api_key(key: ReportApiKey) -> None:
    key.revoked_at = utcnow()
    audit.record("withdraw", "report_api_key", key.id, after={"name": key.name})
    db.session.commit()


def find_api_key(plain: str | None) -> ReportApiKey | None:
    if not plain or len(plain) > 200:
        return None
    key = db.session.scalar(
        sa.select(ReportApiKey).where(ReportApiKey.key_hash == _key_hash(plain))
    )
    return key if key is not None and key.revoked_at is None else None
