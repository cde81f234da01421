"""Write side of delivery: outbox rows added inside the caller's transaction, and a wake-up
for the worker once that transaction has committed.

Nothing here commits or touches the network before the commit: if the database rolls back,
no mail exists; if the queue (Redis) is down at commit time, the row is still there and the
worker's periodic sweep finds it.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.publications import Publication, published
from portal.delivery import queue
from portal.delivery.models import Delivery, MessageKind, OutboxMessage

log = logging.getLogger(__name__)
_WAKE = "delivery_wake"


def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_WAKE, False):
        queue.wake_soon()


def _forget_wake(session: Session, *_args: Any) -> None:
    session.info.pop(_WAKE, None)


sa.event.listen(Session, "after_commit", _wake_after_commit)
sa.event.listen(Session, "after_rollback", _forget_wake)


def _pending_source(source: str) -> bool:
    for obj in db.session.new:
        if isinstance(obj, OutboxMessage) and obj.source == source:
            return True
    with db.session.no_autoflush:
        return (
            db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.source == source))
            is not None
        )


def queue_publication(publication: Publication) -> OutboxMessage | None:
    """Add the outbox row for `publication` to the current transaction (once per source)."""
    if _pending_source(publication.source):
        return None
    payload = dataclasses.asdict(publication)
    payload["counties"] = list(publication.counties)
    message = OutboxMessage(
        kind=MessageKind.PUBLICATION,
        topic=publication.topic,
        source=publication.source,
        urgent=publication.urgent,
        payload=payload,
        created_at=utcnow(),
    )
    db.session.add(message)
    db.session.info[_WAKE] = True
    return message


def _on_published(_sender: object, publication: Publication, **_kw: Any) -> None:
    queue_publication(publication)


def connect_receiver() -> None:
    published.connect(_on_published, weak=False)


def enqueue_mail(
    to: str, subject: str, body: str, *, topic: str, headers: dict | None = None
) -> None:
    """Queue one plain-text mail to one address, in the caller's transaction (no commit)."""
    now = utcnow()
    message = OutboxMessage(
        kind=MessageKind.MAIL,
        topic=topic,
        payload={"subject": subject, "body": body, "headers": headers or {}},
        created_at=now,
        expanded_at=now,
    )
    db.session.add(message)
    db.session.flush()
    db.session.add(Delivery(message_id=message.id, recipient="direct", address=to.strip()))
    db.session.info[_WAKE] = True


def queue_message(kind: str, topic: str, source: str, payload: dict) -> OutboxMessage | None:
    """A message whose recipients a registered `kinds.Kind` finds (e.g. a digest); once per
    source."""
    if _pending_source(source):
        return None
    message = OutboxMessage(
        kind=kind, topic=topic, source=source, payload=payload, created_at=utcnow()
    )
    db.session.add(message)
    db.session.info[_WAKE] = True
    return message


def queued_publication(source: str) -> OutboxMessage | None:
    return db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.source == source))
