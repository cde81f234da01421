"""The public report event log cannot be rewritten unnoticed (issue 15 #6): the database
refuses changes, every line is sealed, heads are anchored outside the database, and the
statistics are withheld when the log fails verification. Tampering runs on a copy."""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3

import pytest
import sqlalchemy as sa

from portal.core import anchors
from portal.core.extensions import db as _db
from portal.reports import eventlog, integrity, service
from portal.reports.models import EVENT_GUARD_DDL
from tests.core_support import PG_URL
from tests.reports_support import fast_reports  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_reports")


def submit(n: int) -> None:
    for i in range(n):
        data = service.Submission(
            category="water", county="mohe", place=f"河边{i}", description="油膜"
        )
        service.submit(data, submission_id=secrets.token_hex(8))


def drop_guards(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS report_events_no_change ON report_events")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS report_events_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS report_events_no_delete")


@pytest.fixture
def copy_app(app, app_factory, tmp_path):
    """An app on a copy of the test's database (PostgreSQL: the throwaway test database
    itself, with its guards put back afterwards), sharing the instance folder and anchors."""

    def make():
        if PG_URL:
            return app
        _db.session.remove()
        copy = tmp_path / "copy.db"
        with sqlite3.connect(tmp_path / "portal.db") as src, sqlite3.connect(copy) as dst:
            src.backup(dst)  # the live file is in WAL mode: copy through SQLite
        return app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{copy}")

    yield make
    if PG_URL:
        with app.app_context(), _db.engine.begin() as conn:
            for statement in EVENT_GUARD_DDL["postgresql"]:
                conn.exec_driver_sql(statement)


def test_the_database_refuses_to_change_or_delete_log_lines(db):
    submit(1)
    for statement in ("UPDATE report_events SET line = 'x'", "DELETE FROM report_events"):
        with pytest.raises(sa.exc.DatabaseError), db.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert len(service.event_lines()) == 1


def test_statistics_anchor_the_verified_head_outside_the_database(client, runner, db):
    submit(2)
    assert client.get("/reports/stats").status_code == 200
    marks = anchors.read(anchors.anchor_path(integrity.ANCHOR_NAME))
    assert [(m.count, m.head) for m in marks] == [(2, service.event_head())]
    submit(1)
    result = runner.invoke(args=["reports", "close-due"])
    assert result.exit_code == 0 and "intact" in result.output
    marks = anchors.read(anchors.anchor_path(integrity.ANCHOR_NAME))
    assert [m.count for m in marks] == [2, 3]
    verify = runner.invoke(args=["reports", "verify-log"])
    assert verify.exit_code == 0 and "3 line(s)" in verify.output


def _rewrite_line(conn: sa.Connection) -> None:
    # Change the second line's county and rebuild the chain after it, as a forger would.
    rows = conn.exec_driver_sql("SELECT id, line FROM report_events ORDER BY id").all()
    prev = eventlog.GENESIS
    for index, (row_id, line) in enumerate(rows):
        obj = json.loads(line)
        if index == 1:
            obj["county"] = "tahe"
        obj["prev"] = prev
        new = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        h = hashlib.sha256(new.encode()).hexdigest()
        conn.execute(
            sa.text("UPDATE report_events SET line = :l, prev = :p, hash = :h WHERE id = :i"),
            {"l": new, "p": "x" * 63 + str(index), "h": "y" * 63 + str(index), "i": row_id},
        )
        conn.execute(
            sa.text("UPDATE report_events SET prev = :p, hash = :h WHERE id = :i"),
            {"p": prev, "h": h, "i": row_id},
        )
        prev = h


def _cut_tail(conn: sa.Connection) -> None:
    last = conn.exec_driver_sql("SELECT max(id) FROM report_events").scalar()
    conn.execute(sa.text("DELETE FROM report_events WHERE id = :i"), {"i": last})


