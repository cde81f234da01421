"""Totals that don't shrink: yearly and overall counts keep records that left the lists."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import sqlalchemy as sa

from portal.enforcement import cards, cases
from portal.enforcement.models import Enterprise
from tests.enforcement_support import add_enterprise, card_decision, case_data, credit_code


def _record_2019(app) -> None:
    add_enterprise(app, credit_code(1), "mohe", "漠河测试金矿")
    with app.test_request_context():
        from portal.core.extensions import db

        code = db.session.scalar(sa.select(Enterprise)).code
        cases.record_case(
            case_data(
                code,
                number="大兴安岭环罚〔2019〕3号",
                filed_on=dt.date(2019, 4, 2),
                decided_on=dt.date(2019, 5, 20),
                facts="超标排放",
                fine_yuan=Decimal(200000),
                police_transferred_on=dt.date(2019, 6, 1),
                police_outcome="移送",
            )
        )
        card = cards.decide_card(
            card_decision(
                code,
                number="大兴安岭环黄〔2019〕1号",
                decided_on=dt.date(2019, 3, 1),
                reasons="超标",
                measures="限产整改",
            )
        )
        cards.lift_card(
            card,
            cards.Lifting(lifted_on=dt.date(2019, 9, 1), reason="整改完成", evidence="监测报告"),
        )
        cases.record_inspection(
            cases.InspectionData(
                enterprise_code=code,
                inspected_on=dt.date(2019, 4, 1),
                inspectors="张某、李某",
                items_checked="废水排放口",
                findings="超标",
                outcome="rectify",
            )
        )


def test_a_case_decided_in_2019_still_counts_in_2019s_total_after_it_leaves_the_list(app, client):
    _record_2019(app)
    # The records have left the public lists: their publication period ended long ago.
    assert client.get("/api/v1/enforcement/cases").get_json()["items"] == []
    assert "〔2019〕3号" not in client.get("/enforcement/cases").get_data(as_text=True)
    assert "〔2019〕1号" not in client.get("/enforcement/cards?lifted=1").get_data(as_text=True)
    # ...and the totals keep them.
    summary = client.get("/api/v1/enforcement/cases/summary").get_json()
    year = next(r for r in summary["years"] if r["period"] == "2019")
    assert year["cases"] == 1 and Decimal(str(year["fines_yuan"])) == Decimal(200000)
    assert year["transfers"] == 1
    page = client.get("/enforcement/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    row = re.search(r"<tr><th scope=\"row\">2019</th>(.*?)</tr>", page).group(1)
    assert re.findall(r">([\d,]+)<", row) == ["0", "1", "1", "200,000", "1", "1"]
    overall = re.search(r"<tr><th scope=\"row\">All years</th>(.*?)</tr>", page).group(1)
    assert re.findall(r">([\d,]+)<", overall) == ["0", "1", "1", "200,000", "1", "1"]
    assert "leave the lists after their publication period" in page
    cases_page = client.get("/enforcement/cases", headers={"Accept-Language": "en"})
    assert "the totals keep them" in cases_page.get_data(as_text=True)
