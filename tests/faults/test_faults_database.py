"""PostgreSQL stops in the middle of a burst of report submissions and comes back: nothing
that a citizen was promised is lost, nothing that nobody was told about is invented, and
while it is down people see the 503 page and /healthz says 503."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
from browser.liveserver import portal_server

from .harness import Citizen, jpeg, private_postgres, wait_until

CLIENTS = 6


def health(base_url: str) -> int:
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=5) as resp:  # noqa: S310
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0


def test_database_restart_during_a_burst_of_reports_keeps_every_promise() -> None:
    with (
        private_postgres() as cluster,
        portal_server(
            "faults", database_url=cluster.url, demo=False,
            PORTAL_REPORT_RATE_LIMIT="100000 per hour",
        ) as server,
    ):  # fmt: skip
        stop = threading.Event()
        give_up = time.monotonic() + 90
        received: list[tuple[str, str]] = []
        citizens: list[Citizen] = []

        def citizen(n: int) -> None:
            me = Citizen(server.url)
            citizens.append(me)
            i = 0
            while not stop.is_set():
                i += 1
                place = f"故障测试 {n}-{i}"
                fields = me.fill_report(place, jpeg(i))
                if fields is None:
                    time.sleep(0.2)
                    continue
                # Someone who sees an error page presses "send" again: same form, same token.
                code = me.confirm(fields)
                while code is None and time.monotonic() < give_up:
                    time.sleep(0.3)
                    code = me.confirm(fields)
                assert code is not None, "the portal never answered after the database returned"
                received.append((code, place))

        threads = [threading.Thread(target=citizen, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        assert wait_until(lambda: len(received) >= CLIENTS, 30), "no report got through"

        cluster.stop("immediate")
        down = [health(server.url) for _ in range(3)]
        time.sleep(2)
        cluster.start()
        assert wait_until(lambda: health(server.url) == 200, 30)
        before = len(received)
        wait_until(lambda: len(received) >= before + CLIENTS, 20)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads)

        assert set(down) == {503}, down
        answers = [a for c in citizens for a in c.answers]
        failures = [a for a in answers if a.status >= 500 or a.status == 0]
        assert failures, "no request met the outage"
        for a in failures:
            assert a.status == 503, (a.status, a.url, a.body[:300], server.log())
            assert 'class="error-code"' in a.body and "Traceback" not in a.body, a.body[:500]

        url = server.env["PORTAL_DATABASE_URL"]
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT r.code, r.place, count(p.id), array_agg(p.filename) "
                "FROM reports r LEFT JOIN report_photos p ON p.report_id = r.id "
                "GROUP BY r.code, r.place"
            ).fetchall()
        stored = {code: (place, n, files) for code, place, n, files in rows}
        promised = dict(received)
        assert len(promised) == len(received), "a code was handed out twice"
        # Every code any citizen saw is stored, with the right report and its photo ...
        for code, place in promised.items():
            assert code in stored, f"{code} was shown to a citizen but is not stored"
            assert stored[code][0] == place
            assert stored[code][1] == 1, f"{code} lost its photo"
        # ... and nothing is stored that nobody was told about.
        assert set(stored) == set(promised)
        store = Path(server.env["PORTAL_UPLOAD_DIR"]) / "reports" / "store"
        on_disk = {p.name for p in store.iterdir()} if store.exists() else set()
        in_db = {f for _p, _n, files in stored.values() for f in files}
        assert in_db <= on_disk, f"photos missing on disk: {sorted(in_db - on_disk)[:5]}"
        assert on_disk <= in_db, f"photo files no report owns: {sorted(on_disk - in_db)[:5]}"
