"""Open311 as generic GeoReport v2 clients use it: the `georeport` package's client posting
the minimal request (service_code, lat, long, description), discovery, languages, error
arrays everywhere under /open311/, and the regional triage queue for reports without a
county."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import sqlalchemy as sa

from portal.core.counties import REGION
from portal.reports import service
from portal.reports.models import Report
from tests.reports_support import fast_reports  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_reports")

MINIMAL = {"service_code": "water", "lat": "52.97", "long": "122.53", "description": "河面油膜"}


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # the request line would carry the api_key
        pass


@pytest.fixture
def live(app):
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    server.shutdown()
    server.server_close()


@pytest.fixture
def api_key(app):
    return service.create_api_key("通用客户端")[1]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_generic_client_files_the_minimal_request_and_follows_it(live, api_key, db, fmt):
    """The `georeport` package (0.3) reads services and requests but has no POST; the POST
    is the plain form post every GeoReport client sends, against the same live server."""
    import georeport
    import requests

    client = georeport.GeoReport(live, api_key=api_key, output_format=fmt)
    codes = [s["service_code"] for s in client.get_service_list()]
    assert "water" in codes
    posted = requests.post(
        f"{live}/requests.{fmt}", data={**MINIMAL, "api_key": api_key}, timeout=10
    )
    assert posted.status_code == 201, posted.text
    report = db.session.scalars(sa.select(Report)).one()
    assert report.county == REGION and report.lat == 52.97 and report.description == "河面油膜"
    followed = client.get_service_request(report.case)
    assert followed["service_request_id"] == report.case and followed["status"] == "open"
    assert followed["service_name"]
    assert report.code not in posted.url


def test_services_are_named_in_the_language_asked(client):
    zh = client.get("/open311/v2/services.json", headers={"Accept-Language": "zh-CN"}).get_json()
    en = client.get("/open311/v2/services.json?locale=en").get_json()
    by_header = client.get("/open311/v2/services.json", headers={"Accept-Language": "en"})
    assert zh[0]["service_name"] == "水污染" and en[0]["service_name"] == "Water pollution"
    assert by_header.get_json()[0]["service_name"] == "Water pollution"


def test_discovery_document_points_at_the_v2_endpoint(client):
    doc = client.get("/open311/discovery.json").get_json()
    [endpoint] = doc["endpoints"]
    assert endpoint["url"] == "https://water.example.gov.cn/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert ET.fromstring(client.get("/open311/discovery.xml").data).tag == "discovery"  # noqa: S314


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/open311/v2/nothing.json"),
        ("get", "/open311/"),
        ("get", "/open311/v3/services.json"),
        ("post", "/open311/v2/tokens/abc.json"),
        ("get", "/open311/v2/services.csv"),
    ],
)
def test_every_unknown_path_answers_a_georeport_error_array(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    [error] = response.get_json()
    assert error["code"] == 404 and error["description"]


def test_a_report_without_county_waits_in_the_regional_queue_until_accepted(
    client, db, api_key, login_as, make_user
):
    answer = client.post("/open311/v2/requests.json", data={**MINIMAL, "api_key": api_key})
    assert answer.status_code == 201
    report = db.session.scalars(sa.select(Report)).one()
    assert report.county == REGION
    # A county-scoped handler neither sees nor opens it ...
    login_as("report_handler", county="mohe")
    assert report.case not in client.get("/admin/reports/").get_data(as_text=True)
    assert client.get(f"/admin/reports/{report.case}").status_code == 403
    # ... a region-wide handler accepts it and names the county.
    client.post("/admin/logout")
    login_as("report_handler")
    assert report.case in client.get("/admin/reports/").get_data(as_text=True)
    form = {"action": "accept", "accept-public_note": "已受理"}
    refused = client.post(f"/admin/reports/{report.case}/act", data=form)
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(Report, report.id).state == "submitted"
    done = client.post(f"/admin/reports/{report.case}/act", data={**form, "accept-county": "mohe"})
    assert done.status_code == 303
    db.session.expire_all()
    stored = db.session.get(Report, report.id)
    assert stored.county == "mohe" and stored.state == "accepted"


def test_status_notes_carry_the_latest_public_note_and_service_name_is_filled(client, db, api_key):
    client.post(
        "/open311/v2/requests.json",
        data={**MINIMAL, "api_key": api_key, "attribute[county]": "mohe"},
    )
    report = db.session.scalars(sa.select(Report)).one()
    service.act(report, "accept", public_note="已受理，三日内到现场。")
    [row] = client.get(f"/open311/v2/requests/{report.case}.json?locale=en").get_json()
    assert row["status_notes"] == "已受理，三日内到现场。"
    assert row["service_name"] == "Water pollution"
    xml = client.get(f"/open311/v2/requests/{report.case}.xml").data
    assert ET.fromstring(xml).find("request/status_notes").text == "已受理，三日内到现场。"  # noqa: S314


def test_a_control_character_in_a_stored_note_keeps_the_xml_well_formed(client, db, api_key):
    client.post(
        "/open311/v2/requests.json",
        data={**MINIMAL, "api_key": api_key, "attribute[county]": "mohe"},
    )
    report = db.session.scalars(sa.select(Report)).one()
    service.act(report, "accept", public_note="已受理\x01")
    xml = client.get(f"/open311/v2/requests/{report.case}.xml").data
    assert ET.fromstring(xml).find("request/status_notes").text == "已受理"  # noqa: S314


def test_the_demo_lists_published_summaries(runner, client):
    runner.invoke(args=["demo", "load"])
    assert client.get("/open311/v2/requests.json").get_json() != []
    assert len(ET.fromstring(client.get("/open311/v2/requests.xml").data)) > 0  # noqa: S314
