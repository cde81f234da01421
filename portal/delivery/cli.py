"""`flask --app portal worker`: the delivery worker, in the foreground.

SIGTERM (systemd's stop) and Ctrl-C stop it cleanly: the mail in hand is finished and
marked, the rest of its batch is released for the next worker.
"""

from __future__ import annotations

import logging
import signal
import threading

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from huey.consumer import Consumer

from portal.core import publications
from portal.core.extensions import db
from portal.delivery import queue, worker

log = logging.getLogger("portal.delivery")


class _Consumer(Consumer):
    # Set by huey's Consumer.__init__ (huey ships no type information).
    _signum: int | None
    _restart: bool
    _graceful: bool

    def stop(self, graceful: bool = False) -> None:
        worker.STOP.set()
        super().stop(graceful=graceful)

    def loop(self, health_check_ts: float | None = None) -> float | None:
        # A SIGTERM caught by our own handler (before huey's were installed) stops us too.
        if worker.STOP.is_set() and self._signum is None:
            self._signum, self._restart, self._graceful = signal.SIGTERM, False, True
        return super().loop(health_check_ts)


def _sweep(app: Flask, every: float) -> None:
    # Straight from the database, so it works while the queue (Redis) is down; the first
    # round at start-up sends whatever was committed while no worker ran.
    while not worker.STOP.is_set():
        try:
            with app.app_context():
                publications.publish_due()  # what the clock made public (scheduled notices)
        except Exception:
            log.exception("publishing what is due failed; trying again later")
        try:
            with app.app_context():
                worker.drain()
        except Exception:
            log.exception("delivery sweep failed; trying again later")
        worker.STOP.wait(every)


def _commit_without_flush(engine: sa.Engine) -> None:
    """The worker commits once per mail sent. It only has to survive its own death (SIGKILL),
    not a power cut of the database host: SQLite's WAL with synchronous=NORMAL and
    PostgreSQL's synchronous_commit=off keep every commit across a killed process and skip
    the disk flush. A power cut could forget the last "sent" marks: those few mails would go
    out twice, none would be lost."""
    name = engine.dialect.name

    def tune(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if name == "sqlite":
            cursor.execute("PRAGMA synchronous=NORMAL")
        elif name == "postgresql":
            cursor.execute("SET synchronous_commit TO off")
        cursor.close()
        if name == "postgresql":
            dbapi_connection.commit()

    sa.event.listen(engine, "connect", tune)
    engine.dispose()


@click.command("worker")
@click.option("--threads", type=int, default=None, help="Worker threads (default 2).")
@with_appcontext
def worker_command(threads: int | None) -> None:
    """Send everything in the outbox: publications, digests, confirmation mails."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    signal.signal(signal.SIGTERM, lambda *_: worker.STOP.set())  # until huey takes over
    _commit_without_flush(db.engine)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)
    huey = queue.get_huey(app)
    n = threads or int(app.config["DELIVERY_THREADS"])
    app.config["DELIVERY_THREADS"] = n
    consumer = _Consumer(
        huey,
        workers=n,
        worker_type="thread",
        periodic=True,
        graceful_signal="TERM",
        scheduler_interval=1,
    )
    sweeper = threading.Thread(
        target=_sweep, args=(app, float(app.config["DELIVERY_SWEEP_SECONDS"])), daemon=True
    )
    sweeper.start()
    click.echo(f"delivery worker: {n} threads, queue {type(huey).__name__}", err=True)
    consumer.run()
    worker.STOP.set()
    sweeper.join(timeout=60)
    click.echo("delivery worker stopped", err=True)
