"""Pagination and filter bounds: no number or value in a query string can make a list 500,
and what the API refuses matches what its OpenAPI document declares."""

from __future__ import annotations

import pytest

from portal.core.counties import codes
from portal.core.demo import load_all
from tests.alerts_support import publish

HUGE = "9223372036854775808"  # 2**63: past SQLite's OFFSET

API_LISTS = [
    "/api/v1/notices",
    "/api/v1/water/sites",
    "/api/v1/enforcement/enterprises",
    "/api/v1/enforcement/cards",
    "/api/v1/enforcement/draws",
    "/api/v1/enforcement/inspections",
    "/api/v1/enforcement/cases",
    "/api/v1/alerts",
]
PAGE_LISTS = [
    "/notices/",
    "/enforcement/cards",
    "/enforcement/cases",
    "/enforcement/inspections",
    "/enforcement/enterprises",
]


@pytest.mark.parametrize("path", API_LISTS + PAGE_LISTS)
def test_an_enormous_page_number_is_a_404_not_a_500(client, path):
    for page in (HUGE, "1000001", "0", "-3", "x"):
        assert client.get(f"{path}?page={page}").status_code == 404, page


@pytest.mark.parametrize("path", API_LISTS)
def test_more_than_a_hundred_per_page_is_refused_with_a_reason(client, path):
    response = client.get(f"{path}?per_page=101", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "per_page" in response.get_json()["error"]["message"]
    assert client.get(f"{path}?per_page=100").status_code == 200


def test_a_huge_id_in_a_path_is_a_404(client):
    assert client.get(f"/api/v1/notices/{HUGE}").status_code == 404
    assert client.get(f"/notices/{HUGE}").status_code == 404


def test_unknown_stage_or_county_is_refused_not_ignored(client):
    assert client.get("/api/v1/water/sites?stage=lake").status_code == 400
    assert client.get("/api/v1/water/sites?county=atlantis").status_code == 400
    assert client.get("/api/v1/enforcement/cases?county=atlantis").status_code == 400
    assert client.get("/api/v1/enforcement/cards?state=gone").status_code == 400
    assert client.get("/api/v1/water/sites?stage=tap&county=mohe").status_code == 200


def test_the_document_declares_counties_as_an_enum_and_every_refusal(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in API_LISTS:
        operation = doc["paths"][path]["get"]
        assert {"400", "404"} <= set(operation["responses"]), path
        params = {p["name"]: p for p in operation["parameters"]}
        assert params["per_page"]["schema"]["maximum"] == 100
        if "county" in params:
            # every county code, and empty (a form's "all counties") for no filter
            assert params["county"]["schema"]["enum"] == [*codes(), ""], path


def test_every_api_list_answers_one_page_envelope_with_absolute_links(app, client, login_as):
    """One shape for every list, whichever feature serves it: a client written for one
    list pages through all of them by the same keys and the same Link header."""
    with app.test_request_context():
        load_all()
    login_as("publisher")
    assert publish(client, counties=["tahe"]).status_code == 302  # a second warning
    client.post("/admin/logout")
    doc = client.get("/api/v1/openapi.json").get_json()
    paged = sorted(
        path
        for path, item in doc["paths"].items()
        if any(p["name"] == "per_page" for p in item.get("get", {}).get("parameters", []))
    )
    assert paged == sorted(API_LISTS)
    base = app.config["BASE_URL"]
    for path in paged:
        schema = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        if "$ref" in schema["schema"]:
            schema = {"schema": doc["components"]["schemas"][schema["schema"]["$ref"][21:]]}
        assert schema["schema"]["required"] == ["items", "page", "per_page", "total"], path
        first = client.get(f"{path}?per_page=1")
        body = first.get_json()
        assert set(body) == {"items", "page", "per_page", "total"}, path
        assert (body["page"], body["per_page"], len(body["items"])) == (1, 1, 1), path
        assert body["total"] > 1, f"{path}: the demo data should fill two pages"
        assert f'<{base}{path}?per_page=1&page=2>; rel="next"' in first.headers["Link"], path
        last = client.get(f"{path}?per_page=1&page={body['total']}").get_json()
        assert len(last["items"]) == 1 and last["page"] == body["total"], path
        assert client.get(f"{path}?per_page=1&page={body['total'] + 1}").status_code == 404
