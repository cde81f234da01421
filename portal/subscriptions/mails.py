"""The subscribers' mails: one publication, or the day's digest; each with one-click
unsubscribe (RFC 8058 List-Unsubscribe + List-Unsubscribe-Post) and a link to change."""

from __future__ import annotations

from email.header import Header
from email.message import Message
from email.policy import compat32
from email.utils import formatdate

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.core import urls
from portal.delivery.models import Delivery, OutboxMessage
from portal.subscriptions import queries, service
from portal.subscriptions.choices import matches
from portal.subscriptions.models import Subscriber

# Long List-Unsubscribe URLs stay on one line (folding them is legal but trips some clients).
UNFOLDED = compat32.clone(max_line_length=998)


def _text(payload: dict, field: str, language: str) -> str:
    english = payload.get(f"{field}_en") if language == "en" else None
    return english or payload.get(f"{field}_zh") or ""


def _mail(subscriber: Subscriber, delivery_id: int, subject: str, lines: list[str]) -> Message:
    token = service.link_token(subscriber)
    unsubscribe = urls.absolute(f"/subscribe/unsubscribe/{token}")
    manage = urls.absolute(f"/subscribe/manage/{token}")
    footer = [
        "--",
        _("You receive this because you subscribed on the water portal."),
        _("Change your choices: %(url)s", url=manage),
        _("Unsubscribe: %(url)s", url=unsubscribe),
    ]
    sender = current_app.config["MAIL_SENDER"]
    # The compat32 Message: building a warning for 10,000 people is dominated by the modern
    # EmailMessage's header parsing (≈ 9 ms a mail against ≈ 1 ms).
    msg: Message[str, str | Header] = Message(policy=UNFOLDED)
    msg["MIME-Version"] = "1.0"
    msg["From"] = sender
    msg["To"] = subscriber.email
    msg["Subject"] = Header(subject, "utf-8")
    msg["Date"] = formatdate(localtime=False)
    # The same Message-ID if a crash makes the worker send it again: mail stores that drop
    # duplicates by Message-ID then show it once.
    msg["Message-ID"] = f"<delivery-{delivery_id}@{sender.rpartition('@')[2]}>"
    msg["List-Id"] = f"<subscriptions.{sender.rpartition('@')[2]}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_payload("\n".join([*lines, "", *footer]) + "\n", "utf-8")
    return msg


def _publication_lines(payload: dict, language: str) -> list[str]:
    lines = [_text(payload, "title", language)]
    summary = _text(payload, "summary", language)
    if summary:
        lines += ["", summary]
    lines += ["", _("Read more: %(url)s", url=urls.absolute(payload["path"]))]
    return lines


def render_publication(
    message: OutboxMessage, deliveries: list[Delivery]
) -> dict[int, Message | None]:
    people = queries.subscribers_of([d.recipient for d in deliveries])
    out: dict[int, Message | None] = {}
    for d in deliveries:
        subscriber = people.get(d.recipient)
        if subscriber is None:
            out[d.id] = None
            continue
        with force_locale(subscriber.language):
            title = _text(message.payload, "title", subscriber.language)
            subject = _("[Warning] %(title)s", title=title) if message.urgent else title
            out[d.id] = _mail(
                subscriber, d.id, subject, _publication_lines(message.payload, subscriber.language)
            )
    return out


def render_digest(message: OutboxMessage, deliveries: list[Delivery]) -> dict[int, Message | None]:
    publications = queries.digest_publications(*queries.window(message))
    people = queries.subscribers_of([d.recipient for d in deliveries])
    out: dict[int, Message | None] = {}
    for d in deliveries:
        subscriber = people.get(d.recipient)
        mine = [
            p
            for p in publications
            if subscriber is not None
            and matches(
                subscriber.topics,
                subscriber.counties,
                p.topic,
                p.payload.get("category"),
                p.payload.get("counties") or (),
            )
        ]
        if subscriber is None or not mine:
            out[d.id] = None
            continue
        with force_locale(subscriber.language):
            lines = [_("New on the water portal today:"), ""]
            for p in mine:
                lines += [
                    "* " + _publication_lines(p.payload, subscriber.language)[0],
                    "  " + urls.absolute(p.payload["path"]),
                    "",
                ]
            subject = _("Water portal: %(n)s new publications today", n=len(mine))
            out[d.id] = _mail(subscriber, d.id, subject, lines)
    return out
