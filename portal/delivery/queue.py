"""The job queue (huey): it only wakes the worker; the outbox rows are the truth.

SqliteHuey in instance/ by default (no server to run, `make run`), RedisHuey when
PORTAL_QUEUE_URL=redis://…. A lost wake-up (Redis down at commit time) costs a delay until
the worker's sweep, never a mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab

from portal.delivery import worker

log = logging.getLogger(__name__)


def make_huey(app: Flask) -> Huey:
    url = app.config.get("QUEUE_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey: Huey = RedisHuey("portal-delivery", url=url, results=False)
    else:
        path = Path(app.config["INSTANCE_PATH"]) / "queue.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("portal-delivery", filename=str(path), results=False)

    @huey.task(name="delivery.wake")
    def wake() -> None:
        with app.app_context():
            worker.drain(on_expand=lambda: _fan_out(app, huey))
            _wake_at_next_retry(huey)

    @huey.periodic_task(
        crontab(minute="0", hour=str((int(app.config["DIGEST_HOUR"]) - 8) % 24)),
        name="delivery.daily",
    )
    def daily() -> None:
        # The hour is China time; huey's crontab runs in UTC.
        with app.app_context():
            for job in app.extensions.get("delivery_daily", []):
                job()
        wake()

    huey.portal_wake = wake
    huey.portal_daily = daily
    return huey


def _fan_out(app: Flask, huey: Huey) -> None:
    # A big publication: let every worker thread take batches (each its own SMTP connection).
    try:
        for _ in range(int(app.config["DELIVERY_THREADS"]) - 1):
            huey.portal_wake()
    except Exception as exc:
        log.warning("extra wake-ups not queued: %s", type(exc).__name__)


def _wake_at_next_retry(huey: Huey) -> None:
    at = worker.next_retry_at()
    if at is not None:
        try:
            huey.portal_wake.schedule(eta=at)
        except Exception as exc:  # queue down: the sweep will find the retry
            log.warning("retry wake-up not queued: %s", type(exc).__name__)


def get_huey(app: Flask | None = None) -> Huey:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if "delivery_huey" not in app.extensions:
        app.extensions["delivery_huey"] = make_huey(app)
    return app.extensions["delivery_huey"]


def register_daily(app: Flask, job: Callable[[], None]) -> None:
    """A job for the worker's daily run (e.g. the subscriptions' digest), in an app context."""
    app.extensions.setdefault("delivery_daily", []).append(job)


def wake_soon() -> None:
    """Ask a worker to look at the outbox now. Never raises: the sweep is the safety net."""
    try:
        get_huey().portal_wake()
    except Exception as exc:
        log.warning(
            "delivery wake-up not queued (the worker's sweep will send): %s", type(exc).__name__
        )
