"""Importing sites and laboratory results: all or nothing, every error reported, idempotent."""

from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa

from portal.water import service
from portal.water.models import WaterMeasurement, WaterSample, WaterSite, WaterSupplyLink
from tests.core_support import count_rows
from tests.water_support import GOOD_Q3, HEADER, SITES, load, rows


def measurements(text: str) -> service.ImportResult:
    return service.import_measurements(io.BytesIO(text.encode()), "results.csv")


def test_sites_import_builds_the_supply_chain(db):
    result = service.import_sites(io.BytesIO(SITES.encode()), "sites.csv")
    assert result.ok and result.sites == 5
    plant = db.session.scalar(sa.select(WaterSite).where(WaterSite.code == "MH-P1"))
    assert plant.disinfection == ("free_chlorine",)
    ups = db.session.scalars(
        sa.select(WaterSupplyLink.upstream_id).where(WaterSupplyLink.site_id == plant.id)
    ).all()
    assert len(ups) == 2
    # Importing again changes nothing.
    assert service.import_sites(io.BytesIO(SITES.encode()), "sites.csv").ok
    assert count_rows(WaterSite) == 5
    assert count_rows(WaterSupplyLink) == 3


def test_a_bad_sites_file_reports_every_bad_row_and_saves_nothing(db):
    bad = SITES.replace(
        "MH-T1,漠河城区末梢水,Mohe town tap,tap,mohe,,,MH-P1",
        "MH-T1,漠河城区末梢水,Mohe town tap,tap,mohe,,,MH-S1",
    )
    bad = bad.replace(
        "SEC-1,黑龙江洛古河断面,Luoguhe section,section,mohe,river,false,,,,III",
        "SEC-1,黑龙江洛古河断面,Luoguhe section,section,nowhere,groundwater,false,,,,VI",
    )
    result = service.import_sites(io.BytesIO(bad.encode()), "sites.csv")
    assert not result.ok
    found = {(e.row, e.column, e.code) for e in result.errors}
    assert found == {
        (5, "supplied_by", "wrong_upstream_stage"),
        (6, "county", "invalid_county"),
        (6, "water_body", "invalid_water_body"),
        (6, "target_class", "invalid_target_class"),
    }
    assert count_rows(WaterSite) == 0


def test_results_are_stored_as_given_and_in_the_canonical_unit(db):
    result = load()
    assert result.ok and result.rows == 19 and result.samples == 5
    assert result.quarters == [("mohe", "2026Q3")]
    hg = db.session.scalar(
        sa.select(WaterMeasurement).where(WaterMeasurement.parameter == "mercury")
    )
    assert (hg.value_text, hg.unit_given, hg.unit) == ("<0.04", "μg/L", "mg/L")
    assert (hg.value, hg.qualifier, hg.detection_limit) == (None, "<", "0.00004")
    sample = db.session.scalar(sa.select(WaterSample).where(WaterSample.sample_id == "S1-Q3"))
    # China time without an offset: 09:30 in Beijing is 01:30 UTC.
    assert sample.sampled_at.isoformat() == "2026-08-12T01:30:00+00:00"
    assert sample.quarter == "2026Q3" and sample.county == "mohe"


def test_reimporting_the_same_file_adds_no_duplicates(db):
    assert load().ok
    assert measurements(GOOD_Q3).ok
    assert count_rows(WaterSample) == 5
    assert count_rows(WaterMeasurement) == 19


def test_reimporting_a_corrected_value_replaces_it(db):
    assert load().ok
    assert measurements(GOOD_Q3.replace("manganese,0.32", "manganese,0.08")).ok
    mn = db.session.scalar(
        sa.select(WaterMeasurement).where(WaterMeasurement.parameter == "manganese")
    )
    assert mn.value == "0.08"
    assert count_rows(WaterMeasurement) == 19


