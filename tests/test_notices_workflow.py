"""Officials' notice workflow: draft → preview → publish now or later → update → withdraw."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.core.models import utcnow
from portal.notices.forms import CHINA
from portal.notices.models import Notice, NoticeVersion
from tests.notices_support import FORM


def _draft(client, **changes) -> int:
    response = client.post("/admin/notices/new", data={**FORM, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def _china(value: dt.datetime) -> str:
    return value.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")


def test_draft_is_previewed_by_the_publisher_and_hidden_from_the_public(client, app, login_as):
    login_as("publisher")
    notice_id = _draft(client)
    preview = client.get(f"/admin/notices/{notice_id}")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "关于水源地保护的通知" in html and "<strong>倾倒垃圾</strong>" in html
    anonymous = app.test_client()
    assert anonymous.get(f"/notices/{notice_id}").status_code == 404
    assert "关于水源地保护的通知" not in anonymous.get("/notices/").get_data(as_text=True)
    assert anonymous.get(f"/api/v1/notices/{notice_id}").status_code == 404


def test_publishing_now_puts_the_notice_on_the_public_list_and_page(client, app, login_as):
    login_as("publisher")
    notice_id = _draft(client)
    assert (
        client.post(f"/admin/notices/{notice_id}/publish", data={"publish_at": ""}).status_code
        == 302
    )
    anonymous = app.test_client()
    page = anonymous.get(f"/notices/{notice_id}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert "禁止在保护区内" in page.get_data(as_text=True)
    assert "关于水源地保护的通知" in anonymous.get("/notices/").get_data(as_text=True)


def test_scheduled_notice_stays_hidden_until_its_time(client, app, login_as, db):
    login_as("publisher")
    later = _draft(client, title_zh="明天发布的通知")
    client.post(
        f"/admin/notices/{later}/publish",
        data={"publish_at": _china(utcnow() + dt.timedelta(days=1))},
    )
    notice = db.session.get(Notice, later)
    assert notice.status == "published" and notice.published_at > utcnow()
    anonymous = app.test_client()
    assert anonymous.get(f"/notices/{later}").status_code == 404
    assert "明天发布的通知" not in anonymous.get("/notices/").get_data(as_text=True)
    assert "明天发布的通知" not in anonymous.get("/feeds/notices.rss").get_data(as_text=True)
    assert anonymous.get("/api/v1/notices").get_json()["total"] == 0
    preview = client.get(f"/admin/notices/{later}", headers={"Accept-Language": "en"})
    assert "Scheduled to appear at" in preview.get_data(as_text=True)

    # Its time comes: no worker is needed, the public query simply starts to include it.
    notice.published_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    assert anonymous.get(f"/notices/{later}").status_code == 200
    assert "明天发布的通知" in anonymous.get("/notices/").get_data(as_text=True)


def test_a_scheduled_time_is_read_as_china_time(client, login_as, db):
    login_as("publisher")
    notice_id = _draft(client)
    client.post(f"/admin/notices/{notice_id}/publish", data={"publish_at": "2099-07-01T09:00"})
    notice = db.session.get(Notice, notice_id)
    assert notice.published_at == dt.datetime(2099, 7, 1, 1, 0, tzinfo=dt.UTC)


def test_scheduled_notice_can_be_taken_back_to_draft(client, login_as, db):
    login_as("publisher")
    notice_id = _draft(client)
    client.post(f"/admin/notices/{notice_id}/publish", data={"publish_at": "2099-07-01T09:00"})
    client.post(f"/admin/notices/{notice_id}/unschedule")
    notice = db.session.get(Notice, notice_id)
    assert notice.status == "draft" and notice.published_at is None


def test_malformed_schedule_date_is_refused_with_a_translated_message(client, login_as, db):
    login_as("publisher")
    notice_id = _draft(client)
    response = client.post(
        f"/admin/notices/{notice_id}/publish",
        data={"publish_at": "next tuesday"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请按 2026-07-01 09:00 的格式填写日期和时间" in html
    assert 'value="next tuesday"' in html
    assert db.session.get(Notice, notice_id).status == "draft"


def test_invalid_draft_form_keeps_what_was_typed(client, login_as):
    login_as("publisher")
    response = client.post(
        "/admin/notices/new",
        data={
            **FORM,
            "title_zh": "",
            "body_zh": "我写了很长的正文",
            "comments_close_at": "31/02/2026",
        },
        headers={"Accept-Language": "zh-CN"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "我写了很长的正文" in html and "31/02/2026" in html
    assert "请填写标题" in html


def test_updating_a_published_notice_keeps_the_old_text_and_shows_the_reason(
    client, app, login_as, db
):
    login_as("publisher")
    notice_id = _draft(client)
    client.post(f"/admin/notices/{notice_id}/publish", data={"publish_at": ""})

    refused = client.post(
        f"/admin/notices/{notice_id}/edit", data={**FORM, "body_zh": "新的正文", "reason": ""}
    )
    assert refused.status_code == 200 and "新的正文" in refused.get_data(as_text=True)
    assert db.session.get(Notice, notice_id).version == 1

    client.post(
        f"/admin/notices/{notice_id}/edit",
        data={**FORM, "body_zh": "新的正文", "reason": "更正了保护区范围"},
    )
    db.session.expire_all()
    notice = db.session.get(Notice, notice_id)
    assert notice.version == 2 and notice.body_zh == "新的正文" and notice.revised_at
    old = db.session.scalars(sa.select(NoticeVersion)).one()
    assert old.version == 1 and "倾倒垃圾" in old.body_zh and old.reason == "更正了保护区范围"

    anonymous = app.test_client()
    html = anonymous.get(f"/notices/{notice_id}", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert "新的正文" in html and "更正了保护区范围" in html and "更新于" in html
    earlier = anonymous.get(f"/notices/{notice_id}/versions/1")
    assert earlier.status_code == 200 and "倾倒垃圾" in earlier.get_data(as_text=True)
    assert anonymous.get(f"/notices/{notice_id}/versions/9").status_code == 404


def test_editing_a_draft_makes_no_version(client, login_as, db):
    login_as("publisher")
    notice_id = _draft(client)
    client.post(f"/admin/notices/{notice_id}/edit", data={**FORM, "body_zh": "改过的草稿"})
    notice = db.session.get(Notice, notice_id)
    assert notice.body_zh == "改过的草稿" and notice.version == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeVersion)) == 0


def test_withdrawn_notice_keeps_its_address_and_shows_the_reason(client, app, login_as, db):
    login_as("publisher")
    notice_id = _draft(client)
    client.post(f"/admin/notices/{notice_id}/publish", data={"publish_at": ""})
    missing = client.post(f"/admin/notices/{notice_id}/withdraw", data={"reason": ""})
    assert missing.status_code == 422
    client.post(f"/admin/notices/{notice_id}/withdraw", data={"reason": "数据有误，将重新发布"})

    anonymous = app.test_client()
    page = anonymous.get(f"/notices/{notice_id}", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "已撤回" in html and "数据有误，将重新发布" in html
    assert "倾倒垃圾" not in html and "禁止在保护区内" not in html
    listing = anonymous.get("/notices/", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert "关于水源地保护的通知" in listing and "已撤回" in listing
    # A withdrawn notice cannot be edited back into view.
    client.post(f"/admin/notices/{notice_id}/edit", data={**FORM, "reason": "x"})
    assert db.session.get(Notice, notice_id).status == "withdrawn"


def test_every_step_of_the_workflow_is_in_the_audit_log(client, login_as, db):
    user = login_as("publisher")
    notice_id = _draft(client)
    client.post(f"/admin/notices/{notice_id}/publish", data={"publish_at": ""})
    client.post(
        f"/admin/notices/{notice_id}/edit", data={**FORM, "body_zh": "改", "reason": "更正"}
    )
    client.post(f"/admin/notices/{notice_id}/withdraw", data={"reason": "撤回"})
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "notice", AuditEntry.object_id == str(notice_id))
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "publish", "update", "withdraw"]
    assert {e.actor for e in entries} == {user.email}
    assert entries[2].reason == "更正" and entries[3].reason == "撤回"


def test_report_handler_cannot_write_publish_or_withdraw(client, login_as, make_user, db):
    from tests.core_support import PASSWORD

    login_as("publisher")
    notice_id = _draft(client)
    client.post("/admin/logout")
    handler = make_user("report_handler")
    client.post("/admin/login", data={"email": handler.email, "password": PASSWORD})
    assert client.get("/admin/notices/").status_code == 403
    assert client.post("/admin/notices/new", data=FORM).status_code == 403
    assert client.post(f"/admin/notices/{notice_id}/publish", data={}).status_code == 403
    assert (
        client.post(f"/admin/notices/{notice_id}/withdraw", data={"reason": "x"}).status_code == 403
    )
    assert db.session.get(Notice, notice_id).status == "draft"


def test_admin_may_publish_too(client, login_as, db):
    login_as("admin")
    notice_id = _draft(client)
    client.post(f"/admin/notices/{notice_id}/publish", data={"publish_at": ""})
    assert db.session.get(Notice, notice_id).status == "published"


def test_a_comment_period_cannot_be_opened_in_the_past(client, login_as):
    login_as("publisher")
    response = client.post(
        "/admin/notices/new",
        data={**FORM, "category": "eia", "comments_close_at": "2020-01-01T12:00"},
        headers={"Accept-Language": "en"},
    )
    assert "The closing time must be in the future." in response.get_data(as_text=True)


def test_comment_dates_are_only_for_eia_notices(client, login_as):
    login_as("publisher")
    response = client.post(
        "/admin/notices/new",
        data={**FORM, "comments_close_at": "2099-01-01T12:00"},
        headers={"Accept-Language": "en"},
    )
    assert (
        "Only environmental impact assessment notices take public comments."
        in response.get_data(as_text=True)
    )
