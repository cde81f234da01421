"""Fixtures: a fresh app and database per test (and an empty one for migrations), on SQLite
or on the PostgreSQL named by PORTAL_TEST_DATABASE_URL; clients; and officials logged in
through the real login form."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from portal.config import database_url
from portal.core.extensions import db as _db
from tests.core_support import PASSWORD, PG_URL

# The validators' demo portal, one per session for all their modules.
pytest_plugins = ["tests.demo_site"]


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def _schema(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema once per session: a template SQLite file, or the PostgreSQL tables."""
    if PG_URL:
        app = create_app(
            {
                "SECRET_KEY": "t",
                "SQLALCHEMY_DATABASE_URI": database_url(PG_URL),
                "INSTANCE_PATH": str(tmp_path_factory.mktemp("inst")),
            }
        )
        with app.app_context():
            with _db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            _db.create_all()
            _db.engine.dispose()
        return database_url(PG_URL)
    template = tmp_path_factory.mktemp("schema") / "template.db"
    app = create_app(
        {
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}",
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("inst")),
        }
    )
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    return str(template)


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A brand-new empty database of the kind under test."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(
        create_app(
            {"SECRET_KEY": "t", "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": PG_URL}
        ).config["SQLALCHEMY_DATABASE_URI"],
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    base = admin.url
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _truncate_all(url: str) -> None:
    engine = sa.create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()


def make_app(schema: str, tmp_path: Path, **overrides: Any) -> Flask:
    if PG_URL:
        url = schema
    else:
        target = tmp_path / "portal.db"
        if not target.exists():
            shutil.copyfile(schema, target)
        url = f"sqlite:///{target}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_DIR": str(tmp_path / "mail"),
        "BASE_URL": "https://water.example.gov.cn",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app_factory(_schema: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app with extra config; all apps of one test share its database."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = make_app(_schema, tmp_path, **overrides)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
    if PG_URL and made:
        _truncate_all(_schema)


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Iterator[Flask]:
    """The app under test. The test body runs inside the context of an identical twin on
    the same database: requests to `app` then get a fresh app context (and `g`) each, as in
    production, instead of sharing the test's."""
    app = app_factory()
    twin = app_factory()
    with twin.app_context():
        yield app


@pytest.fixture
def db(app: Flask) -> Any:
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    from portal.accounts import service

    def make(role: str = "admin", county: str | None = None, email: str | None = None) -> Any:
        email = email or f"{role}{'-' + county if county else ''}@dxal.example.gov.cn"
        user, errors = service.create_user(email, role, county, PASSWORD, name=role.title())
        assert user is not None, errors
        return user

    return make


@pytest.fixture
def login_as(client: FlaskClient, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Log the test client in through the real login form as a new official."""

    def login(role: str = "admin", county: str | None = None) -> Any:
        user = make_user(role, county)
        response = client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return user

    return login


class QueryCounter:
    """SQL statements the app sends while the block runs (as Indico's count_queries)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """`with count_queries() as counted: ...` then `counted.count`. Counts the app's own
    engine, so the page cache's one-row version read (its own connection) is not included."""
    import contextlib

    @contextlib.contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        with app.app_context():
            engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    return counting
