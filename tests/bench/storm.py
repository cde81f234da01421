"""The publish storm: a notice published and another withdrawn every second while readers
hammer the home page and the feed. Every answer to a request that started after a
publication's commit must show that publication; none may be an error.

Readers are Python threads on keep-alive connections (wrk cannot check bodies), so their
req/s is bounded by this process, not by the portal; the figure that matters is staleness.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StormResult:
    published: int = 0
    withdrawn: int = 0
    answers: int = 0
    stale: int = 0
    errors: int = 0
    examples: list[str] = field(default_factory=list)


def _publisher(app: Any, stop: threading.Event, commits: list[tuple[int, float]],
               result: StormResult, tag: str) -> None:  # fmt: skip
    from portal.core.extensions import db
    from portal.notices import service
    from portal.notices.models import Notice

    n = 0
    live: list[int] = []
    while not stop.is_set():
        tick = time.monotonic()
        with app.app_context():
            data = service.NoticeData(
                category="announcements", county=None, language="zh_Hans",
                title_zh=f"压测通知 [{tag}-{n}]", title_en=f"Storm notice [{tag}-{n}]",
                summary_zh="压测", summary_en=None, body_zh="压测正文", body_en=None,
            )  # fmt: skip
            notice = service.create_draft(data)
            service.publish(notice)
            commits.append((n, time.monotonic()))
            live.append(notice.id)
            result.published += 1
            if len(live) > 3:
                old = db.session.get(Notice, live.pop(0))
                service.withdraw(old, "压测撤回")
                result.withdrawn += 1
            db.session.remove()
        n += 1
        stop.wait(max(0.0, 1.0 - (time.monotonic() - tick)))


def _reader(base: str, paths: list[str], stop: threading.Event,
            commits: list[tuple[int, float]], result: StormResult, tag: str,
            lock: threading.Lock) -> None:  # fmt: skip
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    i = 0
    while not stop.is_set():
        path = paths[i % len(paths)]
        i += 1
        started = time.monotonic()
        expected = next((n for n, at in reversed(commits) if at < started), None)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read().decode("utf-8", "replace")
            status = resp.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            with lock:
                result.errors += 1
            continue
        with lock:
            result.answers += 1
            if status != 200:
                result.errors += 1
            elif expected is not None and f"[{tag}-{expected}]" not in body:
                result.stale += 1
                if len(result.examples) < 5:
                    result.examples.append(f"{path}: missing {tag}-{expected}")
    conn.close()


def storm(app: Any, base: str, *, seconds: int, connections: int) -> StormResult:
    result = StormResult()
    tag = f"s{int(time.time())}"
    commits: list[tuple[int, float]] = []
    stop = threading.Event()
    lock = threading.Lock()
    paths = ["/", "/feeds/notices.rss"]
    threads = [threading.Thread(target=_publisher, args=(app, stop, commits, result, tag))]
    threads += [
        threading.Thread(target=_reader, args=(base, paths, stop, commits, result, tag, lock))
        for _ in range(connections)
    ]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    return result
