"""Tools for breaking things on purpose: a private PostgreSQL cluster that a test may stop
(never the machine's shared one), and a scripted citizen speaking plain HTTP."""

from __future__ import annotations

import contextlib
import glob
import http.cookiejar
import io
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from browser.liveserver import LiveServer, free_port
from PIL import Image

from portal.accounts.demo import DEMO_PASSWORD


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return found[-1]


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class PrivatePostgres:
    """A throw-away cluster on a free port: ours to stop and start."""

    root: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--no-sync", "--no-instructions"]
            ),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=50"
        )
        subprocess.run(
            _as_postgres(
                [_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "60",
                 "-l", str(self.root / "server.log"), "start"]
            ),
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash as far as clients can tell: connections drop mid-query."""
        subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
            check=False, capture_output=True, timeout=60,
        )  # fmt: skip


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    with tempfile.TemporaryDirectory(prefix="portal-pg-") as tmp:
        os.chmod(tmp, 0o755)  # noqa: S103 - the postgres user must reach its data dir
        cluster = PrivatePostgres(Path(tmp) / "pg")
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.stop()


# --- a citizen in plain HTTP -------------------------------------------------------------


class _Forms(HTMLParser):
    """The fields of each form on a page, keyed by the form's action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self._current: list[tuple[str, str]] | None = None
        self.radios: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = self.forms.setdefault(a.get("action", ""), [])
        elif tag == "input" and self._current is not None and a.get("name"):
            if a.get("type") == "hidden":
                self._current.append((a["name"], a.get("value", "")))
            elif a.get("type") == "radio":
                self.radios.setdefault(a["name"], []).append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def parse_forms(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


CODE_RE = re.compile(r'class="rp-code"[^>]*>\s*([^<\s]+)\s*<')


def jpeg(seed: int = 0) -> bytes:
    image = Image.new("RGB", (64, 48), (seed * 37 % 256, 120, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def multipart(
    fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    boundary = "----portal" + secrets.token_hex(8)
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, filename, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


@dataclass
class Answer:
    status: int
    body: str
    url: str


class Citizen:
    """One browser's worth of cookies, speaking to the portal over HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.answers: list[Answer] = []

    def request(
        self, path: str, data: bytes | None = None, content_type: str | None = None
    ) -> Answer:
        req = urllib.request.Request(self.base + path, data=data)  # noqa: S310
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with self.opener.open(req, timeout=30) as resp:
                answer = Answer(resp.status, resp.read().decode("utf-8", "replace"), resp.url)
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, exc.read().decode("utf-8", "replace"), exc.url or path)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            answer = Answer(0, repr(exc), path)
        self.answers.append(answer)
        return answer

    def post_form(self, path: str, fields: list[tuple[str, str]]) -> Answer:
        body = urllib.parse.urlencode(fields).encode()
        return self.request(path, body, "application/x-www-form-urlencoded")

    def fill_report(self, place: str, photo: bytes | None) -> list[tuple[str, str]] | None:
        """Steps 1-2: the form, then the check page; returns the confirm form's fields."""
        page = self.request("/reports/new")
        if page.status != 200:
            return None
        forms = parse_forms(page.body)
        hidden = forms.forms.get("/reports/new", [])
        fields = [
            *hidden,
            ("category", forms.radios["category"][0]),
            ("county", "jiagedaqi"),
            ("place", place),
            ("description", "河面有大片油污，气味刺鼻。"),
            ("anonymous", "yes"),
            ("consent", "y"),
        ]
        files = [("photos", "photo.jpg", photo)] if photo is not None else []
        body, ctype = multipart(fields, files)
        checked = self.request("/reports/new", body, ctype)
        if checked.status != 200:
            return None
        confirm = parse_forms(checked.body).forms.get("/reports/new/confirm")
        return [*confirm, ("go", "send")] if confirm else None

    def confirm(self, fields: list[tuple[str, str]]) -> str | None:
        """Step 3: send; the tracking code shown, or None if the portal did not answer."""
        answer = self.post_form("/reports/new/confirm", fields)
        if answer.status != 200:
            return None
        found = CODE_RE.search(answer.body)
        return found.group(1) if found else None


def wait_until(predicate, timeout: float = 30, interval: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def sql_rows(server: LiveServer, query: str) -> list[tuple]:
    """Ask the live server's own database directly (SQLite file or PostgreSQL)."""
    url = server.env["PORTAL_DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute(query).fetchall()
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def log_in(client: Citizen, email: str, password: str = DEMO_PASSWORD) -> int:
    """Log in through the real form; the HTTP status of the answer."""
    page = client.request("/admin/login")
    fields = parse_forms(page.body).forms.get("/admin/login", [])
    answer = client.post_form("/admin/login", [*fields, ("email", email), ("password", password)])
    return answer.status
