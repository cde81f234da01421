"""The outbox is written with the publication (rolled back with it), notices feed it, SMTP
failures are retried with backoff and counted on the officials' delivery page, and no
subscriber's address ever reaches a public page, feed, API or log."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time

import pytest
import sqlalchemy as sa

from portal.core.publications import Publication, publish
from portal.delivery import retry, worker
from portal.delivery.cli import _sweep
from portal.delivery.models import Delivery, OutboxMessage
from portal.notices import service as notices
from portal.notices.announce import announce
from portal.subscriptions.choices import matches
from portal.subscriptions.models import Subscriber
from tests.core_support import count_rows
from tests.delivery_support import SMTPServer, link, subscribe_form


def warning(source="alert:3:v1"):
    return Publication(
        topic="warnings", source=source, path="/alerts/3", title_zh="蓝色预警", urgent=True
    )


def test_outbox_row_is_committed_or_rolled_back_with_the_publication(db):
    publish(warning())
    db.session.rollback()
    assert count_rows(OutboxMessage) == 0
    publish(warning())
    publish(warning())  # the same source twice in one transaction: one message
    db.session.commit()
    publish(warning())  # and again later
    db.session.commit()
    assert count_rows(OutboxMessage) == 1


def test_notices_publish_with_the_topic_of_their_category_and_their_county(db):
    announce(
        "water-quality",
        "漠河市第三季度水质",
        "达标。",
        "/water/quarters/mohe/2026Q3",
        county="mohe",
        source="water:quarter:mohe:2026Q3",
    )
    announce("cards", "红牌", "", "/enforcement/cards", source="card:1")
    draft = notices.create_draft(
        notices.NoticeData(
            category="eia",
            county=None,
            language="zh_Hans",
            title_zh="环评公示",
            title_en=None,
            summary_zh="",
            summary_en=None,
            body_zh="正文",
            body_en=None,
        )
    )
    notices.publish(draft)
    rows = {
        m.payload["path"]: (m.topic, m.payload["counties"], m.payload["category"])
        for m in db.session.scalars(sa.select(OutboxMessage))
    }
    assert rows == {
        "/water/quarters/mohe/2026Q3": ("water", ["mohe"], "water-quality"),
        "/enforcement/cards": ("enforcement", [], "cards"),
        f"/notices/{draft.id}": ("notices", [], "eia"),
    }


def test_a_scheduled_notice_is_not_mailed_before_it_is_public(db):
    draft = notices.create_draft(
        notices.NoticeData(
            category="announcements",
            county=None,
            language="zh_Hans",
            title_zh="预告",
            title_en=None,
            summary_zh="",
            summary_en=None,
            body_zh="正文",
            body_en=None,
        )
    )
    notices.publish(draft, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert count_rows(OutboxMessage) == 0


def _scheduled(db, title, hours=1):
    draft = notices.create_draft(
        notices.NoticeData(
            category="announcements",
            county=None,
            language="zh_Hans",
            title_zh=title,
            title_en=None,
            summary_zh="",
            summary_en=None,
            body_zh="正文",
            body_en=None,
        )
    )
    notices.publish(draft, at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours))
    return draft


def test_a_scheduled_notice_is_mailed_by_the_worker_once_its_time_comes(app_factory, smtp, db):
    """Subscribers hear of a notice scheduled for 9:00 at 9:00, once, from the running
    worker's sweep; one taken back to draft, or withdrawn, before its time is never mailed."""
    mail_app = app_factory(**smtp.config)
    db.session.add(
        Subscriber(
            email="reader@example.org",
            counties=[],
            topics=["notices:announcements"],
            frequency="immediate",
            nonce="n-reader",
        )
    )
    db.session.commit()
    due = _scheduled(db, "九点发布的公告")
    taken_back = _scheduled(db, "撤回为草稿的公告")
    notices.unschedule(taken_back)
    withdrawn = _scheduled(db, "撤下的公告")
    notices.withdraw(withdrawn, "信息有误")

    def sweep_once():
        worker.STOP.clear()
        thread = threading.Thread(target=_sweep, args=(mail_app, 0.05))
        thread.start()
        try:
            time.sleep(0.3)  # a few rounds of the sweep
        finally:
            worker.STOP.set()
            thread.join(5)
            worker.STOP.clear()

    sweep_once()
    assert count_rows(OutboxMessage) == 0 and smtp.inbox.messages == []  # not yet its time

    # 9:00 comes (the clock moves past the scheduled times).
    for notice in (due, taken_back, withdrawn):
        db.session.refresh(notice)
        if notice.published_at:
            notice.published_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.session.commit()
    sweep_once()
    sweep_once()  # and the sweeps after it send nothing more
    assert [m["Subject"] for m in smtp.inbox.to("reader@example.org")] == [
        m["Subject"] for m in smtp.inbox.messages
    ]
    assert len(smtp.inbox.messages) == 1
    assert "九点发布的公告" in smtp.inbox.messages[0]["Subject"]
    assert count_rows(OutboxMessage) == 1


def test_topics_and_counties_match_as_chosen():
    assert matches(["warnings"], [], "warnings", None, ["mohe"])
    assert matches(["warnings"], ["mohe"], "warnings", None, [])  # whole-region warning
    assert not matches(["warnings"], ["tahe"], "warnings", None, ["mohe"])
    assert matches(["notices:eia"], [], "notices", "eia", [])
    assert not matches(["notices:eia"], [], "notices", "announcements", [])
    assert not matches(["water"], [], "enforcement", "cards", [])


