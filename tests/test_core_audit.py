"""The audit log: an entry for each action, a hash chain that shows tampering, no edits."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from portal.core import audit
from portal.core.audit import AuditEntry


def _entries(db):
    return db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()


def test_each_entry_chains_to_the_previous_one(app, db, make_user, login_as):
    login_as("admin")
    make_user("publisher")
    entries = _entries(db)
    assert len(entries) >= 3
    assert entries[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    result = audit.verify_chain()
    assert result.ok and result.entries == len(entries)


def test_entries_keep_before_after_reason_and_utc_time(app, db):
    audit.record(
        "update", "notice", 7, before={"title": "旧"}, after={"title": "新"}, reason="错别字"
    )
    db.session.commit()
    entry = _entries(db)[-1]
    assert (entry.before, entry.after, entry.reason) == ({"title": "旧"}, {"title": "新"}, "错别字")
    assert entry.at.utcoffset().total_seconds() == 0
    assert entry.actor == "system"


def test_the_database_refuses_to_update_or_delete_entries(app, db):
    audit.record("create", "thing", 1)
    db.session.commit()
    db.session.close()
    for statement in ("UPDATE audit_entries SET reason = 'rewritten'", "DELETE FROM audit_entries"):
        with pytest.raises(DatabaseError), db.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert len(_entries(db)) == 1


def _drop_guards(db):
    db.session.close()  # release the test's own locks before changing the table
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_entries_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_entries_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_entries_no_change ON audit_entries")


def _restore_guards(db):
    with db.engine.begin() as conn:
        for statement in audit.GUARD_DDL[conn.dialect.name]:
            conn.exec_driver_sql(statement)


@pytest.mark.parametrize("tamper", ["edit", "delete"])
def test_verify_command_detects_tampering_by_someone_with_database_access(app, db, runner, tamper):
    for i in range(3):
        audit.record("create", "thing", i, after={"n": i})
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    _drop_guards(db)
    try:
        with db.engine.begin() as conn:
            if tamper == "edit":
                conn.exec_driver_sql("UPDATE audit_entries SET after = '{\"n\": 99}' WHERE id = 2")
            else:
                conn.exec_driver_sql("DELETE FROM audit_entries WHERE id = 2")
    finally:
        _restore_guards(db)
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at entry" in result.output


def _rebuild_unkeyed(conn, rows):
    """What an attacker with database access but without the key can do: rewrite the rows
    with a consistent hash chain and contiguous numbers (the MAC cannot be recomputed)."""
    conn.exec_driver_sql("DELETE FROM audit_entries")
    prev = audit.GENESIS
    for seq, row in enumerate(rows, start=1):
        row = {**row, "seq": seq, "prev_hash": prev}
        payload = {k: row[k] for k in ("at", "actor_id", "actor", "action", "object_type",
                                       "object_id", "before", "after", "reason", "ip")}
        row["hash"] = audit.entry_hash(prev, payload)
        prev = row["hash"]
        conn.execute(
            sa.text(
                "INSERT INTO audit_entries (id, seq, at, actor_id, actor, action, object_type,"
                " object_id, before, after, reason, ip, prev_hash, hash, mac) VALUES (:id, :seq,"
                " :at_db, :actor_id, :actor, :action, :object_type, :object_id, :before_db,"
                " :after_db, :reason, :ip, :prev_hash, :hash, :mac)"
            ),
            {**row, "at_db": row["at_db"], "before_db": json.dumps(row["before"]),
             "after_db": json.dumps(row["after"])},
        )


def _rows(db):
    return [
        {**{k: getattr(e, k) for k in ("id", "actor_id", "actor", "action", "object_type",
                                       "object_id", "before", "after", "reason", "ip", "mac")},
         "at": e.payload()["at"], "at_db": e.at}
        for e in _entries(db)
    ]


@pytest.mark.parametrize(
    "tamper", ["delete_and_rebuild", "forge_appended", "cut_tail", "delete_middle"]
)
def test_verify_detects_a_rebuilt_chain_a_forged_entry_and_a_cut_tail(app, db, runner, tamper):
    """Someone with full database access (guards dropped) but neither the audit key nor the
    anchor file: every way of hiding an entry or adding one is caught."""
    for i in range(4):
        audit.record("create", "thing", i, after={"n": i})
        db.session.commit()
    rows = _rows(db)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    delete = sa.text("DELETE FROM audit_entries WHERE id = :id")
    _drop_guards(db)
    try:
        with db.engine.begin() as conn:
            if tamper == "delete_and_rebuild":
                _rebuild_unkeyed(conn, [rows[0], rows[2], rows[3]])
            elif tamper == "forge_appended":
                forged = {**rows[-1], "id": rows[-1]["id"] + 1, "action": "delete",
                          "mac": hashlib.sha256(b"guess").hexdigest()}
                _rebuild_unkeyed(conn, [*rows, forged])  # the real rows keep their MACs
            elif tamper == "cut_tail":
                conn.execute(delete, {"id": rows[-1]["id"]})
            else:  # delete a middle entry, leave the rest as they are
                conn.execute(delete, {"id": rows[1]["id"]})
    finally:
        _restore_guards(db)
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    expected = {
        "delete_and_rebuild": "entry not written with the audit key",
        "forge_appended": "entry not written with the audit key",
        "cut_tail": "anchored entry no longer in the log",
        "delete_middle": "entries missing before this one",
    }[tamper]
    assert expected in result.output


def test_the_anchor_file_lives_outside_the_database_and_grows_with_each_commit(app, db):
    audit.record("create", "thing", 1)
    db.session.commit()
    audit.record("create", "thing", 2)
    db.session.rollback()  # a rolled-back entry is never anchored and leaves no gap
    audit.record("create", "thing", 3)
    db.session.commit()
    heads = anchors_read(app)
    assert [h.count for h in heads][-2:] == [1, 2]
    assert [e.seq for e in _entries(db)] == [1, 2]
    assert audit.verify_chain().ok


def test_verify_without_the_right_key_fails(app_factory, app, db, runner):
    audit.record("create", "thing", 1)
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with app_factory(AUDIT_KEY="another key").app_context():
        result = audit.verify_chain()
    assert not result.ok and result.problem == "entry not written with the audit key"


def test_a_lost_anchor_file_is_restarted_by_verify(app, db, runner):
    audit.record("create", "thing", 1)
    db.session.commit()
    shutil.rmtree(app.config["ANCHOR_DIR"])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "0 anchors" in result.output
    assert len(anchors_read(app)) == 1


def anchors_read(app):
    from portal.core import anchors

    with app.app_context():
        return anchors.read(anchors.anchor_path(audit.ANCHOR_NAME))


def test_admin_page_lists_and_filters_entries(client, login_as, make_user):
    login_as("admin")
    make_user("publisher")
    page = client.get("/admin/audit?action=create&object_type=user")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "publisher@dxal.example.gov.cn" in body
    assert ">login<" not in body
    assert "login" in client.get("/admin/audit?action=login").get_data(as_text=True)


def test_addresses_are_recorded_for_officials_but_never_for_anonymous_visitors(app, db):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        audit.record("create", "thing", 1)  # a citizen-triggered system action
        audit.record("update", "thing", 1, actor=(7, "official@dxal.gov.cn"))
        db.session.commit()
    anonymous, official = _entries(db)[-2:]
    assert anonymous.ip is None
    assert official.ip == "203.0.113.9"
