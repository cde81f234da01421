"""Delivery of mail: a transactional outbox filled inside publishing transactions, drained by
a huey worker (`flask --app portal worker`) with one copy per recipient and retries.

Settings (PORTAL_*): QUEUE_URL (redis://…; default: SQLite file in instance/),
DELIVERY_BATCH, DELIVERY_LEASE_SECONDS, DELIVERY_RETRY_SECONDS, DELIVERY_RETRY_MAX_SECONDS,
DELIVERY_MAX_ATTEMPTS, DELIVERY_SWEEP_SECONDS, DELIVERY_THREADS, DIGEST_HOUR (China time).
"""

from __future__ import annotations

import os

from flask import Flask

SETTINGS = {
    "QUEUE_URL": "",
    "DELIVERY_BATCH": "100",
    "DELIVERY_LEASE_SECONDS": "300",
    "DELIVERY_RETRY_SECONDS": "60",
    "DELIVERY_RETRY_MAX_SECONDS": "3600",
    "DELIVERY_MAX_ATTEMPTS": "8",
    "DELIVERY_SWEEP_SECONDS": "30",
    "DELIVERY_THREADS": "2",
    "DIGEST_HOUR": "18",
}


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.core.nav import add_admin_link
    from portal.core.permissions import Role
    from portal.delivery import admin, cli, models, service  # noqa: F401

    for name, default in SETTINGS.items():
        raw = os.environ.get(f"PORTAL_{name}") or default
        app.config.setdefault(name, raw if name == "QUEUE_URL" else int(raw))
    service.connect_receiver()
    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.worker_command)
    add_admin_link(app, "delivery_admin.index", _l("Mail delivery"), Role.ADMIN)

    from portal.core import pagecache

    # Never shown publicly: writing them leaves every cached page valid.
    pagecache.register_private_table("outbox_messages")
    pagecache.register_private_table("deliveries")
