"""The one signal every feature sends when it makes something public, for whoever carries it
onward (e-mail subscriptions today). Core owns the shape; features send, others listen.

`publish()` is called inside the publishing transaction, before the commit: a receiver may only
add rows to the same session (an outbox), never commit or talk to the network, so the
publication and the work that delivers it are committed or rolled back together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from blinker import Namespace
from flask import Flask, current_app

_signals = Namespace()
published = _signals.signal("publication")

class Topic(StrEnum):
    """What a publication is about, and what a subscriber chooses; "notices" is further
    narrowed by the notice's category slug (notices:<category>)."""

    WARNINGS = "warnings"
    WATER = "water"
    ENFORCEMENT = "enforcement"
    NOTICES = "notices"


_TOPICS = frozenset(Topic)


@dataclass(frozen=True)
class Publication:
    """Something that has just become public, in both languages."""

    topic: Topic
    source: str  # stable key of what was published, e.g. "alert:12:v3"; delivery idempotency
    path: str  # the public page, a site path such as "/alerts/12"
    title_zh: str
    summary_zh: str = ""
    title_en: str | None = None
    summary_en: str | None = None
    counties: tuple[str, ...] = field(default_factory=tuple)  # empty: the whole region
    category: str | None = None  # a notice category slug, for the "notices" topic
    urgent: bool = False  # warnings: sent at once to everyone, never batched into a digest

    def __post_init__(self) -> None:
        if self.topic not in _TOPICS:
            raise ValueError(f"unknown publication topic {self.topic!r}")
        if not self.path.startswith("/") or self.path.startswith("//"):
            raise ValueError("path must be a site path such as /alerts/12")


def publish(publication: Publication) -> None:
    """Tell every listener, inside the caller's transaction, that `publication` is public."""
    published.send(None, publication=publication)


def register_due(app: Flask, job: Callable[[], object]) -> None:
    """A feature's job that publishes what has become public by the clock alone (a notice
    scheduled for 9:00): it calls `publish()` and commits. The delivery worker's sweep runs
    every job before it sends (`publish_due`)."""
    app.extensions.setdefault("publications_due", []).append(job)


def publish_due() -> None:
    for job in current_app.extensions.get("publications_due", []):
        job()
