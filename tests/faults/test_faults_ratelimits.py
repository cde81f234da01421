"""`make run`'s setup, two gunicorn workers and no Redis: a rate limit still holds for all
workers together (the default storage is one SQLite file every worker shares)."""

from __future__ import annotations

from browser.liveserver import portal_server

from .harness import Citizen, log_in


def test_login_limit_holds_across_two_workers_without_redis() -> None:
    limit = 5
    with portal_server(
        "faults", demo=True, workers=2, PORTAL_LOGIN_RATE_LIMIT=f"{limit} per 15 minutes"
    ) as server:
        assert "PORTAL_RATELIMIT_STORAGE_URL" not in server.env  # make run's default
        statuses = [
            log_in(Citizen(server.url), "admin@demo.dxal.gov.cn", "wrong") for _ in range(3 * limit)
        ]
        assert len(server.worker_pids()) == 2
        passed = [s for s in statuses if s != 429]
        assert len(passed) == limit, statuses
        assert log_in(Citizen(server.url), "admin@demo.dxal.gov.cn") == 429
