"""Red and yellow cards: decisions, lifting, escalation, county scoping, publication periods,
credit repair and corrections, as the public and officials see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from portal.enforcement import cards
from portal.enforcement.models import Card
from portal.notices.models import Notice
from tests.enforcement_support import add_enterprise, card_decision, credit_code

MOHE = credit_code(1, "232723")
TAHE = credit_code(2, "232722")


def card_form(code: str, **extra: Any) -> dict[str, Any]:
    data = {
        "enterprise_code": code,
        "color": "yellow",
        "number": "大兴安岭环黄牌〔2026〕1号",
        "decided_on": "2026-01-10",
        "authority": "大兴安岭地区生态环境局",
        "reasons": "废水悬浮物超标排放",
        "measures": "限制生产，限期整改",
        "deadline": "2026-03-31",
    }
    data.update(extra)
    return data


def test_yellow_card_is_listed_announced_and_on_the_enterprise_page(app, client, login_as):
    add_enterprise(app, MOHE, "mohe")
    login_as("enforcement_officer", "mohe")
    response = client.post("/admin/enforcement/cards/new", data=card_form(MOHE))
    assert response.status_code == 302

    cards = client.get("/enforcement/cards?lang=zh_Hans").get_data(as_text=True)
    assert "漠河测试金矿有限公司" in cards and "黄牌" in cards
    page = client.get(f"/enforcement/enterprises/{MOHE}?lang=en").get_data(as_text=True)
    assert "Yellow card" in page and "In force since 2026-01-10" in page
    assert "Card in force" in page  # the quarter strip says it in words
    from portal.core.extensions import db

    notice = db.session.scalar(sa.select(Notice).where(Notice.category == "cards"))
    assert notice is not None and MOHE in notice.summary_zh
    assert notice.link.startswith(f"/enforcement/enterprises/{MOHE}#card-")


def test_lifting_moves_the_card_to_the_history_and_announces_it(app, client, login_as):
    add_enterprise(app, MOHE, "mohe")
    login_as("enforcement_officer", "mohe")
    client.post("/admin/enforcement/cards/new", data=card_form(MOHE))
    response = client.post(
        "/admin/enforcement/cards/1/lift",
        data={"lifted_on": "2026-04-01", "reason": "整改完成", "evidence": "监测报告第12号"},
    )
    assert response.status_code == 302
    api = client.get("/api/v1/enforcement/cards").get_json()
    assert api["items"] == []
    lifted = client.get("/api/v1/enforcement/cards?state=lifted").get_json()["items"]
    assert lifted[0]["state"] == "lifted" and lifted[0]["lift_evidence"] == "监测报告第12号"
    assert (
        client.get("/enforcement/enterprises/" + MOHE).get_data(as_text=True).count("整改完成") == 1
    )
    from portal.core.extensions import db

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 2


def test_escalation_replaces_the_yellow_card_with_a_red_one(app, client, login_as):
    add_enterprise(app, MOHE, "mohe")
    login_as("admin")
    client.post("/admin/enforcement/cards/new", data=card_form(MOHE))
    response = client.post(
        "/admin/enforcement/cards/new",
        data=card_form(
            MOHE,
            color="red",
            number="大兴安岭环红牌〔2026〕1号",
            decided_on="2026-04-02",
            escalate_number="大兴安岭环黄牌〔2026〕1号",
            reasons="整改期满仍超标",
            deadline="",
        ),
    )
    assert response.status_code == 302
    items = client.get("/api/v1/enforcement/cards").get_json()["items"]
    assert [(i["card"], i["escalated_from"]) for i in items] == [
        ("red", "大兴安岭环黄牌〔2026〕1号")
    ]
    history = client.get("/api/v1/enforcement/cards?state=lifted").get_json()["items"]
    assert history[0]["state"] == "escalated" and history[0]["ended_on"] == "2026-04-02"


def test_a_second_card_in_force_is_refused(app, client, login_as):
    add_enterprise(app, MOHE, "mohe")
    login_as("admin")
    client.post("/admin/enforcement/cards/new", data=card_form(MOHE))
    response = client.post(
        "/admin/enforcement/cards/new", data=card_form(MOHE, number="另一个决定书号")
    )
    assert response.status_code == 400
    assert len(client.get("/api/v1/enforcement/cards").get_json()["items"]) == 1


def test_a_tahe_officer_cannot_record_a_card_for_a_mohe_enterprise(app, client, login_as):
    add_enterprise(app, MOHE, "mohe")
    login_as("enforcement_officer", "tahe")
    response = client.post("/admin/enforcement/cards/new", data=card_form(MOHE))
    assert response.status_code == 403
    assert client.get("/api/v1/enforcement/cards").get_json()["items"] == []


def test_a_region_wide_officer_may_record_a_card_anywhere(app, client, login_as):
    add_enterprise(app, MOHE, "mohe")
    login_as("enforcement_officer")
    assert client.post("/admin/enforcement/cards/new", data=card_form(MOHE)).status_code == 302


def test_other_roles_cannot_record_cards(app, client, login_as):
    add_enterprise(app, MOHE, "mohe")
    login_as("water_officer")
    assert client.post("/admin/enforcement/cards/new", data=card_form(MOHE)).status_code == 403


def _old_lifted_card(app: Any, color: str, lifted_on: dt.date) -> None:
    add_enterprise(app, MOHE, "mohe")
    with app.test_request_context():
        card = cards.decide_card(
            card_decision(
                MOHE,
                color=color,
                number="旧决定",
                decided_on=lifted_on - dt.timedelta(days=60),
                authority="局",
                reasons="超标",
                measures="限产",
            )
        )
        cards.lift_card(card, cards.Lifting(lifted_on, "整改完成", "报告"))


def test_a_yellow_card_lifted_over_a_year_ago_leaves_public_pages_but_officials_see_it(
    app, client, login_as
):
    _old_lifted_card(app, "yellow", service_today() - dt.timedelta(days=400))
    assert client.get("/api/v1/enforcement/cards?state=lifted").get_json()["items"] == []
    assert "旧决定" not in client.get("/enforcement/cards").get_data(as_text=True)
    assert "旧决定" not in client.get(f"/enforcement/enterprises/{MOHE}").get_data(as_text=True)
    login_as("enforcement_officer", "mohe")
    page = client.get(f"/enforcement/enterprises/{MOHE}?lang=en").get_data(as_text=True)
    assert "旧决定" in page and "shown to officials only" in page


def test_a_red_card_stays_public_for_three_years_after_lifting(app, client):
    _old_lifted_card(app, "red", service_today() - dt.timedelta(days=400))
    items = client.get("/api/v1/enforcement/cards?state=lifted").get_json()["items"]
    assert [i["decision_number"] for i in items] == ["旧决定"]


def test_publication_periods_are_configurable(app_factory):
    app = app_factory(ENFORCEMENT_PUBLICATION_YEARS_ORDINARY=2)
    _old_lifted_card(app, "yellow", service_today() - dt.timedelta(days=400))
    items = app.test_client().get("/api/v1/enforcement/cards?state=lifted").get_json()["items"]
    assert len(items) == 1


def test_an_approved_credit_repair_ends_publication_early(app, client, login_as):
    _old_lifted_card(app, "red", service_today() - dt.timedelta(days=30))
    login_as("enforcement_officer", "mohe")
    response = client.post(
        "/admin/enforcement/cards/1/repair",
        data={"repaired_on": service_today().isoformat(), "reason": "信用修复申请已批准"},
    )
    assert response.status_code == 302
    client.post("/admin/logout")
    assert client.get("/api/v1/enforcement/cards?state=lifted").get_json()["items"] == []
    from portal.core.extensions import db

    card = db.session.scalar(sa.select(Card))
    assert card is not None and card.repair_reason == "信用修复申请已批准"


def test_a_correction_keeps_the_old_value_and_shows_the_reason(app, client, login_as):
    add_enterprise(app, MOHE, "mohe")
    login_as("admin")
    client.post("/admin/enforcement/cards/new", data=card_form(MOHE))
    response = client.post(
        "/admin/enforcement/cards/1/correct",
        data={"field": "deadline", "value": "2026-04-30", "reason": "录入时日期有误"},
    )
    assert response.status_code == 302
    page = client.get(f"/enforcement/enterprises/{MOHE}").get_data(as_text=True)
    assert "录入时日期有误" in page and "2026-03-31" in page and "2026-04-30" in page
    from portal.core.extensions import db

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Card)) == 1


def test_card_lists_download_as_csv_and_json(app, client, login_as):
    add_enterprise(app, MOHE, "mohe")
    login_as("admin")
    client.post("/admin/enforcement/cards/new", data=card_form(MOHE))
    csv = client.get("/enforcement/cards.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    assert MOHE in csv.get_data(as_text=True)
    data = client.get("/enforcement/cards.json").get_json()
    assert data[0]["card"] == "yellow" and data[0]["decided_on"] == "2026-01-10"
    assert client.get("/enforcement/cards.pdf").status_code == 404


def test_cards_filter_by_county_and_colour(app, client, login_as):
    add_enterprise(app, MOHE, "mohe")
    add_enterprise(app, TAHE, "tahe", name="塔河测试木业")
    login_as("admin")
    client.post("/admin/enforcement/cards/new", data=card_form(MOHE))
    client.post("/admin/enforcement/cards/new", data=card_form(TAHE, color="red", number="红2"))
    assert [
        i["enterprise_code"]
        for i in client.get("/api/v1/enforcement/cards?county=tahe").get_json()["items"]
    ] == [TAHE]
    assert [
        i["enterprise_code"]
        for i in client.get("/api/v1/enforcement/cards?card=yellow").get_json()["items"]
    ] == [MOHE]
    page = client.get("/enforcement/cards?card=red").get_data(as_text=True)
    assert "塔河测试木业" in page and "漠河测试金矿有限公司" not in page


def service_today() -> dt.date:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()
