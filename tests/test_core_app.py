"""The application factory, configuration, health check, headers, static files, error pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import abort

from portal import create_app
from portal.config import ConfigError


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_development_secret_is_generated_once_and_shared_by_every_worker(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)})
    second = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_configures_database_base_url_and_rate_limit_storage(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql://u@db.internal/portal")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://water.example.gov.cn/")
    monkeypatch.setenv("PORTAL_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "from-env")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/portal"
    assert app.config["BASE_URL"] == "https://water.example.gov.cn"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert app.config["SECRET_KEY"] == "from-env"


def test_production_session_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 64})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "up"}


def test_healthz_answers_503_when_the_database_does_not(app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "down"


def test_database_outage_shows_the_translated_503_page_without_traceback(app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")

    @app.get("/needs-db")
    def needs_db():
        from portal.core.extensions import db

        db.session.execute(sa.text("SELECT 1"))
        return "never"

    response = app.test_client().get("/needs-db", headers={"Accept-Language": "zh-CN"})
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "暂时无法访问" in body and "12369" in body
    assert "Traceback" not in body and "OperationalError" not in body


def test_every_response_carries_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_when_served_over_https(client):
    response = client.get("/", base_url="https://water.example.gov.cn")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_link_only_local_assets_with_content_hashed_names(client):
    html = client.get("/").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js|svg|png))"', html)
    assert assets
    for url in assets:
        assert url.startswith("/static/"), url  # no CDN, nothing external
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), url


def test_hashed_static_files_are_served_with_a_long_immutable_lifetime(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=315360000" in response.headers["Cache-Control"]
    assert b"--brand" in response.data
    plain = client.get("/static/css/portal.css")
    assert plain.status_code == 200 and "immutable" not in plain.headers["Cache-Control"]


def test_wsgi_module_exposes_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    import importlib

    import wsgi

    importlib.reload(wsgi)
    assert wsgi.app.name == "portal"


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        (400, "请求有误", "Bad request"),
        (403, "不允许访问", "Not allowed"),
        (404, "页面不存在", "Page not found"),
        (405, "不允许访问", "Not allowed"),
        (413, "内容过大", "Too large"),
        (429, "请求过于频繁", "Too many requests"),
        (500, "出现错误", "Something went wrong"),
        (503, "暂时无法访问", "Temporarily unavailable"),
    ],
)
def test_error_pages_are_translated_and_never_show_a_traceback(app, code, zh, en):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, not as in tests

    @app.get("/fail")
    def fail():
        if code == 500:
            raise RuntimeError("secret internal detail")
        abort(code)

    client = app.test_client()
    for lang, title in (("zh-CN", zh), ("en", en)):
        response = client.get("/fail", headers={"Accept-Language": lang})
        body = response.get_data(as_text=True)
        assert response.status_code == code
        assert title in body
        assert "Traceback" not in body and "secret internal detail" not in body
        assert 'href="#main"' in body  # the page keeps the site layout


def test_unknown_method_is_a_405_page_with_allow_header(client):
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_oversized_request_is_a_413_page(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1000)
    response = app.test_client().post("/admin/login", data={"email": "x" * 5000})
    assert response.status_code == 413


def test_api_errors_answer_in_json(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_no_template_is_left_with_an_undefined_variable(app):
    # StrictUndefined is on outside production: a typo in a template fails the tests.
    from jinja2 import StrictUndefined

    assert app.jinja_env.undefined is StrictUndefined


def test_sqlite_runs_with_wal_full_sync_and_foreign_keys(app_factory, tmp_path):
    from portal.core.extensions import db

    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/pragmas.db")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_pool_checks_connections_before_use(app, db):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert db.engine.pool._pre_ping is True


def test_templates_and_static_live_at_the_repository_top_level(app):
    root = Path(__file__).resolve().parents[1]
    assert Path(app.template_folder) == root / "templates"
    assert Path(app.static_folder) == root / "static"


def test_a_session_that_cannot_close_after_an_outage_keeps_the_answer(app, monkeypatch):
    # Closing the session rolls back on a dead connection and raises: the page already made
    # (here the health check) must still reach the user, not the server's bare 500.
    from sqlalchemy.orm import scoping

    calls = {"n": 0}
    real_remove = scoping.scoped_session.remove

    def failing_remove(self):
        calls["n"] += 1
        if calls["n"] == 1:
            raise sa.exc.OperationalError("ROLLBACK", {}, Exception("server closed the connection"))
        return real_remove(self)

    monkeypatch.setattr(scoping.scoped_session, "remove", failing_remove)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert calls["n"] >= 1
