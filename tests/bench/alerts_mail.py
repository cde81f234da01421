"""Benchmark (not a test): a red warning for one county with N confirmed subscribers, from
the publishing commit until the last mail has reached a local SMTP server (aiosmtpd), through
the real worker process (`flask --app portal worker`).

    .venv/bin/python tests/bench/alerts_mail.py            # sizes 1000,10000,50000
    BENCH_MAIL_SIZES=1000,10000 BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/bench_mail \\
        .venv/bin/python tests/bench/alerts_mail.py

BENCH_DATABASE_URL: default a fresh SQLite file per size (what `make run` uses); a PostgreSQL
database is emptied and re-created. BENCH_WORKER_THREADS (default 2), BENCH_BATCH (default
100 mails per SMTP connection and claim). Results go to tests/bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from portal import create_app  # noqa: E402
from portal.config import database_url  # noqa: E402
from portal.core.extensions import db  # noqa: E402
from portal.core.publications import Publication, publish  # noqa: E402
from portal.subscriptions.models import Subscriber  # noqa: E402
from tests.delivery_support import free_port  # noqa: E402

HEADING = "## Red warning to e-mail subscribers (`tests/bench/alerts_mail.py`)"
TARGET_SECONDS = 300


class Counting:
    def __init__(self) -> None:
        self.rcpts: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.lock:
            self.rcpts.update(envelope.rcpt_tos)
        return "250 OK"

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.rcpts.values())


def fresh_app(url: str | None, instance: Path):  # type: ignore[no-untyped-def]
    db_url = database_url(url) if url else f"sqlite:///{instance / 'bench.db'}"
    app = create_app(
        {
            "SECRET_KEY": "bench-secret",
            "SQLALCHEMY_DATABASE_URI": db_url,
            "INSTANCE_PATH": str(instance),
            "BASE_URL": "https://water.example.gov.cn",
        }
    )
    with app.app_context():
        if url:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        db.create_all()
    return app


def run_one(n: int, url: str | None) -> dict[str, object]:
    instance = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    app = fresh_app(url, instance)
    handler = Counting()
    port = free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    with app.app_context():
        for start in range(0, n, 5000):
            db.session.execute(
                sa.insert(Subscriber),
                [
                    {
                        "email": f"resident{i}@example.org",
                        "counties": ["mohe"],
                        "topics": ["warnings"],
                        "frequency": "immediate",
                        "language": "zh_Hans" if i % 4 else "en",
                        "nonce": f"nonce-{i}",
                    }
                    for i in range(start, min(n, start + 5000))
                ],
            )
        db.session.commit()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_SECRET_KEY": "bench-secret",
        "PORTAL_BASE_URL": "https://water.example.gov.cn",
        "PORTAL_MAIL_SERVER": "127.0.0.1",
        "PORTAL_MAIL_PORT": str(port),
        "PORTAL_DELIVERY_BATCH": os.environ.get("BENCH_BATCH", "100"),
    }
    threads = os.environ.get("BENCH_WORKER_THREADS", "2")
    log = (instance / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("flask")),
            "--app",
            "portal",
            "worker",
            "--threads",
            threads,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    while "delivery worker:" not in (instance / "worker.log").read_text():
        time.sleep(0.1)
    with app.app_context():
        started = time.monotonic()
        publish(
            Publication(
                topic="warnings",
                source="alert:bench:v1",
                path="/alerts/1",
                title_zh="红色预警：漠河市城区暂停饮用自来水",
                title_en="Red warning: do not drink tap water in Mohe",
                summary_zh="因上游突发水污染事件，请勿饮用自来水，等待进一步通知。",
                counties=("mohe",),
                urgent=True,
            )
        )
        db.session.commit()
    deadline = started + 3 * TARGET_SECONDS * max(1, n // 10000)
    while handler.total < n and time.monotonic() < deadline:
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    time.sleep(3)  # anything more would be a duplicate
    worker.send_signal(signal.SIGTERM)
    worker.wait(60)
    smtp.stop()
    recipients = handler.rcpts
    return {
        "n": n,
        "seconds": elapsed,
        "received": sum(recipients.values()),
        "distinct": len(recipients),
        "duplicates": sum(c - 1 for c in recipients.values() if c > 1),
        "threads": threads,
    }


def write_results(rows: list[dict[str, object]], url: str | None) -> None:
    results = ROOT / "tests" / "bench" / "RESULTS.md"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    heading = f"{HEADING}, {'PostgreSQL' if url else 'SQLite'}"
    if heading in text:
        head, _, tail = text.partition(heading)
        nxt = tail.find("\n## ")
        text = head.rstrip() + "\n" + (tail[nxt:] if nxt != -1 else "")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    database = (
        "PostgreSQL (same machine)" if url else "SQLite (instance/ file, the `make run` default)"
    )
    lines = [
        "",
        heading,
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPU, "
        f"Python {platform.python_version()}; load average at the end {load} (the machine is "
        "shared with other work). One worker process "
        f"(`flask --app portal worker --threads {rows[0]['threads']}`), database {database}, "
        "aiosmtpd on 127.0.0.1 in the benchmark process. Time from the publishing commit to "
        "the last mail accepted by the SMTP server; each recipient counted on the server side.",
        "",
        "| Subscribers | Seconds | Mails/s | Received | Duplicates | One copy each "
        "| Within 5 min (the 10,000 target) |",
        "|---:|---:|---:|---:|---:|:-:|:-:|",
    ]
    for r in rows:
        complete = r["received"] == r["n"] == r["distinct"]
        fast = r["seconds"] <= TARGET_SECONDS
        target = (
            ("yes" if complete and fast else "**no**")
            if r["n"] == 10000
            else ("yes" if fast else "no (no target)")
        )
        lines.append(
            f"| {r['n']:,} | {r['seconds']:.1f} | {r['n'] / r['seconds']:.0f} | "
            f"{r['received']:,} | {r['duplicates']} | {'yes' if complete else '**no**'} "
            f"| {target} |"
        )
    results.write_text(text.rstrip() + "\n" + "\n".join(lines) + "\n")


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_MAIL_SIZES", "1000,10000,50000").split(",")]
    url = os.environ.get("BENCH_DATABASE_URL")
    rows = []
    for n in sizes:
        row = run_one(n, url)
        print(row, flush=True)
        rows.append(row)
    write_results(rows, url)


if __name__ == "__main__":
    main()