def _append_forged(conn: sa.Connection) -> None:
    prev = conn.exec_driver_sql("SELECT hash FROM report_events ORDER BY id DESC").first()[0]
    forged = {
        "case": "ab" * 8,
        "event": "received",
        "date": "2026-11-30",
        "category": "water",
        "county": "mohe",
        "channel": "web",
    }
    (line,) = eventlog.chain([forged], prev=prev)
    conn.execute(
        sa.text("INSERT INTO report_events (line, prev, hash, seal) VALUES (:l, :p, :h, :s)"),
        {"l": line, "p": prev, "h": eventlog.line_hash(line), "s": "0" * 64},
    )


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (_rewrite_line, "seal_invalid"),
        (_cut_tail, "shorter_than_anchor"),
        (_append_forged, "seal_invalid"),
    ],
    ids=["rewrite-a-line", "cut-the-tail", "append-a-forged-event"],
)
def test_a_tampered_copy_fails_verification_and_its_figures_are_withheld(
    client, db, tamper, problem, copy_app
):
    submit(3)
    assert client.get("/reports/stats.json").status_code == 200  # anchors the head
    copy = copy_app()
    with copy.app_context():
        with _db.engine.begin() as conn:
            drop_guards(conn)
            tamper(conn)
        result = integrity.verify_log()
        assert not result.ok and result.problem == problem
        _db.session.remove()
    with copy.app_context():  # else the CLI runs in the test's own app context
        cli = copy.test_cli_runner().invoke(args=["reports", "verify-log"])
        # The tamper went round the portal (raw SQL), so the publication version did not move
        # and a worker may still answer with the figures it verified before (the genuine ones)
        # until the next publication; let that publication come.
        copy.test_cli_runner().invoke(args=["pagecache", "bump"])
    assert cli.exit_code == 1 and "FAILED" in cli.output, cli.output
    web = copy.test_client()
    page = web.get("/reports/stats", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Figures withheld" in page and "failed verification" in page
    assert "<table" not in page and "reports received;" not in page
    assert web.get("/reports/stats.json").status_code == 503
    assert web.get("/reports/stats.csv").status_code == 503
    home = web.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Report figures are withheld" in home and "reports received so far" not in home
    with copy.app_context():
        marks = anchors.read(anchors.anchor_path(integrity.ANCHOR_NAME))
    assert len(marks) == 1  # a failed log is never anchored


def test_rebuilt_log_with_valid_seals_is_caught_by_the_anchor(db):
    # Even someone holding the seal key cannot shorten the log and re-seal it unnoticed.
    submit(3)
    result = integrity.verify_log()
    assert result.ok and integrity.anchor(result)
    rows = integrity.stored()[:2]
    assert integrity.check(
        rows, [anchors.Anchor("t", 3, result.head)], integrity.seal_key()
    ).problem == ("shorter_than_anchor")
    other = integrity.stored()
    assert (
        integrity.check(other, [anchors.Anchor("t", 2, "f" * 64)], integrity.seal_key()).problem
        == "anchor_mismatch"
    )


def test_migration_seals_an_existing_log_and_installs_the_guards(
    empty_database_url,  # a fixture of tests/conftest.py
    tmp_path,
):
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app(
        {
            "SECRET_KEY": "t",
            "INSTANCE_PATH": str(tmp_path / "i"),
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
        }
    )
    with app.app_context():
        upgrade(revision="0005")
        (line,) = eventlog.chain(
            [
                {
                    "case": "cd" * 8,
                    "event": "received",
                    "date": "2026-11-01",
                    "category": "water",
                    "county": "mohe",
                    "channel": "web",
                }
            ]
        )
        with _db.engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO report_events (line, prev, hash) VALUES (:l, :p, :h)"),
                {"l": line, "p": eventlog.GENESIS, "h": eventlog.line_hash(line)},
            )
        upgrade()
        assert integrity.verify_log().ok  # the line written before 0009 carries its seal
        with pytest.raises(sa.exc.DatabaseError), _db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM report_events")
        _db.session.remove()
        _db.engine.dispose()


def test_anchored_heads_are_published_for_anyone_to_mirror(client, db):
    submit(2)
    client.get("/reports/stats")
    body = client.get("/reports/events.anchors.jsonl").get_data(as_text=True)
    (mark,) = [json.loads(line) for line in body.splitlines()]
    assert mark["count"] == 2 and mark["head"] == service.event_head()
