"""Publishing a county's quarter: review, snapshot, announcement, corrections, drafts 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.notices.models import Notice
from portal.water import service
from portal.water.models import WaterPublication
from tests.core_support import count_rows
from tests.water_support import GOOD_Q3, load, published


def test_a_draft_quarter_is_not_public(client, db):
    assert load().ok
    assert client.get("/water/quarters/mohe/2026Q3").status_code == 404
    assert client.get("/api/v1/water/quarters/mohe/2026Q3").status_code == 404
    assert client.get("/api/v1/water/samples/S1-Q3").status_code == 404
    assert client.get("/water/sites/MH-S1").status_code == 404
    assert client.get("/api/v1/water/sites/MH-S1").status_code == 404
    assert client.get("/water/quarters/mohe/2026Q3.csv").status_code == 404


def test_publishing_announces_a_water_quality_notice(client, db):
    published()
    notice = db.session.scalar(
        sa.select(Notice).where(Notice.source == "water:quarter:mohe:2026Q3")
    )
    assert notice.category == "water-quality" and notice.county == "mohe"
    assert notice.link == "/water/quarters/mohe/2026Q3"
    assert client.get("/water/quarters/mohe/2026Q3").status_code == 200


def test_the_quarter_summary_counts_sites_per_stage_and_lists_exceedances(db):
    published()
    pub = service.current_publication("mohe", "2026Q3")
    stages = pub.summary["stages"]
    assert stages["source"] == {"sites": 2, "compliant": 1, "failing": 1, "inconclusive": 0}
    assert stages["plant"] == {"sites": 1, "compliant": 1, "failing": 0, "inconclusive": 0}
    assert stages["tap"] == {"sites": 1, "compliant": 0, "failing": 1, "inconclusive": 0}
    assert stages["section"]["compliant"] == 1
    found = {
        (x["site"], x["parameter"], x["exceedance_multiple"]) for x in pub.summary["exceedances"]
    }
    assert found == {("MH-G1", "manganese", "2.20"), ("MH-T1", "turbidity", "0.60")}
    assert pub.summary["centralized_sources"] == {
        "total": 2,
        "class_iii_or_better": 1,
        "meeting_standard": 1,
    }


def test_a_published_quarter_does_not_change_when_data_is_reimported(client, db):
    published()
    assert load(GOOD_Q3.replace("turbidity,1.6", "turbidity,0.5")).ok
    sample = client.get("/api/v1/water/samples/T1-Q3").get_json()
    assert sample["compliant"] is False  # still the published figure
    assert service.changed_samples(
        "mohe", "2026Q3", service.evaluate_quarter("mohe", "2026Q3")
    ) == ["T1-Q3"]


def test_a_correction_needs_a_reason_republishes_and_keeps_the_previous_version(client, db):
    published()
    assert load(GOOD_Q3.replace("turbidity,1.6", "turbidity,0.5")).ok
    with pytest.raises(service.PublishError) as exc:
        service.publish("mohe", "2026Q3")
    assert exc.value.code == "reason_required"
    service.publish("mohe", "2026Q3", "实验室复核浊度结果")
    assert count_rows(WaterPublication) == 2
    assert client.get("/api/v1/water/samples/T1-Q3").get_json()["compliant"] is True
    page = client.get("/water/quarters/mohe/2026Q3").get_data(as_text=True)
    assert "实验室复核浊度结果" in page
    api = client.get("/api/v1/water/quarters/mohe/2026Q3").get_json()
    assert api["version"] == 2 and api["correction_reason"] == "实验室复核浊度结果"
    notice = db.session.scalar(
        sa.select(Notice).where(Notice.source == "water:quarter:mohe:2026Q3")
    )
    assert notice.version == 2


def test_publish_cli_and_its_errors(runner, db):
    assert load().ok
    out = runner.invoke(args=["water", "publish", "mohe", "2026Q3"])
    assert out.exit_code == 0, out.output
    assert runner.invoke(args=["water", "publish", "mohe", "2026Q3"]).exit_code == 1
    out = runner.invoke(args=["water", "publish", "mohe", "2026Q3", "--reason", "复核"])
    assert out.exit_code == 0 and "version 2" in out.output
    assert runner.invoke(args=["water", "publish", "mohe", "2026Q2"]).exit_code == 1
    assert runner.invoke(args=["water", "publish", "atlantis", "2026Q3"]).exit_code == 1


def test_review_screen_publishes_for_an_officer_of_the_county(client, login_as, db):
    assert load().ok
    login_as("water_officer", county="mohe")
    page = client.get("/admin/water/quarters/mohe/2026Q3")
    assert page.status_code == 200
    assert "MH-G1" in page.get_data(as_text=True)
    response = client.post("/admin/water/quarters/mohe/2026Q3", data={})
    assert response.status_code == 302
    assert client.get("/water/quarters/mohe/2026Q3").status_code == 200
    again = client.post("/admin/water/quarters/mohe/2026Q3", data={"reason": ""})
    assert again.status_code == 422


def test_an_officer_of_another_county_cannot_publish(client, login_as, db):
    assert load().ok
    login_as("water_officer", county="tahe")
    assert client.post("/admin/water/quarters/mohe/2026Q3", data={}).status_code == 403
    assert count_rows(WaterPublication) == 0


def test_demo_data_loads_through_the_import_and_leaves_one_draft(app, db):
    from portal.water import demo

    added = demo.load()
    assert added == 27  # 7 counties x 4 quarters, less the draft
    assert demo.load() == 0
    assert service.current_publication("mohe", "2026Q3") is None
    pub = service.current_publication("tahe", "2026Q2")
    assert pub.summary["stages"]["tap"]["failing"] == 1


def test_a_lab_file_for_a_site_without_a_declared_disinfectant_is_judged_by_its_residual(
    client, db
):
    # Issue 13: the site file has no disinfection column value; the lab reports free chlorine.
    from tests.water_support import SITES

    undeclared = SITES.replace(
        "MH-S1;MH-G1,,,,free_chlorine,false", "MH-S1;MH-G1,,,,,false"
    ).replace(
        "MH-T1,漠河城区末梢水,Mohe town tap,tap,mohe,,,MH-P1,,,,free_chlorine,false",
        "MH-T1,漠河城区末梢水,Mohe town tap,tap,mohe,,,MH-P1,,,,,false",
    )
    import io

    assert service.import_sites(io.BytesIO(undeclared.encode()), "sites.csv").ok
    data = GOOD_Q3.replace(
        "P1-Q3,MH-P1,2026-08-12T11:00,free_chlorine,0.6",
        "P1-Q3,MH-P1,2026-08-12T11:00,free_chlorine,0.2",
    )
    data = data.replace("turbidity,1.6", "turbidity,0.5")
    assert service.import_measurements(io.BytesIO(data.encode()), "r.csv").ok
    service.publish("mohe", "2026Q3")
    plant = client.get("/api/v1/water/samples/P1-Q3").get_json()
    assert plant["compliant"] is False and plant["disinfection"] == ["free_chlorine"]
    assert plant["disinfection_inferred"] is True
    tap = client.get("/api/v1/water/samples/T1-Q3").get_json()
    assert tap["compliant"] is True  # free chlorine 0.2 ≥ the tap residual 0.05
    page = client.get("/water/samples/P1-Q3?lang=en").get_data(as_text=True)
    assert "the residual the laboratory measured shows it" in page


def test_the_review_screen_takes_explanations_before_publication(client, db, login_as):
    assert load().ok
    login_as("water_officer", "mohe")
    review = client.get("/admin/water/quarters/mohe/2026Q3?lang=en").get_data(as_text=True)
    assert 'id="explain-MH-T1"' in review and 'id="explain-MH-P1"' not in review
    response = client.post(
        "/admin/water/quarters/mohe/2026Q3/explanations",
        data={"site_code": "MH-T1", "cause": "原因", "measures": "措施", "advice": "建议"},
    )
    assert response.status_code == 302
    assert client.get("/water/samples/T1-Q3").status_code == 404  # still a draft
    service.publish("mohe", "2026Q3")
    assert "措施" in client.get("/water/samples/T1-Q3").get_data(as_text=True)
