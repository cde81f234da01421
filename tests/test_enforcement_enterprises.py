"""The enterprise registry: import (CLI and upload, all or nothing), the form, the search and
the one-page compliance history."""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa

from portal.enforcement import cases, publication
from portal.enforcement.models import Enterprise
from tests.core_support import count_rows
from tests.enforcement_support import REGISTRY_CSV_HEADER, add_enterprise
from tests.enforcement_support import credit_code as code


def wrong_check(valid: str) -> str:
    other = "0" if valid[-1] != "0" else "1"
    return valid[:-1] + other


def test_cli_import_adds_enterprises(runner, tmp_path, db):
    path = tmp_path / "registry.csv"
    path.write_text(
        REGISTRY_CSV_HEADER
        + f"{code(1)},漠河测试金矿,mohe,采矿,漠河市图强镇,23272312345678001P,是\n"
        + f"{code(2, '232722')},塔河测试木业,塔河县,木材加工,,,否\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["enterprises", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    tahe = db.session.scalar(sa.select(Enterprise).where(Enterprise.code == code(2, "232722")))
    assert tahe.county == "tahe" and tahe.key_discharger is False


def test_import_is_all_or_nothing_and_explains_the_check_character(runner, tmp_path, db):
    bad = wrong_check(code(3))
    path = tmp_path / "registry.csv"
    path.write_text(
        REGISTRY_CSV_HEADER
        + f"{code(1)},甲,mohe,采矿,,,\n"
        + f"{bad},乙,mohe,采矿,,,\n"
        + f"{code(4)},丙,nowhere,采矿,,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["enterprises", "import", str(path)])
    assert result.exit_code == 1
    assert f"row 3: code: 校验码错误：第18位应为 {code(3)[-1]}" in result.output
    assert "row 4: county" in result.output
    assert count_rows(Enterprise) == 0


def test_upload_page_shares_the_import_and_reports_rows(app, client, login_as):
    login_as("enforcement_officer", "mohe")
    body = (
        REGISTRY_CSV_HEADER + f"{code(1)},甲,mohe,采矿,,,\n{code(5, '232722')},乙,tahe,采矿,,,\n"
    ).encode()
    response = client.post(
        "/admin/enforcement/enterprises/import?lang=en",
        data={"file": (io.BytesIO(body), "registry.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Nothing was imported" in text and "only in your own county" in text
    body = (REGISTRY_CSV_HEADER + f"{code(1)},甲,mohe,采矿,,,\n").encode()
    response = client.post(
        "/admin/enforcement/enterprises/import",
        data={"file": (io.BytesIO(body), "registry.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert count_rows(Enterprise) == 1


def test_a_wrong_code_in_the_form_is_rejected_with_the_expected_character(app, client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/enforcement/enterprises/new?lang=en",
        data={"code": wrong_check(code(7)), "name": "甲", "county": "mohe", "industry": "采矿"},
    )
    assert response.status_code == 400
    assert f"position 18 should be {code(7)[-1]}" in response.get_data(as_text=True)
    response = client.post(
        "/admin/enforcement/enterprises/new",
        data={"code": code(7).lower(), "name": "甲", "county": "mohe", "industry": "采矿"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/enforcement/enterprises/{code(7)}")


def _registry(app):
    add_enterprise(app, code(1), "mohe", "漠河测试金矿")
    add_enterprise(app, code(2, "232722"), "tahe", "塔河测试木业", industry="木材加工")


def test_enterprises_search_and_filters(app, client):
    _registry(app)
    page = client.get("/enforcement/enterprises?q=金矿").get_data(as_text=True)
    assert "漠河测试金矿" in page and "塔河测试木业" not in page
    page = client.get(f"/enforcement/enterprises?q={code(2, '232722')[:10]}").get_data(as_text=True)
    assert "塔河测试木业" in page and "漠河测试金矿" not in page
    items = client.get("/api/v1/enforcement/enterprises?industry=木材加工").get_json()["items"]
    assert [i["code"] for i in items] == [code(2, "232722")]
    items = client.get("/api/v1/enforcement/enterprises?county=mohe").get_json()["items"]
    assert [i["name"] for i in items] == ["漠河测试金矿"]


def test_enterprise_page_shows_a_timeline_and_a_worded_quarter_strip(app, client):
    _registry(app)
    today = publication.today()
    with app.test_request_context():
        from portal.core.extensions import db

        mine = db.session.scalar(sa.select(Enterprise).where(Enterprise.code == code(1)))
        cases.record_inspection(
            cases.InspectionData(
                enterprise_code=mine.code,
                inspected_on=today - dt.timedelta(days=200),
                inspectors="王",
                items_checked="废水",
                findings="未发现问题",
                outcome="no_problem",
                follow_up=None,
            )
        )
        cases.record_inspection(
            cases.InspectionData(
                enterprise_code=mine.code,
                inspected_on=today,
                inspectors="李",
                items_checked="废水",
                findings="沉淀池破损",
                outcome="rectify",
                follow_up="已修复",
            )
        )
    page = client.get(f"/enforcement/enterprises/{code(1)}?lang=en").get_data(as_text=True)
    assert page.count('class="enf-q ') == 12
    assert "Inspected, no problem" in page and "Violation" in page and "Clean" in page
    assert page.index("沉淀池破损") < page.index("未发现问题")  # newest first
    assert "No card in force" in page
    data = client.get(f"/api/v1/enforcement/enterprises/{code(1)}").get_json()
    assert data["quarters"][-1]["status"] == "violation" and len(data["quarters"]) == 12
    assert [i["outcome"] for i in data["inspections"]] == ["no_problem", "rectify"]


def test_enterprise_addresses_use_the_credit_code(app, client):
    _registry(app)
    response = client.get(f"/enforcement/enterprises/{code(1).lower()}")
    assert response.status_code == 301
    assert client.get("/enforcement/enterprises/91232723MA00000000").status_code == 404
    assert client.get("/api/v1/enforcement/enterprises/nothing").status_code == 404
