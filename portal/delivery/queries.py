"""Read side of delivery: counts for the officials' page (never an address)."""

from __future__ import annotations

import sqlalchemy as sa

from portal.core.extensions import db
from portal.delivery.models import Delivery, DeliveryStatus, OutboxMessage

# The officials' table: a claimed delivery counts as waiting.
COLUMNS = (
    DeliveryStatus.PENDING,
    DeliveryStatus.SENT,
    DeliveryStatus.RETRYING,
    DeliveryStatus.FAILED,
    DeliveryStatus.DROPPED,
)


def counts_by_topic() -> list[tuple[str, dict[str, int]]]:
    rows = db.session.execute(
        sa.select(OutboxMessage.topic, Delivery.status, sa.func.count())
        .join(OutboxMessage, OutboxMessage.id == Delivery.message_id)
        .group_by(OutboxMessage.topic, Delivery.status)
    ).all()
    table: dict[str, dict[str, int]] = {}
    for topic, status, n in rows:
        column = DeliveryStatus.PENDING if status == DeliveryStatus.CLAIMED else status
        table.setdefault(topic, dict.fromkeys(COLUMNS, 0))[column] += n
    return sorted(table.items())


def messages_waiting() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.expanded_at.is_(None))
        )
        or 0
    )
