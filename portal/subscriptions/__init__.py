"""E-mail subscriptions without an account: double opt-in, choices by county and topic,
immediate or daily digest, one-click unsubscribe. Mails go through portal.delivery.

Settings (PORTAL_*): SUBSCRIBE_RATE_LIMIT (default 10 per hour per client),
SUBSCRIBE_CONFIRM_HOURS (how long a confirmation link works, default 48).
"""

from __future__ import annotations

import os

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core.extensions import csrf
    from portal.delivery import queue
    from portal.delivery.kinds import Kind, register_kind
    from portal.subscriptions import mails, models, queries, service, views  # noqa: F401

    app.config.setdefault(
        "SUBSCRIBE_RATE_LIMIT", os.environ.get("PORTAL_SUBSCRIBE_RATE_LIMIT") or "10 per hour"
    )
    app.config.setdefault(
        "SUBSCRIBE_CONFIRM_HOURS", int(os.environ.get("PORTAL_SUBSCRIBE_CONFIRM_HOURS") or 48)
    )
    app.register_blueprint(views.bp)
    csrf.exempt(views.unsubscribe)
    app.config.setdefault("CSRF_EXEMPT_ENDPOINTS", set()).add("subscriptions.unsubscribe")
    register_kind(app, "publication", Kind(queries.publication_audience, mails.render_publication))
    register_kind(app, "digest", Kind(queries.digest_audience, mails.render_digest))
    queue.register_daily(app, service.daily)

    from portal.core import pagecache

    # Never shown publicly: writing them leaves every cached page valid.
    pagecache.register_private_table("subscribers")
    pagecache.register_private_table("subscription_requests")
