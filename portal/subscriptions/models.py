"""E-mail subscribers (confirmed only) and pending subscription requests.

An address is personal data: it lives in these two tables and nowhere else (deliveries
point at a subscriber by id), and unsubscribing deletes the row.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.extensions import Model
from portal.core.models import UTCDateTime, intpk, str20, str64, utcnow


class Subscriber(Model):
    __tablename__ = "subscribers"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    counties: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # empty: whole region
    topics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    frequency: Mapped[str20]
    language: Mapped[str20] = mapped_column(default="zh_Hans")
    # Secret part of the manage/unsubscribe links (HMAC with the app secret); a new one at
    # every confirmation, so links in older mails stop working.
    nonce: Mapped[str64]
    confirmed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SubscriptionRequest(Model):
    """Choices waiting for the confirmation link to be followed (double opt-in)."""

    __tablename__ = "subscription_requests"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    counties: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    frequency: Mapped[str20]
    language: Mapped[str20] = mapped_column(default="zh_Hans")
    token_hash: Mapped[str64] = mapped_column(unique=True)  # sha256 of the link's secret
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