def test_backoff_doubles_up_to_the_ceiling():
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    delays = [(retry.next_attempt(now, n, 60, 3600) - now).seconds for n in range(1, 9)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600]


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


def _subscriber(db, address):
    db.session.add(
        Subscriber(
            email=address,
            counties=[],
            topics=["warnings"],
            frequency="immediate",
            nonce="n-" + address,
        )
    )
    db.session.commit()


def _delivery_page(client):
    html = client.get("/admin/delivery/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    row = re.search(r"<th scope=\"row\">Warnings</th>(.*?)</tr>", html, re.S)
    return [int(n) for n in re.findall(r"<td>(\d+)</td>", row.group(1))] if row else None


def test_smtp_failures_are_retried_with_backoff_and_counted(app_factory, smtp, db):
    mail_app = app_factory(**smtp.config)
    _subscriber(db, "flaky@example.org")
    _subscriber(db, "gone@example.org")
    smtp.inbox.refuse = lambda n: (
        "550 5.1.1 no such user" if n == 2 else "451 4.3.0 try later" if n in (1, 3) else None
    )
    publish(warning())
    db.session.commit()
    with mail_app.app_context():
        worker.drain()

    def state():
        db.session.expire_all()
        return {
            d.recipient: (d.status, d.attempts, d.next_attempt_at)
            for d in db.session.scalars(sa.select(Delivery))
        }

    now = dt.datetime.now(dt.UTC)
    first = state()
    statuses = sorted(s for s, _a, _t in first.values())
    assert statuses == ["failed", "retrying"]
    (retrying,) = [v for v in first.values() if v[0] == "retrying"]
    assert retrying[1] == 1
    assert dt.timedelta(seconds=50) < retrying[2] - now < dt.timedelta(seconds=70)

    def due_now():
        db.session.execute(
            sa.update(Delivery)
            .where(Delivery.status == "retrying")
            .values(next_attempt_at=dt.datetime.now(dt.UTC))
        )
        db.session.commit()

    due_now()
    with mail_app.app_context():
        worker.drain()
    (again,) = [v for v in state().values() if v[0] == "retrying"]
    assert again[1] == 2
    assert again[2] - dt.datetime.now(dt.UTC) > dt.timedelta(seconds=100)  # doubled
    due_now()
    with mail_app.app_context():
        worker.drain()
    assert sorted(s for s, _a, _t in state().values()) == ["failed", "sent"]
    assert len(smtp.inbox.messages) == 1


def test_delivery_page_counts_per_topic_for_admins_only(app_factory, smtp, client, login_as, db):
    mail_app = app_factory(**smtp.config)
    _subscriber(db, "a@example.org")
    smtp.inbox.refuse = lambda n: "451 4.3.0 try later"
    publish(warning())
    db.session.commit()
    with mail_app.app_context():
        worker.drain()
    login_as("publisher")
    assert client.get("/admin/delivery/").status_code == 403
    client.get("/admin/logout")
    login_as("admin")
    # waiting, sent, retrying, failed, unsubscribed before sending
    assert _delivery_page(client) == [0, 0, 1, 0, 0]
    assert "a@example.org" not in client.get("/admin/delivery/").get_data(as_text=True)
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "/admin/delivery/" in dashboard


CANARIES = ("canary-one@example.net", "Canary.Two@Example.NET")


def test_subscribers_addresses_never_reach_a_public_page_feed_api_or_log(
    app_factory, smtp, db, caplog
):
    caplog.set_level(logging.DEBUG)
    mail_app = app_factory(**smtp.config)
    client = mail_app.test_client()
    pages = []
    for address in CANARIES:
        pages.append(client.post("/subscribe", data=subscribe_form(address)))
        with mail_app.app_context():
            worker.drain()
        confirm = link(smtp.inbox.to(address.lower())[-1], "confirm")
        pages += [client.get(confirm), client.post(confirm)]
    announce("announcements", "公告", "摘要", "/notices/", source="x:1")
    publish(warning())
    db.session.commit()
    with mail_app.app_context():
        worker.drain()
    assert len(smtp.inbox.messages) == 4
    manage = link(smtp.inbox.messages[-1], "manage")
    unsubscribe = link(smtp.inbox.messages[-1], "unsubscribe")
    pages += [client.get(manage), client.get(unsubscribe), client.get("/subscribe/sent")]
    for rule in mail_app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/admin"):
            pages.append(client.get(rule.rule))
    pages += [client.get("/search?q=canary"), client.get("/api/v1/notices?q=canary")]
    pages.append(client.post(unsubscribe))
    assert len(pages) > 20
    for response in pages:
        text = response.get_data(as_text=True).lower()
        for address in CANARIES:
            assert address.lower() not in text, response.request.path
            assert address.split("@")[0].lower() not in text, response.request.path
    # Everything the portal logged (the test's own SMTP server, "mail.log", is not the portal).
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith("mail.log")
    ).lower()
    assert "subscription" in logged  # the log was captured
    for address in CANARIES:
        assert address.lower() not in logged
        assert address.split("@")[0].lower() not in logged
    # The outbox keeps no address: deliveries point at subscribers by id.
    assert all(d.address is None for d in db.session.scalars(sa.select(Delivery)))
