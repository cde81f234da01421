"""Configuration: safe defaults for development, overridden by PORTAL_* environment variables."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any, overload

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """The configuration cannot run safely (e.g. production without a secret key)."""


@overload
def _env(name: str, default: str) -> str: ...
@overload
def _env(name: str, default: None = None) -> str | None: ...
def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"PORTAL_{name}")
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    try:
        return int(raw) if raw is not None else default
    except ValueError as exc:
        raise ConfigError(f"PORTAL_{name} must be a whole number, not {raw!r}") from exc


def _dev_secret_key(instance: Path) -> str:
    """Generate once and keep in instance/: every worker and restart then shares it,
    so sessions and CSRF tokens survive (a per-process random key would break them)."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def database_url(url: str) -> str:
    """Plain postgresql:// URLs use psycopg 3 (the driver this project installs)."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def load(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping. `overrides` (tests) win over the environment."""
    overrides = dict(overrides or {})
    env = overrides.pop("ENV", None) or _env("ENV", "development")
    production = env == "production"
    instance = Path(overrides.pop("INSTANCE_PATH", None) or _env("INSTANCE_PATH", str(INSTANCE)))

    secret = overrides.pop("SECRET_KEY", None) or _env("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("PORTAL_SECRET_KEY must be set when PORTAL_ENV=production")
        secret = _dev_secret_key(instance)

    cfg: dict[str, Any] = {
        "ENV_NAME": env,
        "PRODUCTION": production,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": secret,
        # Keys the audit chain. Set it apart from the secret key in production and keep it
        # away from whoever administers the database; by default derived from the secret.
        "AUDIT_KEY": _env("AUDIT_KEY")
        or hmac.new(secret.encode(), b"dxal-audit-chain", hashlib.sha256).hexdigest(),
        # Chain heads of the audit log (and other hash-chained logs), outside the database.
        "ANCHOR_DIR": _env("ANCHOR_DIR", str(instance / "anchors")),
        "SQLALCHEMY_DATABASE_URI": database_url(
            _env("DATABASE_URL", f"sqlite:///{instance / 'portal.db'}") or ""
        ),
        # hide_parameters: a failed statement's values (a reporter's name, a code) never
        # reach the error log with the exception.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "UPLOAD_DIR": _env("UPLOAD_DIR", str(instance / "uploads")),
        "MAIL_DIR": _env("MAIL_DIR", str(instance / "mail")),
        # Shows a "sample data" banner on every page; set by `make run` with the demo data set.
        "DEMO_MODE": _env("DEMO", "false") == "true" and not production,
        "BASE_URL": (_env("BASE_URL", "http://127.0.0.1:5000") or "").rstrip("/"),
        # The page cache (portal/core/pagecache.py): "off" renders every request.
        "PAGE_CACHE": _env("CACHE", "on") != "off",
        "PAGE_CACHE_URL": _env("CACHE_URL"),
        # One file shared by every worker on the host (portal/core/ratelimit.py); Redis for
        # several hosts.
        "RATELIMIT_STORAGE_URI": _env(
            "RATELIMIT_STORAGE_URL", f"sqlite:///{instance / 'ratelimits.db'}"
        ),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Explicit: Flask-Limiter otherwise inherits the last app's setting (one limiter
        # object serves every app of the process, as in the test suite).
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "10 per 15 minutes"),
        # Number of reverse proxies in front of the portal whose X-Forwarded-For is trusted.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Water publication calendar: a county's quarter is due this many days after the
        # quarter ends; an exceedance's explanation this many days after publication.
        "WATER_PUBLICATION_DUE_DAYS": _int("WATER_PUBLICATION_DUE_DAYS", 30),
        "WATER_EXPLANATION_DUE_DAYS": _int("WATER_EXPLANATION_DUE_DAYS", 10),
        "MAIL_SERVER": _env("MAIL_SERVER"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _env("MAIL_USE_TLS", "false") == "true",
        "MAIL_SENDER": _env("MAIL_SENDER", "noreply@dxal.example.gov.cn"),
        "BABEL_DEFAULT_LOCALE": "zh_Hans",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ("zh_Hans", "en"),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 32 * 1024 * 1024),
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
        "MAX_FORM_PARTS": 200,
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
    }
    cfg.update(overrides)
    cfg["SQLALCHEMY_DATABASE_URI"] = database_url(cfg["SQLALCHEMY_DATABASE_URI"])
    return cfg
