"""The public enforcement API and pages over the demo data set: shapes, filters, pagination,
caching, the OpenAPI document, search, and the demo draws."""

from __future__ import annotations

import json

import pytest

from portal.core.demo import load_all
from portal.enforcement import draw as drawing
from portal.enforcement.credit_code import is_valid


@pytest.fixture
def demo(app):
    with app.test_request_context():
        load_all()


def test_demo_data_has_valid_codes_cards_cases_and_two_draws(demo, client):
    enterprises = client.get("/api/v1/enforcement/enterprises?per_page=100").get_json()
    assert enterprises["total"] == 40 and all(is_valid(e["code"]) for e in enterprises["items"])
    assert len({e["county"] for e in enterprises["items"]}) == 7
    cards = client.get("/api/v1/enforcement/cards?per_page=100").get_json()["items"]
    assert {c["card"] for c in cards} == {"red", "yellow"}
    lifted = client.get("/api/v1/enforcement/cards?state=lifted").get_json()["items"]
    assert {c["state"] for c in lifted} == {"lifted", "escalated"}
    draws = client.get("/api/v1/enforcement/draws").get_json()["items"]
    assert sorted(d["status"] for d in draws) == ["committed", "revealed"]
    cases = client.get("/api/v1/enforcement/cases?per_page=100").get_json()["items"]
    assert sum(1 for c in cases if c["police_transferred_on"]) == 2


def test_demo_loading_twice_adds_nothing(demo, app):
    with app.test_request_context():
        assert load_all()["enforcement"] == 0


def test_the_revealed_demo_draw_verifies_against_its_commit_snapshot(
    demo, client, runner, tmp_path
):
    items = client.get("/api/v1/enforcement/draws").get_json()["items"]
    revealed = next(d for d in items if d["status"] == "revealed")
    doc = client.get(f"/api/v1/enforcement/draws/{revealed['id']}").get_json()
    committed = client.get(f"/api/v1/enforcement/draws/{revealed['id']}/committed").get_json()
    # The value the lottery published, as a citizen reads it at the source.
    lottery = "福彩3D 2026235期 开奖号码 5 0 8"
    assert drawing.verify(doc, published=committed, observed_entropy=lottery).ok
    (tmp_path / "d.json").write_text(json.dumps(doc))
    (tmp_path / "c.json").write_text(json.dumps(committed))
    args = ["inspections", "verify", str(tmp_path / "d.json"), "--committed"]
    result = runner.invoke(args=[*args, str(tmp_path / "c.json"), "--entropy", lottery])
    assert result.exit_code == 0 and "VERIFIED" in result.output
    # Without the value from the source the draw is not confirmed.
    result = runner.invoke(args=[*args, str(tmp_path / "c.json")])
    assert result.exit_code == 1 and "not confirmed" in result.output
    pending = next(d for d in items if d["status"] == "committed")
    doc = client.get(f"/api/v1/enforcement/draws/{pending['id']}").get_json()
    assert doc["secret"] is None and doc["selected"] is None and len(doc["entity_pool"]) > 4


def test_lists_paginate_with_link_headers(demo, client):
    response = client.get("/api/v1/enforcement/enterprises?per_page=10&page=2")
    data = response.get_json()
    assert data["page"] == 2 and data["per_page"] == 10 and len(data["items"]) == 10
    assert 'rel="next"' in response.headers["Link"] and 'rel="prev"' in response.headers["Link"]
    assert "page=3" in response.headers["Link"]
    assert client.get("/api/v1/enforcement/enterprises?page=99").status_code == 404
    assert client.get("/api/v1/enforcement/enterprises?page=x").status_code == 404


