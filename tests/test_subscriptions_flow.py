"""E-mail subscriptions end to end against a real SMTP server (aiosmtpd): double opt-in,
delivery, one-click unsubscribe, changes, digests, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.core.extensions import db
from portal.core.publications import Publication, publish
from portal.delivery import worker
from portal.subscriptions import service
from portal.subscriptions.models import Subscriber, SubscriptionRequest
from tests.core_support import count_rows
from tests.delivery_support import SMTPServer, link, subscribe_form


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app_factory, smtp):
    app = app_factory(**smtp.config)
    with app.app_context():
        yield app


def drain(app):
    with app.app_context():
        return worker.drain()


def announce(topic="warnings", source="alert:1:v1", counties=(), urgent=None, **kw):
    publish(
        Publication(
            topic=topic,
            source=source,
            path="/alerts/1",
            title_zh="红色预警：停止饮用自来水",
            title_en="Red warning: do not drink tap water",
            summary_zh="漠河市城区供水受污染。",
            counties=tuple(counties),
            urgent=topic == "warnings" if urgent is None else urgent,
            **kw,
        )
    )
    db.session.commit()


def subscribe_and_confirm(client, app, smtp, address, **extra):
    assert client.post("/subscribe", data=subscribe_form(address, **extra)).status_code == 303
    drain(app)
    confirmation = smtp.inbox.to(address)[-1]
    path = link(confirmation, "confirm")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    return path


def test_confirm_then_delivery_then_one_click_unsubscribe(mail_app, smtp, app_factory):
    client = mail_app.test_client()
    address = "resident@example.org"
    response = client.post("/subscribe", data=subscribe_form(address))
    assert response.status_code == 303 and response.headers["Location"].endswith("/subscribe/sent")
    drain(mail_app)
    assert len(smtp.inbox.to(address)) == 1  # the confirmation only
    assert count_rows(Subscriber) == 0
    # Before the link is followed, nothing but the confirmation is sent.
    announce(source="alert:0:v1")
    drain(mail_app)
    assert len(smtp.inbox.to(address)) == 1

    path = link(smtp.inbox.to(address)[0], "confirm")
    assert "确认订阅" in client.get(path).get_data(as_text=True)
    assert count_rows(Subscriber) == 0  # opening the link alone (a mail scanner) confirms nothing
    assert client.post(path).status_code == 200
    assert count_rows(Subscriber) == 1

    announce()
    drain(mail_app)
    mails = smtp.inbox.to(address)
    assert len(mails) == 2
    warning = mails[-1]
    assert "红色预警" in warning["Subject"]
    unsubscribe_url = warning["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith("https://water.example.gov.cn/subscribe/unsubscribe/")
    assert warning["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link(warning, "manage")

    # The mail client's one-click POST carries no CSRF token: it still works.
    strict = app_factory(**smtp.config, WTF_CSRF_ENABLED=True).test_client()
    one_click = unsubscribe_url.removeprefix("https://water.example.gov.cn")
    response = strict.post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert count_rows(Subscriber) == 0
    assert db.session.scalar(sa.select(Subscriber).where(Subscriber.email == address)) is None
    # Replayed: a clear error, nothing else happens.
    again = strict.post(one_click, headers={"Accept-Language": "en"})
    assert again.status_code == 410
    assert "This link no longer works" in again.get_data(as_text=True)
    announce(source="alert:1:v2")
    drain(mail_app)
    assert len(smtp.inbox.to(address)) == 2


def test_only_matching_counties_and_topics_are_mailed(mail_app, smtp):
    client = mail_app.test_client()
    subscribe_and_confirm(
        client,
        mail_app,
        smtp,
        "mohe@example.org",
        whole_region="",
        counties=["mohe"],
        topics=["water", "notices:eia"],
    )
    announce(topic="water", source="w:1", counties=["huma"])  # another county
    announce(topic="water", source="w:2", counties=["mohe"])
    announce(topic="enforcement", source="e:1", counties=["mohe"])  # topic not chosen
    announce(topic="notices", source="n:1", category="eia")
    announce(topic="notices", source="n:2", category="announcements")
    drain(mail_app)
    subjects = [m["Subject"] for m in smtp.inbox.to("mohe@example.org")[1:]]
    assert len(subjects) == 2


def test_subscribing_again_changes_the_choices_through_a_new_confirmation(mail_app, smtp):
    client = mail_app.test_client()
    address = "twice@example.org"
    subscribe_and_confirm(client, mail_app, smtp, address, topics=["water"])
    known = client.post("/subscribe", data=subscribe_form(address, topics=["enforcement"]))
    unknown = client.post("/subscribe", data=subscribe_form("new@example.org"))
    # The answer never tells whether an address is already subscribed.
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    drain(mail_app)
    subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.email == address))
    assert subscriber.topics == ["water"]  # unchanged until confirmed
    path = link(smtp.inbox.to(address)[-1], "confirm")
    assert client.post(path).status_code == 200
    db.session.expire_all()
    assert count_rows(Subscriber) == 1
    assert db.session.scalar(sa.select(Subscriber.topics)) == ["enforcement"]
    # The confirmation link works once.
    assert client.post(path).status_code == 404


def test_change_link_in_a_mail_changes_choices_at_once(mail_app, smtp):
    client = mail_app.test_client()
    subscribe_and_confirm(client, mail_app, smtp, "chg@example.org", topics=["water"])
    announce(topic="water", source="w:9")
    drain(mail_app)
    manage = link(smtp.inbox.to("chg@example.org")[-1], "manage")
    page = client.get(manage).get_data(as_text=True)
    assert "chg@example.org" not in page
    response = client.post(
        manage, data={"whole_region": "y", "topics": ["warnings"], "frequency": "digest"}
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(Subscriber.frequency)) == "digest"


@pytest.mark.parametrize(
    ("data", "message_en", "message_zh"),
    [
        ({"email": "not-an-address"}, "Enter a valid e-mail address", "请输入有效的电子邮件地址"),
        (
            {"whole_region": "", "counties": ["atlantis"]},
            "Choose counties from the list",
            "请从列表中选择区县",
        ),
        ({"whole_region": ""}, "Choose at least one county", "请至少选择一个区县"),
        ({"topics": ["lottery"]}, "Choose topics from the list", "请从列表中选择主题"),
        ({"topics": []}, "Choose at least one topic", "请至少选择一个主题"),
        (
            {"frequency": "hourly"},
            "Choose immediately or a daily digest",
            "请选择立即发送或每日摘要",
        ),
    ],
)
def test_bad_input_is_refused_with_a_translated_error_and_nothing_saved(
    client, data, message_en, message_zh
):
    from portal.delivery.models import OutboxMessage

    form = subscribe_form("ok@example.org", **data)
    en = client.post("/subscribe", data=form, headers={"Accept-Language": "en"})
    zh = client.post("/subscribe", data=form, headers={"Accept-Language": "zh-CN"})
    assert en.status_code == zh.status_code == 400
    assert message_en in en.get_data(as_text=True)
    assert message_zh in zh.get_data(as_text=True)
    assert count_rows(SubscriptionRequest) == 0 and count_rows(OutboxMessage) == 0


def test_expired_confirmation_link_gives_a_clear_error(mail_app, smtp):
    client = mail_app.test_client()
    client.post("/subscribe", data=subscribe_form("late@example.org"))
    drain(mail_app)
    path = link(smtp.inbox.to("late@example.org")[0], "confirm")
    db.session.execute(
        sa.update(SubscriptionRequest).values(
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        )
    )
    db.session.commit()
    for response in (
        client.get(path, headers={"Accept-Language": "en"}),
        client.post(path, headers={"Accept-Language": "en"}),
    ):
        assert response.status_code == 410
        assert "This confirmation link has expired" in response.get_data(as_text=True)
    assert "确认链接已过期" in client.get(path).get_data(as_text=True)
    assert count_rows(Subscriber) == 0
    assert client.get("/subscribe/confirm/made-up-token").status_code == 404


def test_daily_digest_collects_the_day_and_warnings_still_go_at_once(mail_app, smtp):
    client = mail_app.test_client()
    address = "digest@example.org"
    subscribe_and_confirm(
        client, mail_app, smtp, address, frequency="digest", topics=["warnings", "water"]
    )
    announce(topic="water", source="w:a", counties=["mohe"])
    announce(topic="water", source="w:b", counties=["tahe"])
    drain(mail_app)
    assert len(smtp.inbox.to(address)) == 1  # only the confirmation
    announce(topic="warnings", source="alert:5:v1")
    drain(mail_app)
    assert len(smtp.inbox.to(address)) == 2  # the warning, at once
    service.daily()
    service.daily()  # a second run on the same day queues nothing more
    drain(mail_app)
    mails = smtp.inbox.to(address)
    assert len(mails) == 3
    digest = mails[-1]
    assert "2" in digest["Subject"]
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_subscribe_form_is_rate_limited(app_factory):
    client = app_factory(SUBSCRIBE_RATE_LIMIT="2 per hour").test_client()
    for _ in range(2):
        client.post("/subscribe", data=subscribe_form("x@example.org"))
    response = client.post(
        "/subscribe", data=subscribe_form("y@example.org"), headers={"Accept-Language": "en"}
    )
    assert response.status_code == 429
    assert "too often" in response.get_data(as_text=True)


def test_subscribe_page_is_linked_from_the_footer_water_and_notices_pages(client):
    for path in ("/", "/water/", "/notices/"):
        html = client.get(path).get_data(as_text=True)
        assert 'href="/subscribe"' in html, path
    assert client.get("/subscribe").status_code == 200


def test_the_daily_job_forgets_requests_a_week_after_they_expired(mail_app, smtp):
    client = mail_app.test_client()
    client.post("/subscribe", data=subscribe_form("forgotten@example.org"))
    client.post("/subscribe", data=subscribe_form("recent@example.org"))
    db.session.execute(
        sa.update(SubscriptionRequest)
        .where(SubscriptionRequest.email == "forgotten@example.org")
        .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=8))
    )
    db.session.commit()
    service.daily()
    assert list(db.session.scalars(sa.select(SubscriptionRequest.email))) == ["recent@example.org"]
