"""Violation cases: publication, summaries per year and quarter, the chart, typical cases on
the home page, publication periods and the overview page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal.enforcement import cases, history, publication
from portal.enforcement.models import Case
from portal.notices.models import Notice
from tests.enforcement_support import add_enterprise, case_data, credit_code

CODE = credit_code(1)


def case_form(**extra: Any) -> dict[str, Any]:
    data = {
        "enterprise_code": CODE,
        "number": "大兴安岭环罚〔2026〕9号",
        "filed_on": "2026-02-10",
        "decided_on": "2026-03-18",
        "violation_type": "bypass",
        "facts": "通过暗管排放尾矿库渗滤液",
        "legal_basis": "《中华人民共和国水污染防治法》第八十三条",
        "fine_yuan": "1000000",
        "daily_penalty_yuan": "0",
        "production_measure": "suspend",
        "police_transferred_on": "2026-03-25",
        "police_outcome": "行政拘留10日",
        "status": "enforced",
        "typical": "y",
    }
    data.update(extra)
    return data


def registry(app: Any) -> None:
    add_enterprise(app, CODE, "mohe", "漠河测试金矿")


def test_a_published_case_has_its_own_page_and_is_announced(app, client, login_as, db):
    registry(app)
    login_as("enforcement_officer", "mohe")
    response = client.post("/admin/enforcement/cases/new", data=case_form())
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert case.slug == "2026-9" and case.serious  # a police transfer is serious
    page = client.get("/enforcement/cases/2026-9?lang=en").get_data(as_text=True)
    assert "Bypassing treatment facilities" in page and "1,000,000.00" in page
    assert "Transferred to the police on 2026-03-25" in page
    notice = db.session.scalar(sa.select(Notice).where(Notice.category == "cases"))
    assert notice.link == "/enforcement/cases/2026-9"


def test_cases_of_another_county_are_refused(app, client, login_as):
    registry(app)
    login_as("enforcement_officer", "huma")
    assert client.post("/admin/enforcement/cases/new", data=case_form()).status_code == 403


def test_summary_counts_cases_fines_and_transfers_per_year_and_quarter():
    years, quarters = history.summarize(
        [
            history.CaseFact(dt.date(2025, 11, 2), Decimal("100000"), True),
            history.CaseFact(dt.date(2026, 2, 8), Decimal("200000"), False),
            history.CaseFact(dt.date(2026, 3, 18), Decimal("1000000"), True),
            history.CaseFact(dt.date(2026, 9, 24), Decimal("0.50"), False),
        ]
    )
    assert [(r.period, r.cases, r.fines, r.transfers) for r in years] == [
        ("2025", 1, Decimal("100000"), 1),
        ("2026", 3, Decimal("1200000.50"), 1),
    ]
    assert [r.period for r in quarters] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert [(r.cases, r.transfers) for r in quarters] == [(1, 1), (2, 1), (0, 0), (1, 0)]


def test_quarter_strip_marks_the_most_serious_event_of_each_quarter():
    marks = history.quarter_strip(
        dt.date(2026, 11, 29),
        [history.CardSpan(dt.date(2026, 3, 20), None)],
        [(dt.date(2025, 1, 5), False), (dt.date(2025, 8, 15), True), (dt.date(2026, 5, 1), False)],
        [dt.date(2025, 8, 18)],
    )
    status = {m.quarter.label: m.status for m in marks}
    assert (
        len(marks) == 12
        and marks[0].quarter.label == "2024Q1"
        and marks[-1].quarter.label == "2026Q4"
    )
    assert status["2025Q1"] == "inspected"
    assert status["2025Q3"] == "violation"
    assert status["2026Q1"] == status["2026Q2"] == status["2026Q4"] == "card"
    assert status["2024Q2"] == "clean"


def test_cases_page_shows_the_chart_beside_its_table_and_downloads_the_figures(
    app, client, login_as
):
    registry(app)
    login_as("admin")
    client.post("/admin/enforcement/cases/new", data=case_form())
    client.post(
        "/admin/enforcement/cases/new",
        data=case_form(
            number="大兴安岭环罚〔2026〕22号",
            filed_on="2026-09-02",
            decided_on="2026-09-24",
            violation_type="exceeding",
            fine_yuan="200000",
            police_transferred_on="",
            typical="",
        ),
    )
    client.post("/admin/logout")
    page = client.get("/enforcement/cases?lang=en").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "<title" in svg and svg.count("<rect") >= 2
    assert "style=" not in page
    assert re.search(
        r"<th scope=\"row\">2026Q1</th><td class=\"num\">1</td>"
        r"<td class=\"num\">1,000,000.00</td><td class=\"num\">1</td>",
        page,
    )
    assert re.search(
        r"<th scope=\"row\">2026</th><td class=\"num\">2</td>"
        r"<td class=\"num\">1,200,000.00</td><td class=\"num\">1</td>",
        page,
    )
    csv = client.get("/enforcement/cases/summary.csv").get_data(as_text=True)
    assert "2026,2,1200000.00,1" in csv
    summary = client.get("/api/v1/enforcement/cases/summary").get_json()
    assert summary["years"] == [
        {"period": "2026", "cases": 2, "fines_yuan": 1200000.0, "transfers": 1}
    ]


def test_typical_cases_are_featured_on_the_home_page_and_overview(app, client, login_as):
    registry(app)
    login_as("admin")
    client.post("/admin/enforcement/cases/new", data=case_form())
    client.post("/admin/logout")
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "/enforcement/cases/2026-9" in home
    overview = client.get("/enforcement/?lang=en").get_data(as_text=True)
    assert "/enforcement/cases/2026-9" in overview and "Cards in force today" in overview
    only_typical = client.get("/api/v1/enforcement/cases?typical=1").get_json()["items"]
    assert [c["decision_number"] for c in only_typical] == ["大兴安岭环罚〔2026〕9号"]


def _old_case(app: Any, days_ago: int, serious: bool) -> None:
    registry(app)
    decided = publication.today() - dt.timedelta(days=days_ago)
    with app.test_request_context():
        cases.record_case(
            case_data(
                CODE,
                number="旧案",
                filed_on=decided - dt.timedelta(days=20),
                decided_on=decided,
                violation_type="exceeding",
                facts="超标",
                legal_basis="第八十三条",
                fine_yuan=Decimal(100000),
                daily_penalty_yuan=Decimal(0),
                status="closed",
                typical=True,
                serious=serious,
            )
        )


def test_an_ordinary_case_leaves_the_public_pages_after_one_year(app, client, login_as):
    _old_case(app, 400, serious=False)
    assert client.get("/api/v1/enforcement/cases").get_json()["items"] == []
    assert client.get("/enforcement/cases/case").status_code == 404
    assert "/enforcement/cases/case" not in client.get("/").get_data(as_text=True)
    login_as("enforcement_officer", "mohe")
    assert client.get("/enforcement/cases/case").status_code == 200
    assert "旧案" in client.get("/enforcement/cases").get_data(as_text=True)


def test_a_serious_case_stays_public_for_three_years(app, client):
    _old_case(app, 400, serious=True)
    assert [
        c["decision_number"] for c in client.get("/api/v1/enforcement/cases").get_json()["items"]
    ] == ["旧案"]


def test_a_case_correction_is_shown_with_its_reason(app, client, login_as):
    registry(app)
    login_as("admin")
    client.post("/admin/enforcement/cases/new", data=case_form())
    response = client.post(
        "/admin/enforcement/cases/1/correct",
        data={"field": "fine_yuan", "value": "900000", "reason": "复核后更正罚款金额"},
    )
    assert response.status_code == 302
    page = client.get("/enforcement/cases/2026-9").get_data(as_text=True)
    assert "复核后更正罚款金额" in page and "900,000.00" in page and "1000000.00" in page


def test_cases_filter_and_download(app, client, login_as):
    registry(app)
    login_as("admin")
    client.post("/admin/enforcement/cases/new", data=case_form())
    client.post("/admin/logout")
    assert client.get("/api/v1/enforcement/cases?type=exceeding").get_json()["items"] == []
    assert (
        len(client.get("/api/v1/enforcement/cases?transferred=1&year=2026").get_json()["items"])
        == 1
    )
    xlsx = client.get("/enforcement/cases.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "2026-9" in client.get("/enforcement/cases.csv").get_data(as_text=True)


def test_an_approved_credit_repair_takes_a_case_off_the_public_pages(app, client, login_as):
    registry(app)
    login_as("admin")
    client.post("/admin/enforcement/cases/new", data=case_form())
    assert client.get("/api/v1/enforcement/cases").get_json()["items"]
    missing_reason = client.post("/admin/enforcement/cases/1/repair",
                                 data={"repaired_on": "2026-11-29"})
    assert missing_reason.status_code == 400
    response = client.post(
        "/admin/enforcement/cases/1/repair",
        data={"repaired_on": "2026-11-29", "reason": "信用修复申请已批准"},
    )
    assert response.status_code == 302
    client.post("/admin/logout")
    assert client.get("/api/v1/enforcement/cases").get_json()["items"] == []
