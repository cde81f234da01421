"""A real SMTP server (aiosmtpd) in a thread, and helpers to subscribe through the pages."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import threading
import time
from collections.abc import Callable
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every accepted message; can refuse, delay or kill on cue."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.refuse: Callable[[int], str | None] | None = None  # n -> "451 ..." or None
        self.before_accept: Callable[[int], None] | None = None
        self.delay = 0.0
        self.seen = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.seen += 1
            n = self.seen
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse is not None:
            answer = self.refuse(n)
            if answer:
                return answer
        if self.before_accept is not None:
            self.before_accept(n)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"{len(self.messages)} of {count} mails arrived")


class SMTPServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def config(self) -> dict[str, Any]:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port}


def body(msg: Any) -> str:
    return msg.get_content()


def link(msg: Message, kind: str) -> str:
    """The site path of the confirm / manage / unsubscribe link in a mail."""
    found = re.search(rf"https?://[^/\s]+(/subscribe/{kind}/[^\s]+)", body(msg))
    assert found, body(msg)
    return found.group(1)


def subscribe_form(address: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": address,
        "whole_region": "y",
        "topics": ["warnings", "water"],
        "frequency": "immediate",
    }
    data.update(extra)
    return data
