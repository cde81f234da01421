"""Rate limits (issue 15 #11): counted once for all worker processes without Redis (a
SQLite file by default), and once per person for every endpoint that does the same thing."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from portal.core.ratelimit import SQLiteStorage
from tests.core_support import PASSWORD
from tests.reports_support import fast_reports, status_token, submit_report  # noqa: F401


def _storage_uri(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'shared' / 'ratelimits.db'}"


def test_the_default_storage_is_a_file_every_worker_shares(app):
    uri = app.config["RATELIMIT_STORAGE_URI"]
    from portal.config import load

    default = load({"SECRET_KEY": "x", "INSTANCE_PATH": "/srv/portal/instance"})
    assert default["RATELIMIT_STORAGE_URI"] == "sqlite:////srv/portal/instance/ratelimits.db"
    assert uri == "memory://"  # tests opt out, per test


def _hit(uri: str, n: int, out) -> None:  # type: ignore[no-untyped-def]
    storage = SQLiteStorage(uri)
    out.put([storage.incr("LIMITER/k", 60) for _ in range(n)])


def test_the_sqlite_storage_counts_across_processes(tmp_path):
    uri = _storage_uri(tmp_path)
    queue: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    procs = [
        multiprocessing.get_context("fork").Process(target=_hit, args=(uri, 25, queue))
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    seen = sorted(v for _ in procs for v in queue.get(timeout=60))
    for p in procs:
        p.join(timeout=30)
    assert seen == list(range(1, 101))  # no count lost, none doubled
    storage = SQLiteStorage(uri)
    assert storage.get("LIMITER/k") == 100 and storage.get_expiry("LIMITER/k") > time.time()
    storage.clear("LIMITER/k")
    assert storage.get("LIMITER/k") == 0


def test_a_window_ends_and_counting_starts_again(tmp_path):
    storage = SQLiteStorage(_storage_uri(tmp_path))
    assert storage.incr("k", 1) == 1 and storage.incr("k", 1) == 2
    time.sleep(1.1)
    assert storage.get("k") == 0 and storage.incr("k", 1) == 1
    assert storage.check() and storage.reset() >= 1


def test_login_attempts_count_once_across_two_workers(app_factory, tmp_path, make_user):
    uri = _storage_uri(tmp_path)
    workers = [
        app_factory(RATELIMIT_STORAGE_URI=uri, LOGIN_RATE_LIMIT="4 per 15 minutes")
        for _ in range(2)
    ]
    with workers[0].app_context():
        make_user("admin")
    statuses = []
    for attempt in range(6):
        client = workers[attempt % 2].test_client()
        answer = client.post(
            "/admin/login", data={"email": "admin@dxal.example.gov.cn", "password": "wrong"}
        )
        statuses.append(answer.status_code)
    assert statuses.count(429) == 2 and 429 not in statuses[:4], statuses
    right = (
        workers[1]
        .test_client()
        .post("/admin/login", data={"email": "admin@dxal.example.gov.cn", "password": PASSWORD})
    )
    assert right.status_code == 429


def report_case(db) -> str:
    import sqlalchemy as sa

    from portal.reports.models import Report

    return db.session.scalars(sa.select(Report.case)).one()


@pytest.mark.usefixtures("fast_reports")
def test_every_use_of_a_tracking_code_counts_in_one_limit(app, client, db):
    code = submit_report(client)
    app.config["TRACK_RATE_LIMIT"] = "6 per hour"
    token = status_token(client, code)  # 1
    uses = [
        client.get(f"/reports/status/{token}"),  # 2
        client.post("/reports/track", data={"code": code}),  # 3
        client.post(
            "/reports/track/feedback",
            data={"token": token, "code": code, "rating": "satisfied", "go": "rate"},
        ),  # 4 (refused: not finished yet, but a code check all the same)
        client.get(f"/open311/v2/requests/{code}.json"),  # 5
        client.get(f"/reports/status/{token}"),  # 6
    ]
    assert 429 not in [u.status_code for u in uses]
    assert [u.status_code for u in uses[:3]] == [200, 303, 400] and uses[4].status_code == 200
    for attempt in (
        lambda: client.post("/reports/track", data={"code": code}),
        lambda: client.get(f"/reports/status/{token}"),
        lambda: client.get(f"/open311/v2/requests/{report_case(db)}.json"),
        lambda: client.post("/reports/track/feedback", data={"token": token, "code": code}),
    ):
        assert attempt().status_code == 429
