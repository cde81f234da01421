"""Rate limits that hold across worker processes, and limits shared by every endpoint that
does the same thing (a password check, a look-up by tracking code).

The `limits` library offers memory (per process), Redis, Memcached and MongoDB storages.
Without a server, `make run`'s two gunicorn workers would each count on their own, so the
development default is this small storage in one SQLite file (``sqlite:///<path>``): every
process on the host shares the counters. Production with several hosts uses Redis.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import current_app
from limits.storage import Storage

from portal.core.extensions import limiter


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite file (WAL), safe for threads and forked workers."""

    STORAGE_SCHEME = ["sqlite"]  # noqa: RUF012 - the limits registry reads this list

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions, **options)
        path = (uri or "").split("://", 1)[1][1:] if "://" in (uri or "") else ""
        if not path:
            raise ValueError("sqlite:///<path> needs a file path")
        self.path = path
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _conn(self) -> sqlite3.Connection:
        # One connection per thread and process: a connection must not cross a fork.
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS counters "
                "(key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)"
            )
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        conn = self._conn()
        now = time.time()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "SELECT value, expires FROM counters WHERE key = ?", (key,)
            ).fetchone()
            if row is None or row[1] <= now:
                value, expires = amount, now + expiry
            else:
                value, expires = row[0] + amount, row[1]
            conn.execute(
                "INSERT OR REPLACE INTO counters (key, value, expires) VALUES (?, ?, ?)",
                (key, value, expires),
            )
            # Expired counters of other clients go now and then, so the file stays small.
            if value == amount:
                conn.execute("DELETE FROM counters WHERE expires <= ?", (now,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return int(value)

    def get(self, key: str) -> int:
        row = (
            self._conn()
            .execute("SELECT value FROM counters WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = (
            self._conn()
            .execute(
                "SELECT expires FROM counters WHERE key = ? AND expires > ?", (key, time.time())
            )
            .fetchone()
        )
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._conn().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        cur = self._conn().execute("DELETE FROM counters")
        return cur.rowcount

    def clear(self, key: str) -> None:
        self._conn().execute("DELETE FROM counters WHERE key = ?", (key,))


def _configured(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


# Shared scopes: one count per client across all the endpoints that decorate with them.
# A password check (the login form; any future password form must use this too).
login_limit = limiter.shared_limit(_configured("LOGIN_RATE_LIMIT"), scope="login", methods=["POST"])
# A use of a tracking code or status link: look-up, rating, dispute, status page, Open311.
tracking_limit = limiter.shared_limit(_configured("TRACK_RATE_LIMIT"), scope="tracking")