def test_one_bad_row_rejects_the_file_and_every_bad_cell_is_listed(db):
    assert load(HEADER).ok is False  # header only: nothing to import
    text = (
        HEADER
        + rows("A", "MH-S1", "2026-08-12T09:30", ph="7|", ammonia_n="0.2|mg/L")
        + (
            "A,MH-S1,2026-08-12T09:30,arsenic,abc,mg/L,Lab,\n"
            "A,MH-S1,2026-08-12T09:30,unobtainium,1,mg/L,Lab,\n"
            "A,MH-S1,2026-08-12T09:30,lead,0.01,furlongs,Lab,\n"
            "A,MH-S1,yesterday,cadmium,0.001,mg/L,Lab,\n"
            "B,NOPE,2026-08-12T09:30,ph,7,,Lab,\n"
            "A,MH-S1,2026-08-12T09:30,ph,7.1,,Lab,\n"
            "A,MH-S1,2026-08-12T09:30,trihalomethanes_total,0.5,ratio,Lab,\n"
        )
    )
    result = measurements(text)
    assert not result.ok
    assert {(e.row, e.column, e.code) for e in result.errors} == {
        (4, "value", "not_a_number"),
        (5, "parameter", "unknown_parameter"),
        (6, "unit", "unknown_unit"),
        (7, "sampled_at", "invalid_time"),
        (8, "site_code", "unknown_site"),
        (9, "parameter", "duplicate_measurement"),
        (10, "parameter", "derived_parameter"),
    }
    assert result.error_count == 7
    assert count_rows(WaterSample) == 0
    assert count_rows(WaterMeasurement) == 0


def test_a_sample_id_cannot_move_to_another_site(db):
    assert load().ok
    result = measurements(HEADER + rows("S1-Q3", "MH-T1", "2026-08-12T09:30", ph="7|"))
    assert [e.code for e in result.errors] == ["sample_of_other_site"]


def test_gb18030_csv_and_xlsx_are_read_alike(db):
    service.import_sites(io.BytesIO(SITES.encode("gb18030")), "sites.csv")
    text = HEADER + rows(
        "X1", "MH-P1", "2026-08-12T09:30", odor="无异臭、异味|", turbidity="0.3|NTU"
    )
    assert measurements(text).ok
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in (
        HEADER + rows("X2", "MH-P1", "2026-08-12T09:30", turbidity="0.5|NTU")
    ).splitlines():
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    assert service.import_measurements(buf, "results.xlsx").ok
    assert count_rows(WaterMeasurement) == 3


def test_cli_imports_and_reports_errors(runner, tmp_path, db):
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES, encoding="utf-8")
    assert runner.invoke(args=["water", "import-sites", str(sites)]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A,MH-S1,2026-08-12T09:30,ph,seven,,Lab,\n", encoding="utf-8")
    out = runner.invoke(args=["water", "import", str(bad)])
    assert out.exit_code == 1
    assert "row 2, value" in out.output


def test_upload_page_shows_every_error_in_the_users_language(client, login_as, db):
    login_as("water_officer")
    service.import_sites(io.BytesIO(SITES.encode()), "sites.csv")
    data = {
        "kind": "measurements",
        "file": (
            io.BytesIO((HEADER + "A,MH-S1,2026-08-12T09:30,ph,seven,,Lab,\n").encode()),
            "r.csv",
        ),
    }
    page = client.post("/admin/water/import", data=data, content_type="multipart/form-data")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "文件未导入" in html or "The file was not imported" in html
    assert "seven" in html
    data = {"kind": "sites", "file": (io.BytesIO(SITES.encode()), "sites.csv")}
    page = client.post("/admin/water/import?lang=en", data=data, content_type="multipart/form-data")
    assert page.status_code == 200


def test_the_import_page_is_for_water_officers_only(client, login_as):
    assert client.get("/admin/water/import").status_code in (302, 401)
    login_as("report_handler")
    assert client.get("/admin/water/import").status_code == 403
