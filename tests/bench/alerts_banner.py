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
from portal.extensions import db


def timed(client, n: int) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        client.get("/pages/about")
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main(n: int = 300) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db",
            "INSTANCE_PATH": tmp, "PRODUCTION": False,
        })  # fmt: skip
        client = app.test_client()
        with app.app_context():
            db.create_all()
            none = timed(client, n)
            user = User(id=None, email="bench", role="publisher", county=None)
            for level, county in (("red", "mohe"), ("orange", "tahe"), ("blue", "huma")):
                data = service.AlertData(
                    level=level, kind="boil_water", counties=(county,), sites=(),
                    headline_zh="演示", headline_en="Bench", instruction_zh="煮沸",
                    instruction_en="Boil", description_zh="", description_en="",
                    effective_from=None, expected_end=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
                )  # fmt: skip
                service.create(data, user)
            three = timed(client, n)
    print(f"/pages/about median over {n}: no warning {none:.2f} ms, three warnings "
          f"{three:.2f} ms ({three / none:.2f}×)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
