"""Message kinds a feature teaches the worker: how to find a message's recipients and render
their mails. Registered at start-up (`register_kind`), looked up by the worker
(`kind_handler`); no other delivery module is needed for either, so the worker imports this
and nothing that leads back to it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import Message

from flask import Flask, current_app

from portal.delivery.models import Delivery, OutboxMessage

_KEY = "delivery_kinds"


@dataclass(frozen=True)
class Kind:
    """How the worker finds a message's recipients and renders their mails (a feature's job).

    audience(message) -> recipient keys; render(message, deliveries) -> {delivery id: mail
    or None when the recipient is gone}.
    """

    audience: Callable[[OutboxMessage], Iterable[str]]
    render: Callable[[OutboxMessage, list[Delivery]], dict[int, Message | None]]


def register_kind(app: Flask, kind: str, handler: Kind) -> None:
    app.extensions.setdefault(_KEY, {})[kind] = handler


def kind_handler(kind: str) -> Kind | None:
    return current_app.extensions.get(_KEY, {}).get(kind)
