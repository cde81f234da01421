"""What the warnings banner costs a page: /pages/about rendered in-process (Flask test
client, SQLite) with no warning in force and with three, median of N requests each.

    .venv/bin/python tests/bench/alerts_banner.py [N]
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from portal import create_app
from portal.accounts.models import User
from portal.alerts import service
from portal.core.extensions import db


def _app(tmp: str, name: str):
    return create_app({
        "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/{name}.db",
        "INSTANCE_PATH": tmp, "PRODUCTION": False,
    })  # fmt: skip


def _three_warnings() -> None:
    user = User(id=None, email="bench", role="publisher", county=None)
    for level, county in (("red", "mohe"), ("orange", "tahe"), ("blue", "huma")):
        data = service.AlertData(
            level=level, kind="boil_water", counties=(county,), sites=(),
            headline_zh="演示", headline_en="Bench", instruction_zh="煮沸",
            instruction_en="Boil", description_zh="", description_en="",
            effective_from=None, expected_end=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        )  # fmt: skip
        service.create(data, user)


def _get(app, client) -> float:
    with app.app_context():
        start = time.perf_counter()
        client.get("/pages/about")
        return time.perf_counter() - start


def main(n: int = 300) -> None:
    """The two cases alternate request by request, so a busy machine slows both alike."""
    with tempfile.TemporaryDirectory() as tmp:
        quiet, warned = _app(tmp, "quiet"), _app(tmp, "warned")
        for app in (quiet, warned):
            with app.app_context():
                db.create_all()
        with warned.app_context():
            _three_warnings()
        clients = quiet.test_client(), warned.test_client()
        samples: tuple[list[float], list[float]] = ([], [])
        for _ in range(n):
            samples[0].append(_get(quiet, clients[0]))
            samples[1].append(_get(warned, clients[1]))
        none, three = (statistics.median(s) * 1000 for s in samples)
    print(f"/pages/about median over {n}: no warning {none:.2f} ms, three warnings "
          f"{three:.2f} ms ({three / none:.2f}×)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
