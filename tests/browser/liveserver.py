"""The portal as users meet it: gunicorn in a subprocess on its own database, with the demo
data loaded. Shared by the browser journeys, the fault-injection tests and the benchmark."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GUNICORN = BIN / "gunicorn"
FLASK = BIN / "flask"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- databases -------------------------------------------------------------------------


def _with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _maintenance(url: str) -> str:
    return _with_dbname(url, "postgres").replace("postgresql+psycopg://", "postgresql://")


def create_pg_database(url: str, prefix: str) -> str:
    """A fresh database beside the one `url` names (never touching that one's tables)."""
    import psycopg

    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_dbname(url, name)


def drop_pg_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- schema ----------------------------------------------------------------------------

CREATE_ALL = (
    "from portal import create_app\n"
    "from portal.core.extensions import db\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    db.create_all()\n"
)


CHECK_TABLES = (
    "import sqlalchemy as sa\n"
    "from portal import create_app\n"
    "from portal.core.extensions import db\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    have = set(sa.inspect(db.engine).get_table_names())\n"
    "    missing = sorted(set(db.metadata.tables) - have)\n"
    "    if missing:\n"
    "        raise SystemExit('the migrations do not create: ' + ', '.join(missing))\n"
)


def migrations_cover_features() -> bool:
    """The foundation ships one migration; the lead adds the features' ones later."""
    return len(list((ROOT / "migrations" / "versions").glob("*.py"))) > 1


def build_schema(env: dict[str, str]) -> None:
    """Schema through the real migrations once they cover the features (until then the
    features' tables exist only as models, so `db.create_all()` stands in)."""
    if migrations_cover_features():
        _run([str(FLASK), "--app", "portal", "db", "upgrade"], env, 300)
        _run([sys.executable, "-c", CHECK_TABLES], env, 120)
    else:
        _run([sys.executable, "-c", CREATE_ALL], env, 300)


def load_demo(env: dict[str, str]) -> str:
    return _run([str(FLASK), "--app", "portal", "demo", "load"], env, 600)


def _run(cmd: list[str], env: dict[str, str], timeout: float) -> str:
    done = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{cmd[-2:]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


# --- the server ------------------------------------------------------------------------


@dataclass
class LiveServer:
    env: dict[str, str]
    port: int
    workers: int = 2
    app: str = "wsgi:app"
    extra_args: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        self.log_path = Path(self.env["PORTAL_INSTANCE_PATH"]) / f"gunicorn-{self.port}.log"
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                str(GUNICORN),
                "--no-control-socket",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "5",
                *self.extra_args,
                self.app,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log()}")
            with (
                contextlib.suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(self.url + "/healthz", timeout=2) as resp,  # noqa: S310
            ):
                if resp.status == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes (children of the arbiter)."""
        assert self.proc is not None
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in children.read_text().split()]

    def log(self) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")[-4000:]
        return ""


def portal_env(instance: Path, database_url: str, base_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        {
            "PORTAL_SECRET_KEY": secrets.token_hex(32),
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_INSTANCE_PATH": str(instance),
            "PORTAL_UPLOAD_DIR": str(instance / "uploads"),
            "PORTAL_MAIL_DIR": str(instance / "mail"),
            "PORTAL_BASE_URL": base_url,
            "PORTAL_DEMO": "true",
            "PORTAL_REPORT_MIN_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def portal_server(
    prefix: str = "browser",
    *,
    database_url: str | None = None,
    demo: bool = True,
    workers: int = 2,
    **extra_env: str,
) -> Iterator[LiveServer]:
    """A migrated, demo-loaded portal under gunicorn. On PostgreSQL when `database_url`
    (or PORTAL_TEST_DATABASE_URL) names one: a throw-away database beside it, dropped after;
    otherwise a temporary SQLite file."""
    base_pg = database_url or os.environ.get("PORTAL_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix=f"portal-{prefix}-") as tmp:
        instance = Path(tmp) / "instance"
        (instance / "uploads").mkdir(parents=True)
        url = create_pg_database(base_pg, prefix) if base_pg else f"sqlite:///{instance}/portal.db"
        port = free_port()
        env = portal_env(instance, url, f"http://127.0.0.1:{port}", **extra_env)
        server = LiveServer(env=env, port=port, workers=workers)
        try:
            build_schema(env)
            if demo:
                load_demo(env)
            server.start()
            yield server
        finally:
            server.stop()
            if base_pg:
                drop_pg_database(url)
