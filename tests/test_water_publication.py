"""Publishing a county's quarter: review, snapshot, announcement, corrections, drafts 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.notices.models import Notice
from portal.water import service
from portal.water.models import WaterPublication
from tests.conftest import count_rows
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
