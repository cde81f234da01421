"""The outbox: what must be sent (messages) and to whom (deliveries, one per recipient).

An outbox message is written in the same transaction as the publication it carries; the
queue only wakes the worker. A delivery row is the idempotency key per (message, recipient):
it is claimed before sending and marked sent right after the SMTP server accepted it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.extensions import Model
from portal.core.models import UTCDateTime, intpk, str20, str64, str200, utcnow


class MessageKind(StrEnum):
    """What an outbox message is."""

    PUBLICATION = "publication"  # recipients found when the worker expands it
    MAIL = "mail"  # one direct mail (a reporter's confirmation); its delivery written at once
    DIGEST = "digest"  # a daily digest


class DeliveryStatus(StrEnum):
    """Where one delivery stands."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    DROPPED = "dropped"  # the recipient unsubscribed before the worker reached them


def _in(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (sa.CheckConstraint(f"kind in ({_in(MessageKind)})", name="kind_known"),)

    id: Mapped[intpk]
    kind: Mapped[str20]
    # The publication topic; for direct mail its purpose ("reports", "subscriptions").
    topic: Mapped[str20]
    # Publication source or digest key: a publication is queued once, whatever happens.
    source: Mapped[str200 | None] = mapped_column(unique=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Set when the deliveries for every recipient have been written (same transaction).
    expanded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)


class Delivery(Model):
    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("message_id", "recipient"),
        sa.CheckConstraint(f"status in ({_in(DeliveryStatus)})", name="status_known"),
        sa.Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[intpk]
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"))
    # "s:<subscriber id>" or "direct": never the address, so counts and logs stay anonymous.
    recipient: Mapped[str64]
    # Direct mail only, and only until it is sent (then cleared).
    address: Mapped[str | None] = mapped_column(sa.String(254))
    status: Mapped[str20] = mapped_column(default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_by: Mapped[str64 | None]
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # An exception class name or SMTP code only: never the address or the server's text.
    last_error: Mapped[str64 | None]
