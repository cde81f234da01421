"""Worker faults: a gunicorn worker killed mid-request leaves nothing half-saved, and rate
limits hold across workers and servers that share one Redis."""

from __future__ import annotations

import os
import random
import re
import signal
import threading
import time
from pathlib import Path

import redis
from browser.liveserver import LiveServer, free_port, portal_server

from .harness import Citizen, jpeg, log_in, parse_forms, sql_rows, wait_until

REDIS_DB = int(os.environ.get("PORTAL_TEST_REDIS_DB", "7"))  # ours alone: flushed freely
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"


def test_login_rate_limit_holds_across_workers_and_servers_sharing_redis() -> None:
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    limit = 6
    with portal_server(
        "faults",
        demo=True,
        PORTAL_RATELIMIT_STORAGE_URL=REDIS_URL,
        PORTAL_LOGIN_RATE_LIMIT=f"{limit} per 15 minutes",
    ) as first:
        second = LiveServer(env=dict(first.env), port=free_port(), workers=2)
        second.start()
        try:
            statuses = []
            for attempt in range(limit):
                server = (first, second)[attempt % 2]
                statuses.append(log_in(Citizen(server.url), "admin@demo.dxal.gov.cn", "wrong"))
            assert 429 not in statuses, statuses
            # The limit is spent: every worker of both servers refuses, even the right password.
            for server in (first, second, first, second):
                assert log_in(Citizen(server.url), "admin@demo.dxal.gov.cn") == 429
        finally:
            second.stop()
            store.flushdb()


def test_killing_a_worker_mid_request_leaves_nothing_half_saved() -> None:
    with portal_server(
        "faults",
        demo=True,
        PORTAL_REPORT_RATE_LIMIT="100000 per hour",
        PORTAL_LOGIN_RATE_LIMIT="1000 per minute",
    ) as server:
        stop = threading.Event()
        give_up = time.monotonic() + 90
        received: list[tuple[str, str]] = []
        published: list[str] = []

        def citizen(n: int) -> None:
            me = Citizen(server.url)
            i = 0
            while not stop.is_set():
                i += 1
                place = f"进程终止测试 {n}-{i}"
                fields = me.fill_report(place, jpeg(i))
                if fields is None:
                    continue
                code = me.confirm(fields)
                while code is None and time.monotonic() < give_up:
                    time.sleep(0.2)
                    code = me.confirm(fields)
                assert code is not None
                received.append((code, place))

        def publisher() -> None:
            me = Citizen(server.url)
            assert log_in(me, "publisher@demo.dxal.gov.cn") == 200
            i = 0
            while not stop.is_set():
                i += 1
                title = f"进程终止测试通知 {i}"
                form = me.request("/admin/notices/new")
                if form.status != 200:
                    continue
                forms = parse_forms(form.body).forms
                hidden = forms.get("/admin/notices/new") or forms.get("", [])
                draft = me.post_form(
                    "/admin/notices/new",
                    [*hidden, ("category", "announcements"), ("county", ""),
                     ("language", "zh_Hans"),
                     ("title_zh", title), ("summary_zh", "摘要"), ("body_zh", "正文")],
                )  # fmt: skip
                found = re.search(r'action="(/admin/notices/\d+/publish)"', draft.body)
                if draft.status != 200 or not found:
                    continue
                token = parse_forms(draft.body).forms[found.group(1)]
                done = me.post_form(found.group(1), token)
                if done.status == 200:
                    published.append(title)

        threads = [threading.Thread(target=citizen, args=(n,)) for n in range(4)]
        threads.append(threading.Thread(target=publisher))
        for t in threads:
            t.start()
        assert wait_until(lambda: len(received) >= 4, 30)
        kills = 0
        for _ in range(5):
            time.sleep(random.uniform(0.3, 0.8))
            victim = random.choice(server.worker_pids())
            os.kill(victim, signal.SIGKILL)
            kills += 1
            wait_until(lambda: len(server.worker_pids()) == 2, 20)
        time.sleep(1)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads)
        assert kills == 5 and published

        reports = sql_rows(
            server,
            "SELECT r.code, r.place, (SELECT count(*) FROM report_photos p "
            "WHERE p.report_id = r.id) FROM reports r WHERE r.place LIKE '进程终止测试%'",
        )
        stored = {code: (place, n) for code, place, n in reports}
        assert stored.keys() == dict(received).keys()
        assert all(n == 1 for _place, n in stored.values()), stored
        files = sql_rows(
            server,
            "SELECT p.filename FROM report_photos p JOIN reports r ON r.id = p.report_id "
            "WHERE r.place LIKE '进程终止测试%'",
        )
        store = Path(server.env["PORTAL_UPLOAD_DIR"]) / "reports" / "store"
        assert all((store / f).is_file() for (f,) in files)

        notices = sql_rows(
            server,
            "SELECT title_zh, status, published_at FROM notices "
            "WHERE title_zh LIKE '进程终止测试%'",
        )
        by_title = {t: (s, at) for t, s, at in notices}
        for title in published:
            assert by_title[title][0] == "published" and by_title[title][1] is not None
        for title, (status, at) in by_title.items():
            assert status in ("draft", "published"), (title, status)
            assert (status == "published") == (at is not None), (title, status, at)
