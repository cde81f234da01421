"""In-process render time of every public page, feed and API list (page cache off), on the
bench database: the 25 ms target of issue 11 for a cache miss at full scale.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python tests/bench/render.py
    ... render.py --profile /notices/     # cProfile of one page (top 25 by cumulative time)
    ... render.py --explain /notices/     # the page's SQL with EXPLAIN ANALYZE (PostgreSQL)

Prints median and worst of BENCH_RENDER_REPEAT (15) renders and the statement count.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import sqlalchemy as sa  # noqa: E402

from portal import create_app  # noqa: E402
from portal.core.extensions import db  # noqa: E402

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench")
REPEAT = int(os.environ.get("BENCH_RENDER_REPEAT", "15"))
TARGET_MS = 25.0


def pages(app) -> list[str]:  # type: ignore[no-untyped-def]
    from portal.enforcement.models import Enterprise
    from portal.notices.models import Notice
    from portal.water.models import WaterEvaluation, WaterSite

    with app.app_context():
        notice = db.session.scalar(
            sa.select(Notice.id).where(Notice.status == "published")
            .order_by(Notice.published_at.desc()).limit(1)
        )  # fmt: skip
        site = db.session.scalar(
            sa.select(WaterSite.code).where(WaterSite.code == "B0000")
        ) or db.session.scalar(
            sa.select(WaterSite.code).join(WaterEvaluation, WaterEvaluation.site_id == WaterSite.id)
            .limit(1)
        )  # fmt: skip
        enterprise = db.session.scalar(sa.select(Enterprise.code).limit(1))
    found = [
        "/", "/notices/", f"/notices/{notice}", "/feeds/notices.rss", "/feeds/notices.atom",
        "/api/v1/notices", "/water/", "/water/counties/jiagedaqi", f"/water/sites/{site}",
        f"/api/v1/water/sites/{site}", "/api/v1/water/sites", "/water/sections",
        "/enforcement/", "/enforcement/cards", "/enforcement/enterprises",
        f"/enforcement/enterprises/{enterprise}", "/enforcement/cases",
        "/enforcement/inspections", "/enforcement/draws", "/api/v1/enforcement/enterprises",
        "/api/v1/enforcement/cards", "/api/v1/enforcement/cases", "/reports/stats",
        "/reports/cases/", "/data/", "/alerts/",
    ]  # fmt: skip
    return found


def main() -> int:
    app = create_app({"SQLALCHEMY_DATABASE_URI": DB_URL, "PAGE_CACHE": False, "SECRET_KEY": "b"})
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    args = sys.argv[1:]
    if args and args[0] in ("--profile", "--explain"):
        return detail(app, client, engine, args[0], args[1])
    print(f"{'page':48} {'median ms':>9} {'worst ms':>9} {'SQL':>4}  target {TARGET_MS:.0f} ms")
    missed = []
    for path in pages(app):
        first = client.get(path)
        if first.status_code == 404 and path == "/alerts/":
            continue
        assert first.status_code == 200, (path, first.status_code)
        statements: list[str] = []
        listener = lambda *a, seen=statements: seen.append(a[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        client.get(path)
        sa.event.remove(engine, "before_cursor_execute", listener)
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        if median > TARGET_MS:
            missed.append(path)
        print(f"{path:48} {median:9.1f} {max(times):9.1f} {len(statements):4}"
              f"  {'ok' if median <= TARGET_MS else 'MISSED'}", flush=True)  # fmt: skip
    print(f"missed: {', '.join(missed) or 'none'}")
    return 0


def detail(app, client, engine, mode: str, path: str) -> int:  # type: ignore[no-untyped-def]
    client.get(path)
    if mode == "--profile":
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(5):
            client.get(path)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return 0
    statements: list[tuple[str, object]] = []
    listener = lambda _c, _cur, st, params, *_a: statements.append((st, params))  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    client.get(path)
    sa.event.remove(engine, "before_cursor_execute", listener)
    with engine.connect() as conn:
        for statement, params in statements:
            print("=" * 100 + "\n" + statement)
            plan = conn.exec_driver_sql("EXPLAIN ANALYZE " + statement, params)  # type: ignore[arg-type]
            print("\n".join(row[0] for row in plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
