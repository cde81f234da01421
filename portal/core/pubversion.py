"""The site-wide publication version: one row that moves in the same transaction as every change
to what the public can see, so a cached page is valid exactly while the version is unchanged.

No service has to remember it: session events mark a transaction that wrote to any mapped
table not declared private, and bump the row just before the commit (last, so the row lock is
held for the shortest time and never taken before a feature's own row locks).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core.extensions import Model
from portal.core.models import UTCDateTime, str64, utcnow

VERSION_ROW = 1

# Tables whose rows never reach a public page, feed or API answer: writing them leaves every
# cached page valid. Everything else counts as public (a forgotten table costs a re-render,
# never a stale page). Features add theirs with `register_private_table`.
PRIVATE_TABLES: set[str] = {
    "publication_version",
    "users",  # officials' accounts and last login
    "audit_entries",  # officials' audit log (admin only)
    "report_contacts",  # reporters' identities
    "report_reveals",  # who revealed a contact, when
    "report_api_keys",  # Open311 partners' keys
}


def register_private_table(name: str) -> None:
    """Declare a table whose changes never alter public output (outbox, subscriptions…)."""
    PRIVATE_TABLES.add(name)


class PublicationVersion(Model):
    __tablename__ = "publication_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # A random token of the row's creation: a restored or re-created database never
    # reuses the version numbers of cached pages made before it.
    epoch: Mapped[str64]
    n: Mapped[int] = mapped_column(sa.BigInteger)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


_table = PublicationVersion.__table__
_FLAG = "pubversion_public_change"


def _public(obj: Any) -> bool:
    return sa.inspect(obj).mapper.local_table.name not in PRIVATE_TABLES


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(_FLAG):
        return
    changed = list(session.new) + list(session.deleted)
    changed += [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    if any(_public(obj) for obj in changed):
        session.info[_FLAG] = True


def _orm_execute(state: Any) -> None:
    """Bulk ORM statements (session.execute(update(Model)…)) never pass through a flush."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    name = mapper.local_table.name if mapper is not None else None
    if name not in PRIVATE_TABLES:
        state.session.info[_FLAG] = True


def bump_statement(dialect_name: str, now: dt.datetime) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    insert: Any = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    stmt = insert(_table).values(id=VERSION_ROW, epoch=secrets.token_hex(8), n=1, changed_at=now)
    return stmt.on_conflict_do_update(
        index_elements=[_table.c.id], set_={"n": _table.c.n + 1, "changed_at": now}
    )


def _before_commit(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this hook; see every change now
    if not session.info.pop(_FLAG, False):
        return
    connection = session.connection()
    connection.execute(bump_statement(connection.dialect.name, utcnow()))


def _clear(session: Session, *_args: Any) -> None:
    session.info.pop(_FLAG, None)


def install_session_events() -> None:
    from flask_sqlalchemy.session import Session as FlaskSession

    if sa.event.contains(FlaskSession, "before_commit", _before_commit):
        return
    sa.event.listen(FlaskSession, "after_flush", _after_flush)
    sa.event.listen(FlaskSession, "do_orm_execute", _orm_execute)
    sa.event.listen(FlaskSession, "before_commit", _before_commit)
    sa.event.listen(FlaskSession, "after_rollback", _clear)


class VersionReader:
    """Reads the version with one primary-key lookup on a connection of its own (autocommit,
    no pre-ping: a failure is answered by rendering, and the next request reconnects)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: sa.Engine | None = None
        self._local = threading.local()
        self._pid = os.getpid()

    def _connection(self) -> Any:
        if self._pid != os.getpid() or self._engine is None:  # forked: never share sockets
            self._engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
            self._local = threading.local()
            self._pid = os.getpid()
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._engine.raw_connection()
            driver: Any = conn.driver_connection
            if self._engine.dialect.name == "postgresql":
                driver.autocommit = True
            else:
                driver.isolation_level = None  # sqlite3: autocommit, every read sees the latest
            self._local.conn = conn
        return conn

    def read(self) -> str | None:
        """'epoch.n', '' when the row does not exist yet, None when the database cannot say."""
        try:
            conn = self._connection()
            cursor = conn.cursor()
            try:
                cursor.execute("SELECT epoch, n FROM publication_version WHERE id = 1")
                row = cursor.fetchone()
            finally:
                cursor.close()
        except Exception:  # an outage: the caller renders instead
            self.reset()
            return None
        return f"{row[0]}.{row[1]}" if row else ""

    def reset(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with contextlib.suppress(Exception):  # already broken: nothing more to release
                conn.invalidate()
