"""A warning reaches people: published through the officials' form, it is mailed at once to
every confirmed subscriber of the affected county (digest subscribers too), each update and
the lift again, and to nobody else — through a real SMTP server and the delivery worker."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.alerts.models import Alert
from portal.core.extensions import db
from portal.delivery import worker
from portal.subscriptions.models import Subscriber
from tests.alerts_support import form, publish
from tests.core_support import PASSWORD
from tests.delivery_support import SMTPServer


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


def _subscriber(address: str, counties: list[str], frequency: str = "immediate") -> None:
    db.session.add(
        Subscriber(email=address, counties=counties, topics=["warnings"], frequency=frequency,
                   nonce="n-" + address)
    )  # fmt: skip
    db.session.commit()


def _drain(app) -> None:
    with app.app_context():
        worker.drain()


def test_a_red_warning_is_mailed_to_the_countys_subscribers_at_publication_update_and_lift(
    app_factory, smtp, make_user
):
    app = app_factory(**smtp.config)
    with app.app_context():
        _subscriber("mohe-resident@example.org", ["mohe"])
        _subscriber("digest-resident@example.org", ["mohe"], frequency="digest")
        _subscriber("whole-region@example.org", [])
        _subscriber("tahe-resident@example.org", ["tahe"])
    official = app.test_client()
    user = make_user("water_officer", "mohe")
    official.post("/admin/login", data={"email": user.email, "password": PASSWORD})

    assert publish(official).status_code == 302
    _drain(app)
    for address in ("mohe-resident@example.org", "digest-resident@example.org",
                    "whole-region@example.org"):  # fmt: skip
        [mail] = smtp.inbox.to(address)
        assert "漠河市城区自来水暂停饮用" in str(mail["Subject"]), address
        assert mail["List-Unsubscribe"] and mail["List-Unsubscribe-Post"]
    assert smtp.inbox.to("tahe-resident@example.org") == []

    with app.app_context():
        alert_id = db.session.scalar(sa.select(Alert.id))
    changed = form(
        version="1",
        headline_zh="漠河市城区自来水煮沸后饮用",
        note_zh="降为橙色。",
        note_en="Lowered.",
    )
    assert official.post(f"/admin/alerts/{alert_id}", data=changed).status_code == 302
    lifted = {"reason_zh": "复测合格，恢复正常供水。", "reason_en": "Retests pass."}
    assert official.post(f"/admin/alerts/{alert_id}/lift", data=lifted).status_code == 302
    _drain(app)
    assert len(smtp.inbox.to("mohe-resident@example.org")) == 3  # publish, update, lift
    assert smtp.inbox.to("tahe-resident@example.org") == []
