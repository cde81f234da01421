"""Read side of subscriptions: who receives a publication or a digest (ids only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import sqlalchemy as sa

from portal.core.extensions import db
from portal.delivery.models import MessageKind, OutboxMessage
from portal.subscriptions.choices import Frequency, matches
from portal.subscriptions.models import Subscriber


def _matching(payload: dict, frequencies: tuple[str, ...]) -> Iterator[int]:
    rows = db.session.execute(
        sa.select(Subscriber.id, Subscriber.topics, Subscriber.counties).where(
            Subscriber.frequency.in_(frequencies)
        )
    )
    for sid, topics, counties in rows:
        if matches(
            topics,
            counties,
            payload["topic"],
            payload.get("category"),
            payload.get("counties") or (),
        ):
            yield sid


def publication_audience(message: OutboxMessage) -> list[str]:
    """Urgent publications (warnings) reach every matching subscriber at once; others only
    those who chose "immediately" (the rest get them in the daily digest)."""
    frequencies = (
        (Frequency.IMMEDIATE, Frequency.DIGEST) if message.urgent else (Frequency.IMMEDIATE,)
    )
    return [f"s:{sid}" for sid in _matching(message.payload, frequencies)]


def digest_publications(since: dt.datetime, until: dt.datetime) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.kind == MessageKind.PUBLICATION,
                OutboxMessage.urgent.is_(False),
                OutboxMessage.created_at >= since,
                OutboxMessage.created_at < until,
            )
            .order_by(OutboxMessage.id)
        )
    )


def window(message: OutboxMessage) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.fromisoformat(message.payload["since"]),
        dt.datetime.fromisoformat(message.payload["until"]),
    )


def digest_audience(message: OutboxMessage) -> list[str]:
    publications = digest_publications(*window(message))
    rows = db.session.execute(
        sa.select(Subscriber.id, Subscriber.topics, Subscriber.counties).where(
            Subscriber.frequency == Frequency.DIGEST
        )
    )
    return [
        f"s:{sid}"
        for sid, topics, counties in rows
        if any(
            matches(
                topics,
                counties,
                p.topic,
                p.payload.get("category"),
                p.payload.get("counties") or (),
            )
            for p in publications
        )
    ]


def subscribers_of(recipients: list[str]) -> dict[str, Subscriber]:
    ids = [int(r[2:]) for r in recipients if r.startswith("s:")]
    found = db.session.scalars(sa.select(Subscriber).where(Subscriber.id.in_(ids))).all()
    return {f"s:{s.id}": s for s in found}
