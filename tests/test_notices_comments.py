"""Public comment periods on EIA notices: posting, privacy, abuse rules, moderation, results."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.core.models import utcnow
from portal.notices import service
from portal.notices.models import Notice, NoticeComment
from tests.notices_support import make_notice

NAME = "张三丰"
CONTACT = "13912345678"
COMMENT = {
    "body": "污水厂离居民区太近，请说明除臭措施。",
    "name": NAME,
    "contact": CONTACT,
    "website": "",
}


def eia(**fields) -> Notice:
    return make_notice(
        category="eia",
        title_zh="污水处理厂环评公示",
        comments_close_at=utcnow() + dt.timedelta(days=10),
        **fields,
    )


def test_anyone_may_comment_while_the_period_is_open(client, db):
    notice = eia()
    page = client.get(f"/notices/{notice.id}", headers={"Accept-Language": "zh-CN"})
    assert f'action="/notices/{notice.id}/comments' in page.get_data(as_text=True)
    response = client.post(f"/notices/{notice.id}/comments", data=COMMENT)
    assert response.status_code == 302
    comment = db.session.scalars(sa.select(NoticeComment)).one()
    assert comment.status == "pending" and comment.contact == CONTACT and comment.name == NAME


def test_a_page_with_the_comment_form_is_not_kept_by_shared_caches(client, db):
    notice = eia()
    client.get(f"/notices/{notice.id}")
    again = client.get(f"/notices/{notice.id}")  # the session already holds a CSRF token
    assert "private" in again.headers["Cache-Control"]


def test_contact_details_are_optional(client, db):
    notice = eia()
    client.post(f"/notices/{notice.id}/comments", data={"body": "支持该项目。"})
    comment = db.session.scalars(sa.select(NoticeComment)).one()
    assert comment.name is None and comment.contact is None


def test_an_empty_comment_is_refused_and_what_was_typed_is_kept(client, db):
    notice = eia()
    response = client.post(
        f"/notices/{notice.id}/comments",
        data={"body": "", "name": "李四"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write your comment." in html and 'value="李四"' in html
    assert response.headers["Cache-Control"] == "no-store"


def test_the_honeypot_field_turns_bots_away(client, db):
    notice = eia()
    response = client.post(
        f"/notices/{notice.id}/comments", data={**COMMENT, "website": "http://spam"}
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeComment)) == 0


def test_comment_posting_is_rate_limited(app_factory):
    app = app_factory(NOTICE_COMMENT_RATE_LIMIT="2 per hour")
    with app.app_context():
        notice_id = eia().id
    client = app.test_client()
    codes = [
        client.post(f"/notices/{notice_id}/comments", data={"body": f"第{i}条"}).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]


@pytest.mark.parametrize("kind", ["closed", "not_eia", "draft", "withdrawn"])
def test_comments_are_refused_outside_an_open_period(client, db, kind):
    if kind == "closed":
        notice = eia(published_at=utcnow() - dt.timedelta(days=20))
        notice.comments_close_at = utcnow() - dt.timedelta(days=1)
        db.session.commit()
    elif kind == "not_eia":
        notice = make_notice(category="announcements")
    elif kind == "draft":
        notice = eia(status="draft", published_at=None)
    else:
        notice = eia()
        service.withdraw(notice, "撤回")
    response = client.post(f"/notices/{notice.id}/comments", data=COMMENT)
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeComment)) == 0


def test_commenters_personal_data_never_appears_in_public_output_or_logs(
    client, db, caplog, login_as
):
    notice = eia()
    with caplog.at_level(logging.DEBUG):
        client.post(f"/notices/{notice.id}/comments", data=COMMENT)
    # Close the period and publish a response so every public view shows the results.
    stored = db.session.get(Notice, notice.id)
    stored.comments_close_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    service.publish_response(db.session.get(Notice, notice.id), "已采纳除臭建议。", None)
    public = [
        f"/notices/{notice.id}",
        "/notices/",
        "/feeds/notices.rss",
        "/feeds/eia.atom",
        f"/api/v1/notices/{notice.id}",
        "/api/v1/notices",
        "/search?q=除臭措施",
        "/sitemaps/notices.xml",
    ]
    for url in public:
        text = client.get(url).get_data(as_text=True)
        assert NAME not in text, url
        assert CONTACT not in text, url
    logged = caplog.text
    assert NAME not in logged and CONTACT not in logged and COMMENT["body"] not in logged
    audit = db.session.scalars(sa.select(AuditEntry)).all()
    assert not [e for e in audit if CONTACT in str(e.payload()) or NAME in str(e.payload())]


def test_moderation_page_shows_contacts_to_publishers_only_and_is_audited(
    client, app, db, login_as
):
    notice = eia()
    app.test_client().post(f"/notices/{notice.id}/comments", data=COMMENT)
    login_as("publisher")
    page = client.get(f"/admin/notices/{notice.id}/comments")
    assert page.status_code == 200 and CONTACT in page.get_data(as_text=True)
    viewed = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "view_personal_data")
    ).all()
    assert len(viewed) == 1 and viewed[0].object_id == str(notice.id)


def test_report_handler_cannot_open_the_moderation_page(client, db, login_as):
    notice = eia()
    login_as("report_handler")
    assert client.get(f"/admin/notices/{notice.id}/comments").status_code == 403


def test_after_the_end_date_the_count_and_the_response_appear(client, app, db, login_as):
    notice = eia()
    visitor = app.test_client()
    for text in ("意见一", "意见二", "广告垃圾"):
        visitor.post(f"/notices/{notice.id}/comments", data={"body": text})
    login_as("publisher")
    spam = db.session.scalars(
        sa.select(NoticeComment).where(NoticeComment.body == "广告垃圾")
    ).one()
    client.post(f"/admin/notices/comments/{spam.id}/moderate", data={"decision": "reject"})
    client.post(
        f"/admin/notices/{notice.id}/response",
        data={
            "response_zh": "已要求建设单位加装除臭设备。",
            "response_en": "Odour control will be added.",
        },
    )
    open_page = visitor.get(f"/notices/{notice.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Odour control will be added." not in open_page  # not before the period ends

    stored = db.session.get(Notice, notice.id)
    stored.comments_close_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    closed = visitor.get(f"/notices/{notice.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "2 comments were received." in closed
    assert "Odour control will be added." in closed
    assert 'name="body"' not in closed
    api = visitor.get(f"/api/v1/notices/{notice.id}").get_json()["comment_period"]
    assert api["comments_received"] == 2 and api["open"] is False
    assert api["response_zh"] == "已要求建设单位加装除臭设备。"
    assert db.session.get(NoticeComment, spam.id).status == "rejected"


def test_moderation_is_audited_without_the_comment_text(client, app, db, login_as):
    notice = eia()
    app.test_client().post(f"/notices/{notice.id}/comments", data=COMMENT)
    login_as("publisher")
    comment = db.session.scalars(sa.select(NoticeComment)).one()
    client.post(f"/admin/notices/comments/{comment.id}/moderate", data={"decision": "accept"})
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "moderate")).one()
    assert entry.after == {"status": "accepted"}
