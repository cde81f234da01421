"""County scope of water imports: a county's water officer writes only their county's
sites and results, checked against the records as stored; nothing half-imported."""

from __future__ import annotations

import io

import sqlalchemy as sa

from portal.water import service
from portal.water.models import WaterMeasurement, WaterSample, WaterSite
from tests.core_support import count_rows
from tests.water_support import GOOD_Q3, HEADER, SITES, load, rows

TAHE_SITES = SITES.splitlines()[0] + "\nTH-S1,塔河水源地,Tahe source,source,tahe,river,true,,,,,,\n"


def _sites(text: str, scope: str | None) -> service.ImportResult:
    return service.import_sites(io.BytesIO(text.encode()), "sites.csv", scope)


def _results(text: str, scope: str | None) -> service.ImportResult:
    return service.import_measurements(io.BytesIO(text.encode()), "results.csv", scope)


def test_a_tahe_officers_import_of_a_mohe_row_is_refused_and_nothing_is_imported(db):
    assert load().ok  # Mohe's sites and Q3 results, imported region-wide
    assert _sites(TAHE_SITES, None).ok
    before = (count_rows(WaterSample), count_rows(WaterMeasurement))
    mixed = (
        HEADER
        + rows("TH-Q3", "TH-S1", "2026-08-12T09:30", ph="7.1|")
        + rows("S1-Q3b", "MH-S1", "2026-08-12T09:30", ph="9.9|")
    )
    result = _results(mixed, "tahe")
    assert not result.ok
    assert [(e.row, e.column, e.code, e.value) for e in result.errors] == [
        (3, "site_code", "outside_county", "MH-S1")
    ]
    assert (count_rows(WaterSample), count_rows(WaterMeasurement)) == before
    # The Tahe row alone is accepted.
    assert _results(HEADER + rows("TH-Q3", "TH-S1", "2026-08-12T09:30", ph="7.1|"), "tahe").ok


def test_a_scoped_officer_cannot_overwrite_a_stored_sample_of_another_county(db):
    assert load().ok
    assert _sites(TAHE_SITES, None).ok
    # Sample id S1-Q3 belongs to Mohe's source: sent with a Tahe site it is refused.
    result = _results(HEADER + rows("S1-Q3", "TH-S1", "2026-08-12T09:30", ph="7.1|"), "tahe")
    assert not result.ok
    assert {e.code for e in result.errors} == {"sample_of_other_site"}


def test_a_scoped_officer_cannot_rename_or_move_another_countys_site(db):
    assert load().ok
    renamed = SITES.replace("漠河额木尔河水源地", "改名水源地")
    result = _sites(renamed, "tahe")
    assert not result.ok
    assert {e.code for e in result.errors} == {"outside_county"}
    moved = SITES.splitlines()[0] + "\nMH-S1,漠河额木尔河水源地,x,source,tahe,river,true,,,,,,\n"
    result = _sites(moved, "tahe")  # the row says Tahe; the site as stored is Mohe's
    assert [(e.row, e.column, e.code) for e in result.errors] == [(2, "code", "outside_county")]
    result = _sites(moved.replace(",tahe,", ",mohe,"), "mohe")
    assert result.ok  # Mohe's own officer may rename it
    away = SITES.splitlines()[0] + "\nMH-G1,漠河地下水源,x,source,tahe,groundwater,true,,,,,,\n"
    result = _sites(away, "mohe")  # but not move it out of Mohe
    assert [(e.row, e.column, e.code) for e in result.errors] == [(2, "county", "outside_county")]
    site = db.session.scalar(sa.select(WaterSite).where(WaterSite.code == "MH-G1"))
    assert site.county == "mohe"


def test_a_scoped_officer_cannot_link_a_site_to_another_countys_upstream(db):
    assert load().ok
    tap = SITES.splitlines()[0] + "\nTH-T1,塔河末梢水,Tahe tap,tap,tahe,,,MH-P1,,,,free_chlorine,\n"
    result = _sites(tap, "tahe")
    assert [(e.column, e.code, e.value) for e in result.errors] == [
        ("supplied_by", "outside_county", "MH-P1")
    ]
    assert count_rows(WaterSite) == 5


def test_the_web_upload_uses_the_officers_county(client, db, login_as):
    assert load().ok
    login_as("water_officer", "tahe")
    response = client.post(
        "/admin/water/import",
        data={
            "kind": "measurements",
            "file": (io.BytesIO(GOOD_Q3.replace("12T", "13T").encode()), "r.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "outside_county" not in response.get_data(as_text=True)  # translated, not a code
    stored = db.session.scalar(
        sa.select(WaterSample.sampled_at).where(WaterSample.sample_id == "S1-Q3")
    )
    assert stored.day == 12  # nothing imported


def test_the_cli_import_takes_a_county_scope(runner, db, tmp_path):
    assert load().ok
    path = tmp_path / "sites.csv"
    path.write_text(SITES.replace("漠河额木尔河水源地", "改名"), encoding="utf-8")
    result = runner.invoke(args=["water", "import-sites", str(path), "--county", "tahe"])
    assert result.exit_code == 1
    assert count_rows(WaterSite) == 5
    assert db.session.scalar(sa.select(WaterSite.name_zh).where(WaterSite.code == "MH-S1")) == (
        "漠河额木尔河水源地"
    )


def test_a_rename_after_publication_does_not_change_the_published_pages(client, db):
    from tests.water_support import published

    published()
    assert _sites(SITES.replace("漠河额木尔河水源地", "改名后的水源地"), "mohe").ok
    for path in (
        "/water/quarters/mohe/2026Q3",
        "/water/samples/S1-Q3",
        "/water/sites/MH-S1",
        "/water/counties/mohe",
        "/api/v1/water/sites/MH-S1",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "漠河额木尔河水源地" in body or "\\u6f20" in body, path
        assert "改名后的水源地" not in body, path
    # The next publication (here a correction, with its reason) shows the new name.
    service.publish("mohe", "2026Q3", "水源地更名")
    assert "改名后的水源地" in client.get("/water/quarters/mohe/2026Q3").get_data(as_text=True)
