"""Citizens' water pages: overview, county chain, site trend, sample, sections, downloads."""

from __future__ import annotations

import csv
import io
import json

import openpyxl

from tests.water_support import published


def test_the_overview_shows_each_county_and_the_regional_target(client, db):
    published()
    page = client.get("/water/?lang=en").get_data(as_text=True)
    assert (
        "Centralized drinking-water sources that meet the drinking-water source standard "
        "(class III or better, and every supplementary item for drinking-water sources within "
        "its limit): 1 of 2 (50%)"
    ) in page
    assert "By class alone (GB 3838-2002 Table 1, GB/T 14848-2017), 1 of 2 are class III" in page
    assert "Target not met" in page
    assert client.get("/water/?county=mohe").headers["Location"].endswith("/water/counties/mohe")
    assert client.get("/water/?county=atlantis").status_code == 404


def test_the_county_page_shows_a_verdict_per_stage_in_words(client, db):
    published()
    page = client.get("/water/counties/mohe?lang=en").get_data(as_text=True)
    assert "Some sites do not meet the standard" in page  # the tap
    assert "All sites meet the standard" in page  # the plant
    assert "✗" in page and "✓" in page
    assert "Supplied by" in page and "Mohe waterworks" in page


def test_the_site_page_draws_the_limit_and_has_the_data_table(client, db):
    published()
    page = client.get("/water/sites/MH-T1?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and "stroke-dasharray" in html  # the limit line
    assert "style=" not in html
    assert "1.6" in html and "Exceeds" in html
    assert client.get("/water/sites/MH-T1?parameter=nonsense").status_code == 404
    assert client.get("/water/sites/NOPE").status_code == 404


def test_the_sample_page_explains_every_parameter(client, db):
    published()
    html = client.get("/water/samples/G1-Q3?lang=en").get_data(as_text=True)
    assert "Manganese" in html and "2.20" in html and "Class IV" in html
    assert "Does not meet the drinking-water source standard" in html


def test_the_sections_page_shows_class_against_target(client, db):
    published()
    html = client.get("/water/sections?lang=en").get_data(as_text=True)
    assert "Luoguhe section" in html and "Class III" in html and "Target met" in html


def test_quarter_downloads_carry_standard_and_evaluation_in_every_row(client, db):
    published()
    response = client.get("/water/quarters/mohe/2026Q3.csv")
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(table) == 19
    mn = next(r for r in table if "manganese" in r.values())
    assert "GB/T 14848-2017" in mn.values() and "IV" in mn.values()
    data = json.loads(client.get("/water/quarters/mohe/2026Q3.json").data)
    assert len(data) == 19
    xlsx = openpyxl.load_workbook(io.BytesIO(client.get("/water/quarters/mohe/2026Q3.xlsx").data))
    assert xlsx.active.max_row == 20
    assert client.get("/water/quarters/mohe/2026Q3.pdf").status_code == 404
    assert client.get("/water/sites/MH-T1.csv").status_code == 200


def test_downloads_neutralise_formula_cells(client, db):
    from tests.water_support import GOOD_Q3

    published(GOOD_Q3.replace("无异臭、异味", "=HYPERLINK(1)"))
    body = client.get("/water/quarters/mohe/2026Q3.csv").get_data(as_text=True)
    assert ",=HYPERLINK" not in body and "'=HYPERLINK" in body


def test_the_home_page_offers_your_tap_water(client, db):
    published()
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Your tap water" in html


def test_site_search_finds_published_sites(app, db):
    from portal.search.registry import providers

    published()
    with app.test_request_context("/"):
        hits = providers()["water"]("洛古河", 5)
    assert [h.url for h in hits] == ["/water/sites/SEC-1"]
    # The verdict in the hit names its quarter and sampling date.
    assert "2026年第3季度" in hits[0].summary and "2026-08-13" in hits[0].summary
    assert "达标" in hits[0].summary


def test_published_tables_are_listed_in_the_open_data_catalog(client, db):
    published()
    catalog = client.get("/data/catalog.jsonld")
    assert catalog.status_code == 200
    body = catalog.get_data(as_text=True)
    assert "water-quarters" in body and "/water/quarters/mohe/2026Q3.csv" in body
    csv_response = client.get("/water/quarters/mohe/2026Q3.csv")
    link = csv_response.headers["Link"]
    assert "water-quarters.csv-metadata.json" in link and 'rel="describedby"' in link
    meta = client.get("/data/water-quarters.csv-metadata.json?county=mohe&quarter=2026Q3")
    assert meta.status_code == 200
    names = [c["name"] for c in meta.get_json()["tableSchema"]["columns"]]
    assert "exceedance_multiple" in names and "standard" in names
