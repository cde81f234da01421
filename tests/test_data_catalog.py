"""The open-data catalog: /data/ for people, DCAT-AP JSON-LD and CSVW for machines."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from urllib.parse import urlsplit

import pytest
from flask import Flask

from portal.core import downloads
from portal.data.registry import (
    Column,
    Dataset,
    DatasetError,
    Distribution,
    csvw_link_header,
    register_dataset,
)

BASE = "https://water.example.gov.cn"
RIVER_ROWS = [
    {"site": "HLJ-01", "value": 0.52, "meets": True, "note": '=HYPERLINK("x")'},
    {"site": "HLJ-02", "value": 1.7, "meets": False, "note": ""},
]

RIVERS = Dataset(
    id="river-tests",
    title_zh="河流断面监测结果",
    title_en="River section results",
    description_zh="每月各断面的监测值。",
    description_en="Monthly values per river section.",
    keywords=("河流", "rivers"),
    columns=(
        Column("site", "断面代码", "Section code"),
        Column(
            "value",
            "氨氮",
            "Ammonia nitrogen",
            "decimal",
            unit="mg/L",
            description_zh="实验室测定值",
            description_en="Laboratory value",
        ),
        Column("meets", "是否达标", "Meets the standard", "boolean"),
        Column("note", "备注", "Note"),
    ),
    distributions=(
        Distribution("csv", "rivers_download", {"fmt": "csv"}),
        Distribution("json", "rivers_download", {"fmt": "json"}),
    ),
    update_frequency="monthly",
    modified=lambda: dt.datetime(2026, 7, 1, 0, 30, tzinfo=dt.UTC),
)

QUARTERS = Dataset(
    id="quarter-tests",
    title_zh="季度水质报告",
    title_en="Quarterly water report",
    description_zh="每季度一张表。",
    description_en="One table per quarter.",
    columns=(Column("county", "县区", "County"), Column("samples", "样品数", "Samples", "integer")),
    distributions=(
        Distribution("csv", "quarter_download", {"fmt": "csv"}),
        Distribution("xlsx", "quarter_download", {"fmt": "xlsx"}),
    ),
    update_frequency="quarterly",
    parameters=("quarter",),
    index_endpoint="quarters_index",
    members=lambda: [{"quarter": "2026Q2"}, {"quarter": "2026Q1"}],
)


def _rivers(fmt: str):
    response = downloads.download(fmt, RIVER_ROWS, RIVERS.download_columns(), "rivers")
    if fmt == "csv":
        response.headers["Link"] = csvw_link_header("river-tests")
    return response


def _quarter(quarter: str, fmt: str):
    rows = [{"county": "mohe", "samples": 12}]
    return downloads.download(fmt, rows, QUARTERS.download_columns(), f"report-{quarter}")


@pytest.fixture
def catalog_app(app_factory) -> Flask:
    app = app_factory()
    app.add_url_rule("/test/rivers.<fmt>", "rivers_download", _rivers)
    app.add_url_rule("/test/quarters/<quarter>.<fmt>", "quarter_download", _quarter)
    app.add_url_rule("/test/quarters/", "quarters_index", lambda: "quarters")
    register_dataset(app, RIVERS)
    register_dataset(app, QUARTERS)
    return app


@pytest.fixture
def catalog_client(catalog_app):
    return catalog_app.test_client()


def _get_json(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    return json.loads(response.get_data(as_text=True))


def _walk_urls(node, found: list[str]) -> list[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@id", "url") and isinstance(value, str) and key != "@context":
                found.append(value)
            elif key != "@context":
                _walk_urls(value, found)
    elif isinstance(node, list):
        for item in node:
            _walk_urls(item, found)
    return found


def test_catalog_page_lists_every_dataset_in_both_languages(catalog_client):
    zh = catalog_client.get("/data/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    en = catalog_client.get("/data/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "河流断面监测结果" in zh and "季度水质报告" in zh and "开放数据" in zh
    assert "River section results" in en and "Quarterly water report" in en
    assert "River section results" not in zh
    for body in (zh, en):
        assert f'href="{BASE}/test/rivers.csv"' in body
        assert f'href="{BASE}/test/rivers.json"' in body
        assert 'href="/pages/licence"' in body or f'href="{BASE}/pages/licence"' in body
        assert f'href="{BASE}/data/river-tests.csv-metadata.json"' in body
        assert "mg/L" in body and "<code>value</code>" in body
        # A family links its index page and each current member.
        assert f'href="{BASE}/test/quarters/"' in body
        assert 'href="/data/quarter-tests"' in body
        assert "2026Q2.xlsx" not in body  # members are listed on the family's own page
    assert "2026-07-01 08:30" in zh  # China time
    assert "每月" in zh and "Monthly" in en
    assert "氨氮" in zh and "Ammonia nitrogen" in en and "Decimal number" in en


def test_footer_links_the_catalog(catalog_client):
    body = catalog_client.get("/pages/about", headers={"Accept-Language": "en"}).get_data(True)
    assert 'href="/data/"' in body


def test_dataset_page_documents_the_columns_and_downloads(catalog_client):
    response = catalog_client.get("/data/river-tests", headers={"Accept-Language": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>River section results</h1>" in body
    assert '<meta name="ArticleTitle" content="River section results">' in body
    assert "Laboratory value" in body and "Meets the standard" in body and "Yes/no" in body
    assert f'href="{BASE}/test/rivers.csv"' in body
    family = catalog_client.get("/data/quarter-tests", headers={"Accept-Language": "en"})
    body = family.get_data(as_text=True)
    assert f'href="{BASE}/test/quarters/2026Q2.xlsx"' in body
    assert f'href="{BASE}/data/quarter-tests.csv-metadata.json?quarter=2026Q1"' in body


def test_unknown_dataset_and_metadata_are_404(catalog_client):
    assert catalog_client.get("/data/no-such-thing").status_code == 404
    assert catalog_client.get("/data/no-such-thing.csv-metadata.json").status_code == 404


def test_duplicate_or_invalid_datasets_are_refused(catalog_app):
    with pytest.raises(DatasetError):
        register_dataset(catalog_app, RIVERS)
    with pytest.raises(DatasetError):
        register_dataset(catalog_app, Dataset(**{**RIVERS.__dict__, "id": "Bad Id"}))
    with pytest.raises(DatasetError):
        register_dataset(
            catalog_app, Dataset(**{**QUARTERS.__dict__, "id": "x", "index_endpoint": None})
        )
    with pytest.raises(DatasetError):
        Column("x", "x", "x", "float")
    with pytest.raises(DatasetError):
        Distribution("pdf", "rivers_download")


def test_dcat_catalog_is_json_ld_with_the_required_properties(catalog_client):
    response = catalog_client.get("/data/catalog.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    doc = json.loads(response.get_data(as_text=True))
    ctx = doc["@context"]
    assert ctx["dcat"] == "http://www.w3.org/ns/dcat#" and ctx["dct"] == "http://purl.org/dc/terms/"
    assert doc["@type"] == "dcat:Catalog"
    assert {t["@language"] for t in doc["dct:title"]} == {"zh-Hans", "en"}
    assert doc["dct:modified"]["@value"] >= "2026-07-01T00:30:00+00:00"  # the latest of all
    by_id = {d["dct:identifier"]: d for d in doc["dcat:dataset"]}
    assert {"river-tests", "quarter-tests"} <= set(by_id)  # and the real features' datasets
    rivers = by_id["river-tests"]
    assert rivers["@type"] == "dcat:Dataset"
    for prop in (
        "dct:title",
        "dct:description",
        "dct:publisher",
        "dcat:distribution",
        "dcat:theme",
        "dcat:keyword",
        "dct:accrualPeriodicity",
        "dct:modified",
    ):
        assert rivers[prop], prop
    assert {"@value": "River section results", "@language": "en"} in rivers["dct:title"]
    assert rivers["dct:publisher"]["@type"] == "foaf:Agent"
    assert rivers["dct:accrualPeriodicity"]["@id"].endswith("/frequency/MONTHLY")
    assert rivers["dcat:theme"]["@id"].endswith("/data-theme/ENVI")
    csv_dist = next(
        d for d in rivers["dcat:distribution"] if d["dcat:mediaType"]["@id"].endswith("text/csv")
    )
    assert csv_dist["dcat:downloadURL"]["@id"] == f"{BASE}/test/rivers.csv"
    assert csv_dist["dct:format"]["@id"].endswith("/file-type/CSV")
    assert csv_dist["dct:license"]["@id"] == f"{BASE}/pages/licence"
    assert csv_dist["wdrs:describedby"]["@id"] == f"{BASE}/data/river-tests.csv-metadata.json"
    # Every URL in the document is absolute on BASE_URL, or a vocabulary IRI.
    for url in _walk_urls(doc, []):
        host = urlsplit(url).netloc
        vocabularies = ("publications.europa.eu", "www.iana.org", "purl.org", "www.rfc-editor.org")
        assert url.startswith(BASE + "/") or host in vocabularies or url.startswith("tel:"), url


def test_a_family_is_a_series_whose_members_have_download_urls(catalog_client):
    doc = _get_json(catalog_client, "/data/catalog.jsonld")
    family = next(d for d in doc["dcat:dataset"] if d["@id"] == f"{BASE}/data/quarter-tests")
    assert family["@type"] == "dcat:DatasetSeries"
    assert family["dcat:landingPage"]["@id"] == f"{BASE}/test/quarters/"
    # The series itself has no downloads (an HTML page is no distribution); its members do.
    assert "dcat:distribution" not in family
    members = [d for d in doc["dcat:dataset"] if d.get("dcat:inSeries") == {"@id": family["@id"]}]
    assert len(members) == 2
    urls = {x["dcat:downloadURL"]["@id"] for m in members for x in m["dcat:distribution"]}
    assert (
        f"{BASE}/test/quarters/2026Q2.xlsx" in urls and f"{BASE}/test/quarters/2026Q1.csv" in urls
    )
    assert {"@value": "Quarterly water report (2026Q2)", "@language": "en"} in members[0][
        "dct:title"
    ]


def test_csvw_metadata_describes_the_csv_that_is_served(catalog_client):
    response = catalog_client.get("/data/river-tests.csv-metadata.json")
    assert response.status_code == 200 and response.mimetype == "application/csvm+json"
    meta = json.loads(response.get_data(as_text=True))
    assert meta["@context"] == "http://www.w3.org/ns/csvw"
    assert meta["url"] == f"{BASE}/test/rivers.csv"
    columns = meta["tableSchema"]["columns"]
    value = next(c for c in columns if c["name"] == "value")
    assert value["titles"]["zh-Hans"] == "氨氮" and value["titles"]["en"] == "Ammonia nitrogen"
    assert value["datatype"] == "decimal" and value["schema:unitText"] == "mg/L"
    assert {"@value": "Laboratory value (mg/L)", "@language": "en"} in value["dc:description"]

    # The CSV itself: its header row matches the column names, the BOM is there, formulas are
    # neutralised, booleans match the declared format, and it points back to its description.
    csv_response = catalog_client.get(urlsplit(meta["url"]).path)
    assert csv_response.headers["Link"] == (
        f'<{BASE}/data/river-tests.csv-metadata.json>; rel="describedby"; '
        'type="application/csvm+json"'
    )
    text = csv_response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [c["name"] for c in columns]
    assert rows[1][2] == "True"
    assert next(c for c in columns if c["name"] == "meets")["datatype"]["format"] == "True|False"
    assert rows[1][3].startswith("'=")


def test_csvw_metadata_of_a_family_member_needs_its_parameters(catalog_client):
    assert catalog_client.get("/data/quarter-tests.csv-metadata.json").status_code == 404
    assert (
        catalog_client.get("/data/quarter-tests.csv-metadata.json?quarter=1999Q1").status_code
        == 404
    )
    meta = _get_json(catalog_client, "/data/quarter-tests.csv-metadata.json?quarter=2026Q2")
    assert meta["url"] == f"{BASE}/test/quarters/2026Q2.csv"
    assert meta["tableSchema"]["columns"][1]["datatype"] == "integer"


@pytest.mark.parametrize(
    "url",
    ["/data/", "/data/river-tests", "/data/catalog.jsonld", "/data/river-tests.csv-metadata.json"],
)
def test_catalog_documents_answer_304_when_unchanged(catalog_client, url):
    first = catalog_client.get(url)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "max-age" in first.headers["Cache-Control"]
    again = catalog_client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_every_registered_download_of_the_real_portal_answers(app, client, runner):
    """With the demo data loaded, no link in the catalog is broken."""
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    doc = _get_json(client, "/data/catalog.jsonld")
    registered = app.extensions["datasets"]
    assert len(doc["dcat:dataset"]) >= len(registered)
    checked = 0
    for node in doc["dcat:dataset"]:
        for dist in node.get("dcat:distribution", []):
            for prop in ("dcat:downloadURL", "dcat:accessURL", "wdrs:describedby"):
                if prop in dist:
                    url = dist[prop]["@id"]
                    assert url.startswith(BASE + "/"), url
                    parts = urlsplit(url)
                    path = parts.path + ("?" + parts.query if parts.query else "")
                    assert client.get(path).status_code == 200, url
                    checked += 1
    for dataset_id in registered:
        assert client.get(f"/data/{dataset_id}").status_code == 200
    assert client.get("/data/").status_code == 200
    assert checked >= sum(len(d.distributions) for d in registered.values() if not d.is_family)