def test_public_responses_are_cacheable_and_answer_304(demo, client):
    response = client.get("/api/v1/enforcement/cards")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get(
        "/api/v1/enforcement/cards", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    page = client.get("/enforcement/cards")
    assert "public" in page.headers["Cache-Control"]


def test_inspection_results_filter_by_outcome_year_and_county(demo, client):
    rectify = client.get("/api/v1/enforcement/inspections?outcome=rectify&per_page=100").get_json()[
        "items"
    ]
    assert rectify and {i["outcome"] for i in rectify} == {"rectify"}
    old = client.get("/api/v1/enforcement/inspections?year=2025&county=mohe").get_json()["items"]
    assert old and all(i["inspected_on"].startswith("2025") and i["county"] == "mohe" for i in old)
    page = client.get("/enforcement/inspections?outcome=case&lang=en").get_data(as_text=True)
    assert "Case opened" in page
    assert client.get("/enforcement/inspections.csv").status_code == 200


def test_every_public_page_renders_in_both_languages(demo, client):
    urls = [
        "/enforcement/",
        "/enforcement/enterprises",
        "/enforcement/cards",
        "/enforcement/draws",
        "/enforcement/inspections",
        "/enforcement/cases",
        "/enforcement/enterprises/91232723MAYTQRDRNT",
    ]
    draws = client.get("/api/v1/enforcement/draws").get_json()["items"]
    urls += [f"/enforcement/draws/{d['id']}" for d in draws]
    for url in urls:
        for lang in ("zh_Hans", "en"):
            response = client.get(f"{url}?lang={lang}")
            assert response.status_code == 200, url
            assert 'style="' not in response.get_data(as_text=True), url
    chinese = client.get("/enforcement/cards?lang=zh_Hans").get_data(as_text=True)
    assert "红牌" in chinese and "黄牌" in chinese


def test_openapi_lists_the_enforcement_endpoints(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/enforcement/enterprises",
        "/api/v1/enforcement/enterprises/{code}",
        "/api/v1/enforcement/cards",
        "/api/v1/enforcement/draws",
        "/api/v1/enforcement/draws/{id}",
        "/api/v1/enforcement/inspections",
        "/api/v1/enforcement/cases",
    ):
        assert "get" in paths[path]


def test_search_finds_enterprises_and_cases(demo, app):
    from portal.search.registry import providers

    with app.test_request_context():
        hits = providers()["enforcement"]("砂宝斯", 10)
    urls = [h.url for h in hits]
    assert "/enforcement/enterprises/91232723MAYTQRDRNT" in urls
    assert any(u.startswith("/enforcement/cases/") for u in urls)


def test_the_officials_dashboard_links_to_enforcement(client, login_as):
    login_as("enforcement_officer", "mohe")
    assert "/admin/enforcement/" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/enforcement/")
    assert page.status_code == 200
    for url in (
        "/admin/enforcement/cards/new",
        "/admin/enforcement/draws/new",
        "/admin/enforcement/inspections/new",
        "/admin/enforcement/cases/new",
        "/admin/enforcement/enterprises/new",
        "/admin/enforcement/enterprises/import",
        "/admin/enforcement/inspectors",
    ):
        assert client.get(url).status_code == 200, url


def test_downloads_are_in_the_open_data_catalog_with_csvw_links(demo, client):
    catalog = client.get("/data/catalog.jsonld").get_json()
    ids = {d["dct:identifier"] for d in catalog["dcat:dataset"]}
    assert {"enforcement-cards", "enforcement-inspections", "enforcement-cases"} <= ids
    response = client.get("/enforcement/cases.csv")
    assert "enforcement-cases.csv-metadata.json" in response.headers["Link"]
    header = response.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    meta = client.get("/data/enforcement-cases.csv-metadata.json").get_json()
    names = [c["name"] for c in meta["tableSchema"]["columns"]]
    assert header.split(",") == names


def test_a_county_of_only_control_characters_is_refused_not_read_as_every_county(client):
    """The input cleaner removes control characters; what is left must not turn a bad filter
    into "no filter" (found by schemathesis: ?county=%C2%91 listed every county's cases)."""
    assert client.get("/api/v1/enforcement/cases?county=%C2%91").status_code == 400
    assert client.get("/api/v1/enforcement/cases?county=").status_code == 200  # "all counties"
