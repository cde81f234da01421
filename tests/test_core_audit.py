"""The audit log: an entry for each action, a hash chain that shows tampering, no edits."""

from __future__ import annotations

import itertools

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
    assert audit.verify_chain() == (len(entries), None)


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
