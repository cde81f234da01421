"""Corrections pass the checks made at creation (issue 15 #18): no 500 on a duplicate
decision number, no date in the future or before filing, and no correction that quietly
ends a record's publication."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.enforcement import cards, cases, publication
from portal.enforcement.models import Card, Case, Correction
from tests.enforcement_support import add_enterprise, card_decision, case_data, credit_code

MOHE = credit_code(1)


def _seed(app):
    add_enterprise(app, MOHE, "mohe")
    today = publication.today()
    with app.test_request_context():
        first = cards.decide_card(card_decision(MOHE, number="黄牌1号", decided_on=today))
        cards.lift_card(first, cards.Lifting(today, "整改完成", "报告"))
        cards.decide_card(card_decision(MOHE, number="黄牌2号", decided_on=today))
        filed = today - dt.timedelta(days=30)
        for number in ("罚1号", "罚2号"):
            cases.record_case(
                case_data(MOHE, number=number, filed_on=filed, decided_on=today, serious=False)
            )


def _correct(client, kind, item_id, field, value, lang="en"):
    return client.post(
        f"/admin/enforcement/{kind}/{item_id}/correct?lang={lang}",
        data={"field": field, "value": value, "reason": "更正"},
    )


def _unchanged(db):
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Correction)) == 0


def test_a_duplicate_decision_number_is_explained_not_a_server_error(app, client, login_as, db):
    _seed(app)
    login_as("enforcement_officer", "mohe")
    response = _correct(client, "cards", 2, "number", "黄牌1号")
    assert response.status_code == 400
    assert "A card with decision number 黄牌1号 exists." in response.get_data(as_text=True)
    response = _correct(client, "cases", 2, "number", "罚1号", lang="zh_Hans")
    assert response.status_code == 400
    assert "决定书文号为 罚1号 的案件已存在。" in response.get_data(as_text=True)
    _unchanged(db)
    assert db.session.get(Card, 2).number == "黄牌2号"
    assert db.session.get(Case, 2).number == "罚2号"


def test_dates_cannot_be_corrected_into_the_future_or_before_filing(app, client, login_as, db):
    _seed(app)
    login_as("enforcement_officer", "mohe")
    tomorrow = (publication.today() + dt.timedelta(days=1)).isoformat()
    response = _correct(client, "cards", 2, "decided_on", tomorrow)
    assert response.status_code == 400
    assert "cannot be in the future" in response.get_data(as_text=True)
    response = _correct(client, "cases", 1, "decided_on", tomorrow)
    assert response.status_code == 400
    assert "cannot be in the future" in response.get_data(as_text=True)
    before_filing = (publication.today() - dt.timedelta(days=31)).isoformat()
    response = _correct(client, "cases", 1, "decided_on", before_filing)
    assert response.status_code == 400
    assert "The decision cannot precede the filing." in response.get_data(as_text=True)
    # A lifted card's decision cannot move after its lifting.
    response = _correct(client, "cards", 1, "decided_on", tomorrow)
    assert response.status_code == 400
    _unchanged(db)


def test_a_correction_cannot_quietly_end_a_cases_publication(app, client, login_as, db):
    add_enterprise(app, MOHE, "mohe")
    today = publication.today()
    with app.test_request_context():
        cases.record_case(
            case_data(
                MOHE,
                number="罚3号",
                filed_on=today - dt.timedelta(days=800),
                decided_on=today - dt.timedelta(days=10),
                serious=False,
            )
        )
    login_as("enforcement_officer", "mohe")
    old = (today - dt.timedelta(days=700)).isoformat()
    response = _correct(client, "cases", 1, "decided_on", old)
    assert response.status_code == 400
    assert "publication period would already have ended" in response.get_data(as_text=True)
    _unchanged(db)
    assert client.get("/api/v1/enforcement/cases").get_json()["items"][0]["decision_number"] == (
        "罚3号"
    )


def test_an_amount_too_large_for_the_record_is_explained(app, client, login_as, db):
    _seed(app)
    login_as("enforcement_officer", "mohe")
    response = _correct(client, "cases", 1, "fine_yuan", "1" + "0" * 14)
    assert response.status_code == 400
    assert "The amount is too large." in response.get_data(as_text=True)
    _unchanged(db)
