"""The worker's work, independent of the queue library: expand new outbox messages into one
delivery row per recipient, then claim due deliveries in batches and send each batch over
one SMTP connection.

Exactly one copy per (message, recipient):
- a delivery is claimed by a conditional UPDATE (status pending/retrying, or a claim whose
  lease ran out) and, on PostgreSQL, SELECT … FOR UPDATE SKIP LOCKED; only one worker's
  update can win, on any number of hosts;
- it is marked sent, and committed, right after the SMTP server accepted it, before the
  next mail is started.
The one window left: a worker killed after the server's "250 OK" and before that commit
(one UPDATE, a millisecond or two). The claim then expires (DELIVERY_LEASE_SECONDS) and that
mail is sent again: at most one duplicate per SMTP connection in flight when the worker died
(one per sending thread), never a lost mail; it carries the same Message-ID, which mail
stores that drop duplicates use. SMTP itself offers no way to close this window.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage, Message
from email.utils import formatdate
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import CursorResult

from portal.core.extensions import db
from portal.core.models import utcnow
from portal.delivery import retry, sender
from portal.delivery.kinds import kind_handler
from portal.delivery.models import Delivery, DeliveryStatus, MessageKind, OutboxMessage

log = logging.getLogger(__name__)
# What a send can make of a claimed delivery (the counts send_batch and drain return).
_OUTCOMES = (
    DeliveryStatus.SENT,
    DeliveryStatus.RETRYING,
    DeliveryStatus.FAILED,
    DeliveryStatus.DROPPED,
)
STOP = threading.Event()  # set on SIGTERM: finish the mail in hand, release the rest


def worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _cfg(name: str) -> int:
    return int(current_app.config[name])


# ------------------------------------------------------------------------------ expansion


def expand_pending(limit: int = 50) -> int:
    """Write the deliveries of messages not yet expanded; returns how many were expanded."""
    ids = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.expanded_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    done = 0
    for message_id in ids:
        done += _expand(message_id)
    return done


def _updated(statement: sa.Update) -> int:
    """Run an UPDATE in the session; the number of rows it matched."""
    # An UPDATE's result is a CursorResult (with rowcount); Session.execute is typed for any.
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount


def _expand(message_id: int) -> int:
    # The claim and the deliveries are one transaction: a crash rolls both back.
    claimed = _updated(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.expanded_at.is_(None))
        .values(expanded_at=utcnow())
    )
    if claimed != 1:
        db.session.rollback()
        return 0
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    handler = kind_handler(message.kind)
    recipients = sorted(set(handler.audience(message))) if handler else []
    now = utcnow()
    if recipients:
        db.session.execute(
            sa.insert(Delivery),
            [
                {
                    "message_id": message_id,
                    "recipient": r,
                    "status": DeliveryStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                }
                for r in recipients
            ],
        )
    db.session.commit()
    log.info("message %s expanded to %s deliveries", message_id, len(recipients))
    return 1


# ------------------------------------------------------------------------------ claiming


def _due(now: dt.datetime) -> sa.ColumnElement[bool]:
    expired = now - dt.timedelta(seconds=_cfg("DELIVERY_LEASE_SECONDS"))
    return sa.or_(
        sa.and_(
            Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.RETRYING)),
            Delivery.next_attempt_at <= now,
        ),
        sa.and_(Delivery.status == DeliveryStatus.CLAIMED, Delivery.claimed_at < expired),
    )


def claim(me: str, size: int) -> list[Delivery]:
    now = utcnow()
    query = sa.select(Delivery.id).where(_due(now)).order_by(Delivery.id).limit(size)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = db.session.scalars(query).all()
    if not ids:
        db.session.commit()
        return []
    db.session.execute(
        sa.update(Delivery)
        .where(Delivery.id.in_(ids), _due(now))
        .values(status=DeliveryStatus.CLAIMED, claimed_by=me, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            sa.select(Delivery)
            .where(
                Delivery.id.in_(ids),
                Delivery.claimed_by == me,
                Delivery.status == DeliveryStatus.CLAIMED,
            )
            .order_by(Delivery.id)
        )
    )


def _release(me: str, ids: list[int]) -> None:
    if ids:
        db.session.execute(
            sa.update(Delivery)
            .where(
                Delivery.id.in_(ids),
                Delivery.claimed_by == me,
                Delivery.status == DeliveryStatus.CLAIMED,
            )
            .values(status=DeliveryStatus.PENDING, claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


# ------------------------------------------------------------------------------ sending


def _settings() -> dict:
    c = current_app.config
    keys = (
        "MAIL_SERVER",
        "MAIL_PORT",
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "MAIL_USE_TLS",
        "MAIL_DIR",
    )
    return {k: c.get(k) for k in keys}


def _direct_mail(message: OutboxMessage, delivery: Delivery) -> EmailMessage | None:
    if not delivery.address:
        return None
    payload = message.payload
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = delivery.address
    msg["Subject"] = payload["subject"]
    msg["Date"] = formatdate(localtime=False)
    domain = current_app.config["MAIL_SENDER"].rpartition("@")[2]
    msg["Message-ID"] = f"<delivery-{delivery.id}@{domain}>"  # the same if ever sent again
    for name, value in (payload.get("headers") or {}).items():
        msg[name] = value
    msg.set_content(payload["body"])
    return msg


def _render(batch: list[Delivery]) -> dict[int, Message | None]:
    mails: dict[int, Message | None] = {}
    by_message: dict[int, list[Delivery]] = {}
    for d in batch:
        by_message.setdefault(d.message_id, []).append(d)
    for message_id, deliveries in by_message.items():
        message = db.session.get(OutboxMessage, message_id)
        assert message is not None
        if message.kind == MessageKind.MAIL:
            mails.update({d.id: _direct_mail(message, d) for d in deliveries})
            continue
        handler = kind_handler(message.kind)
        rendered = handler.render(message, deliveries) if handler else {}
        mails.update({d.id: rendered.get(d.id) for d in deliveries})
    return mails


def _mark(me: str, delivery_id: int, **values: object) -> bool:
    done = _updated(
        sa.update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.claimed_by == me,
            Delivery.status == DeliveryStatus.CLAIMED,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return done == 1


def _renew(me: str) -> None:
    """Keep this worker's claims alive while it works through a long batch."""
    db.session.execute(
        sa.update(Delivery)
        .where(Delivery.claimed_by == me, Delivery.status == DeliveryStatus.CLAIMED)
        .values(claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _after_sent(message_id: int) -> None:
    # Direct mails may carry links with secrets: nothing of them is kept once sent.
    message = db.session.get(OutboxMessage, message_id)
    if message is not None and message.kind == MessageKind.MAIL:
        message.payload = {"subject": "", "body": ""}
        db.session.commit()


def send_batch(me: str, batch: list[Delivery]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(_OUTCOMES, 0)
    mails = _render(batch)
    db.session.commit()
    base, ceiling = _cfg("DELIVERY_RETRY_SECONDS"), _cfg("DELIVERY_RETRY_MAX_SECONDS")
    attempts_limit = _cfg("DELIVERY_MAX_ATTEMPTS")
    direct = {d.id for d in batch if d.recipient == "direct"}
    work = [(d.id, d.attempts, d.message_id, mails.get(d.id)) for d in batch]
    for delivery_id, _a, _m, mail in work:
        if mail is None:
            _mark(me, delivery_id, status=DeliveryStatus.DROPPED, address=None, claimed_by=None)
            counts[DeliveryStatus.DROPPED] += 1
    work = [w for w in work if w[3] is not None]
    renew_every = _cfg("DELIVERY_LEASE_SECONDS") / 4
    renewed = time.monotonic()
    try:
        with sender.Connection(_settings()) as conn:
            for i, (delivery_id, attempts, message_id, mail) in enumerate(work):
                if STOP.is_set():
                    _release(me, [w[0] for w in work[i:]])
                    break
                if time.monotonic() - renewed > renew_every:
                    _renew(me)
                    renewed = time.monotonic()
                try:
                    conn.send(mail)  # type: ignore[arg-type]
                except sender.Permanent as exc:
                    _mark(
                        me,
                        delivery_id,
                        status=DeliveryStatus.FAILED,
                        attempts=attempts + 1,
                        last_error=f"smtp {exc.code}",
                        address=None,
                    )
                    counts[DeliveryStatus.FAILED] += 1
                    continue
                except sender.Temporary as exc:
                    give_up = attempts + 1 >= attempts_limit
                    _mark(
                        me,
                        delivery_id,
                        status=DeliveryStatus.FAILED if give_up else DeliveryStatus.RETRYING,
                        attempts=attempts + 1,
                        last_error=f"smtp {exc.code}",
                        next_attempt_at=retry.next_attempt(utcnow(), attempts + 1, base, ceiling),
                    )
                    counts[DeliveryStatus.FAILED if give_up else DeliveryStatus.RETRYING] += 1
                    continue
                if not _mark(
                    me, delivery_id, status=DeliveryStatus.SENT, sent_at=utcnow(), address=None
                ):
                    log.warning("delivery %s: claim lost while sending", delivery_id)
                counts[DeliveryStatus.SENT] += 1
                if delivery_id in direct:
                    _after_sent(message_id)
    except sender.Unavailable as exc:
        # The server is unreachable: no recipient is at fault, so this never gives up.
        now = utcnow()
        for delivery_id, attempts, _m, _mail in work:
            if _mark(
                me,
                delivery_id,
                status=DeliveryStatus.RETRYING,
                attempts=attempts + 1,
                last_error=str(exc)[:64],
                next_attempt_at=retry.next_attempt(now, attempts + 1, base, ceiling),
            ):
                counts[DeliveryStatus.RETRYING] += 1
        log.warning(
            "mail server unavailable (%s); %s mails will be retried",
            exc,
            counts[DeliveryStatus.RETRYING],
        )
    return counts


def drain(
    max_batches: int | None = None, on_expand: Callable[[], None] | None = None
) -> dict[str, int]:
    """Expand what is new, then send until nothing is due (or STOP); returns the counts.
    `on_expand` runs when new deliveries were written (the queue wakes more threads)."""
    me = worker_id()
    totals: dict[str, int] = dict.fromkeys(_OUTCOMES, 0)
    if expand_pending() and on_expand is not None:
        on_expand()
    batches = 0
    size = _cfg("DELIVERY_BATCH")
    while not STOP.is_set() and (max_batches is None or batches < max_batches):
        batch = claim(me, size)
        if not batch:
            break
        for key, value in send_batch(me, batch).items():
            totals[key] += value
        batches += 1
        if totals[DeliveryStatus.RETRYING] and totals[DeliveryStatus.SENT] == 0 and batches > 1:
            break  # the server is down: let the backoff work
    db.session.remove()
    return totals


def next_retry_at() -> dt.datetime | None:
    return db.session.scalar(
        sa.select(sa.func.min(Delivery.next_attempt_at)).where(
            Delivery.status == DeliveryStatus.RETRYING
        )
    )
