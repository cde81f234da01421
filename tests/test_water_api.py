"""The public water API: parameters, sites with their chain, samples, quarters."""

from __future__ import annotations

from tests.water_support import published


def test_sample_evaluation_document(client, db):
    published()
    doc = client.get("/api/v1/water/samples/G1-Q3").get_json()
    assert doc["site"] == "MH-G1" and doc["stage"] == "source"
    assert doc["sampled_at"] == "2026-08-12T10:00:00+08:00"
    assert doc["standard"] == "GB/T 14848-2017"
    assert (doc["class"], doc["compliant"], doc["deciding_parameters"]) == (
        "IV",
        False,
        ["manganese"],
    )
    mn = next(p for p in doc["parameters"] if p["parameter"] == "manganese")
    assert mn == mn | {
        "value": 0.32,
        "unit": "mg/L",
        "limit": "≤0.10",
        "passed": False,
        "class": "IV",
        "exceedance_multiple": 2.2,
        "qualifier": None,
    }


def test_below_detection_and_text_values(client, db):
    published()
    s1 = client.get("/api/v1/water/samples/S1-Q3").get_json()
    hg = next(p for p in s1["parameters"] if p["parameter"] == "mercury")
    assert (hg["value"], hg["qualifier"], hg["detection_limit"]) == (None, "<", 0.00004)
    p1 = client.get("/api/v1/water/samples/P1-Q3").get_json()
    assert p1["class"] is None and p1["compliant"] is True
    odor = next(p for p in p1["parameters"] if p["parameter"] == "odor")
    assert odor["qualifier"] == "无异臭、异味" and odor["passed"] is True


def test_sites_list_and_detail_with_supply_chain(client, db):
    published()
    listing = client.get("/api/v1/water/sites?county=mohe&stage=plant").get_json()
    assert [s["code"] for s in listing["items"]] == ["MH-P1"]
    plant = client.get("/api/v1/water/sites/MH-P1").get_json()
    assert plant["supplied_by"] == ["MH-G1", "MH-S1"] and plant["supplies"] == ["MH-T1"]
    assert plant["samples"][0]["sample_id"] == "P1-Q3"


def test_quarter_document(client, db):
    published()
    q = client.get("/api/v1/water/quarters/mohe/2026Q3").get_json()
    assert q["stages"]["tap"]["failing"] == 1
    assert {s["site"] for s in q["sites"]} == {"MH-S1", "MH-G1", "MH-P1", "MH-T1", "SEC-1"}
    assert client.get("/api/v1/water/quarters/mohe/2026Q5").status_code == 404


def test_parameters_list_limits_per_standard(client):
    data = client.get("/api/v1/water/parameters").get_json()["parameters"]
    mn = next(p for p in data if p["code"] == "manganese")
    assert {
        "standard": "GB 5749-2022",
        "applies_to": "all",
        "class": None,
        "comparison": "max",
        "limit": "≤0.1",
        "value": 0.1,
        "low": None,
        "high": None,
    } in mn["limits"]
    thm = next(p for p in data if p["code"] == "trihalomethanes_total")
    assert thm["derived"] is True and thm["unit"] == "ratio"


def test_water_paths_are_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/water/parameters",
        "/api/v1/water/sites",
        "/api/v1/water/sites/{code}",
        "/api/v1/water/samples/{sample_id}",
        "/api/v1/water/quarters/{county}/{quarter}",
    ):
        assert "get" in doc["paths"][path]
