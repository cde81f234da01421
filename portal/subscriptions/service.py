"""Write side of subscriptions: request (double opt-in), confirm, change, unsubscribe, and
the daily digest job. Every function commits once or not at all: nothing is half-saved."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.core import urls
from portal.core.clock import china_date
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.problems import Refusal
from portal.delivery import service as delivery
from portal.subscriptions import tokens
from portal.subscriptions.choices import Choices
from portal.subscriptions.models import Subscriber, SubscriptionRequest

# The confirmation form may be sent again (to fix a choice) but not used to flood a mailbox.
RESEND_AFTER = dt.timedelta(minutes=1)


def _confirmation_mail(address: str, secret: str, language: str, hours: int) -> None:
    with force_locale(language):
        subject = _("Please confirm your e-mail subscription")
        body = "\n\n".join(
            [
                _(
                    "Someone (we hope you) asked to receive the water portal's warnings and "
                    "publications at this address."
                ),
                _(
                    "To confirm, open this link within %(hours)s hours and press the button:",
                    hours=hours,
                ),
                urls.absolute(f"/subscribe/confirm/{secret}"),
                _(
                    "If you did not ask for this, ignore this mail: nothing else will be sent "
                    "to you and the request is deleted when the link expires."
                ),
            ]
        )
    delivery.enqueue_mail(address, subject, body, topic="subscriptions")


def request_subscription(choices: Choices, language: str) -> None:
    """Store the choices until confirmed and queue the confirmation mail. The caller answers
    the same whatever happens here, so the page never tells whether an address is known."""
    now = utcnow()
    recent = db.session.scalar(
        sa.select(SubscriptionRequest.id).where(
            SubscriptionRequest.email == choices.email,
            SubscriptionRequest.created_at > now - RESEND_AFTER,
        )
    )
    if recent is not None:
        return
    db.session.execute(
        sa.delete(SubscriptionRequest).where(SubscriptionRequest.email == choices.email)
    )
    hours = int(current_app.config["SUBSCRIBE_CONFIRM_HOURS"])
    secret = tokens.new_secret()
    db.session.add(
        SubscriptionRequest(
            email=choices.email,
            counties=list(choices.counties),
            topics=list(choices.topics),
            frequency=choices.frequency,
            language=language,
            token_hash=tokens.digest(secret),
            created_at=now,
            expires_at=now + dt.timedelta(hours=hours),
        )
    )
    _confirmation_mail(choices.email, secret, language, hours)
    db.session.commit()
    current_app.logger.info("subscription requested")  # never the address


def find_request(secret: str) -> SubscriptionRequest:
    """The pending request for a confirmation link; refused as unknown or expired."""
    found = db.session.scalar(
        sa.select(SubscriptionRequest).where(
            SubscriptionRequest.token_hash == tokens.digest(secret)
        )
    )
    if found is None:
        raise Refusal("unknown")
    if found.expires_at <= utcnow():
        raise Refusal("expired")
    return found


def confirm(secret: str) -> Subscriber:
    """Follow a confirmation link: the choices take effect (a known address's are replaced).
    Refused like find_request."""
    pending = find_request(secret)
    subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.email == pending.email))
    if subscriber is None:
        subscriber = Subscriber(email=pending.email)
        db.session.add(subscriber)
    subscriber.counties = list(pending.counties)
    subscriber.topics = list(pending.topics)
    subscriber.frequency = pending.frequency
    subscriber.language = pending.language
    subscriber.nonce = tokens.new_secret()[:32]
    subscriber.confirmed_at = utcnow()
    db.session.delete(pending)
    db.session.commit()
    current_app.logger.info("subscription %s confirmed", subscriber.id)
    return subscriber


def link_token(subscriber: Subscriber) -> str:
    return tokens.link_token(current_app.config["SECRET_KEY"], subscriber.id, subscriber.nonce)


def find_by_link(token: str) -> Subscriber | None:
    subscriber_id = tokens.parse_link_token(token)
    if subscriber_id is None:
        return None
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or not tokens.link_token_valid(
        current_app.config["SECRET_KEY"], token, subscriber.id, subscriber.nonce
    ):
        return None
    return subscriber


def change(subscriber: Subscriber, choices: Choices) -> None:
    """From the link in a mail (it proves the mailbox): choices change at once."""
    subscriber.counties = list(choices.counties)
    subscriber.topics = list(choices.topics)
    subscriber.frequency = choices.frequency
    db.session.commit()


def unsubscribe(token: str) -> bool:
    """Delete the subscriber (and so the address); False when the link is not (or no longer)
    valid. Queued mails to them are dropped by the worker."""
    subscriber = find_by_link(token)
    if subscriber is None:
        return False
    subscriber_id = subscriber.id
    db.session.delete(subscriber)
    db.session.commit()
    current_app.logger.info("subscription %s ended", subscriber_id)
    return True


def daily() -> None:
    """The worker's daily job: queue today's digest; forget expired requests' addresses."""
    now = utcnow()
    day = china_date(now).isoformat()
    delivery.queue_message(
        "digest",
        "digest",
        f"digest:{day}",
        {"since": (now - dt.timedelta(days=1)).isoformat(), "until": now.isoformat()},
    )
    # Kept a week past expiry, so a late click is told "expired" rather than "unknown".
    stale = now - dt.timedelta(days=7)
    db.session.execute(
        sa.delete(SubscriptionRequest).where(SubscriptionRequest.expires_at <= stale)
    )
    db.session.commit()
