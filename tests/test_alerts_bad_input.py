"""Bad input on warnings: translated errors in both languages, nothing half-saved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.alerts.models import Alert, AlertMessage
from portal.core.audit import AuditEntry
from portal.core.extensions import db as _db
from tests import water_support
from tests.alerts_support import form, publications, publish
from tests.core_support import count_rows


def db_session():
    return _db.session


def nothing_saved() -> None:
    assert count_rows(Alert) == 0 and count_rows(AlertMessage) == 0
    audited = sa.select(sa.func.count()).where(AuditEntry.object_type == "alert")
    assert db_session().scalar(audited) == 0


@pytest.mark.parametrize(
    ("overrides", "zh", "en"),
    [
        (
            {"effective_from": "2026-07-02T09:00", "expected_end": "2026-07-01T09:00"},
            "预计结束时间必须晚于生效时间。",
            "The expected end must be after the effective time.",
        ),
        ({"counties": ["atlantis"]}, "未知地区：atlantis。", "Unknown county: atlantis."),
        ({"counties": []}, "请至少选择一个影响地区。", "Choose at least one affected county."),
        ({"sites": ["NOPE-1"]}, "未知供水点位：NOPE-1。", "Unknown water site: NOPE-1."),
        ({"headline_en": " "}, "中英文均为必填。", "This is required in both languages."),
        ({"level": "purple"}, "请选择预警级别。", "Choose a warning level."),
        (
            {"effective_from": "tomorrow"},
            "2026-07-01 09:00",
            "Enter a date and time like 2026-07-01 09:00.",
        ),
    ],
)
def test_bad_warning_is_refused_with_a_translated_error_and_nothing_saved(
    client, login_as, db, overrides, zh, en
):
    login_as("publisher")
    with publications() as sent:
        chinese = publish(client, **overrides)
        english = client.post("/admin/alerts/new?lang=en", data=form(**overrides))
    assert chinese.status_code == 422 and english.status_code == 422
    assert zh in chinese.get_data(as_text=True)
    assert en in english.get_data(as_text=True)
    # What was typed is kept.
    assert "漠河市城区自来水暂停饮用" in chinese.get_data(as_text=True)
    assert sent == []
    nothing_saved()


def test_a_site_outside_the_affected_counties_is_refused(client, login_as, db):
    water_support.published()
    login_as("publisher")
    response = publish(client, counties=["tahe"], sites=["MH-T1"])
    assert response.status_code == 422
    assert "点位MH-T1不在所选影响地区内。" in response.get_data(as_text=True)
    nothing_saved()


def _published(client, db) -> int:
    assert publish(client).status_code == 302
    return db.session.scalar(sa.select(Alert.id))


def test_lift_without_a_reason_is_refused_and_the_warning_stays_in_force(client, login_as, db):
    login_as("publisher")
    alert_id = _published(client, db)
    for data, lang, message in (
        ({"reason_zh": "", "reason_en": ""}, "zh", "请用中英文填写解除预警的理由。"),
        ({"reason_zh": "好了", "reason_en": " "}, "en", "Give the reason for lifting the warning"),
    ):
        with publications() as sent:
            response = client.post(f"/admin/alerts/{alert_id}/lift?lang={lang}", data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
        # The update form on the same page still shows the warning as stored.
        assert 'value="漠河市城区自来水暂停饮用"' in response.get_data(as_text=True)
        assert sent == []
    alert = db.session.get(Alert, alert_id)
    db.session.refresh(alert)
    assert alert.status == "active" and alert.version == 1
    assert 'class="alert-banner"' in client.get("/").get_data(as_text=True)


def test_update_or_second_lift_of_a_lifted_warning_is_refused(client, login_as, db):
    login_as("publisher")
    alert_id = _published(client, db)
    lift = {"reason_zh": "已恢复。", "reason_en": "Over."}
    assert client.post(f"/admin/alerts/{alert_id}/lift", data=lift).status_code == 302
    change = form(version="2", level="blue", note_zh="再改", note_en="Again")
    with publications() as sent:
        response = client.post(f"/admin/alerts/{alert_id}?lang=en", data=change)
        again = client.post(f"/admin/alerts/{alert_id}/lift", data=lift)
    assert response.status_code == 422
    assert "This warning has been lifted; it can no longer be updated." in response.get_data(
        as_text=True
    )
    assert again.status_code == 422 and "此预警已经解除。" in again.get_data(as_text=True)
    assert sent == []
    assert count_rows(AlertMessage) == 2
    assert 'class="alert-banner"' not in client.get("/").get_data(as_text=True)


def test_update_needs_a_note_a_change_and_the_current_version(client, login_as, db):
    login_as("publisher")
    alert_id = _published(client, db)
    no_note = client.post(f"/admin/alerts/{alert_id}", data=form(version="1", level="blue"))
    assert "请用中英文说明变更内容。" in no_note.get_data(as_text=True)
    same = client.post(
        f"/admin/alerts/{alert_id}", data=form(version="1", note_zh="无", note_en="None")
    )
    assert "内容没有变化。" in same.get_data(as_text=True)
    stale = client.post(
        f"/admin/alerts/{alert_id}",
        data=form(version="0", level="blue", note_zh="改", note_en="Changed"),
    )
    assert "其他人刚刚更新了此预警" in stale.get_data(as_text=True)
    assert {r.status_code for r in (no_note, same, stale)} == {422}
    assert count_rows(AlertMessage) == 1
    assert db.session.scalar(sa.select(Alert.level)) == "red"


def test_unknown_warning_is_404(client, login_as, db):
    login_as("publisher")
    assert client.get("/alerts/42").status_code == 404
    assert client.get("/admin/alerts/42").status_code == 404
    assert (
        client.post("/admin/alerts/42/lift", data={"reason_zh": "x", "reason_en": "y"}).status_code
        == 404
    )
