"""Exceedances explained: a failed or inconclusive result is summarised at the top of its
sample, site and county pages with a health note (source named) and the water officer's
cause, measures and advice — or, until written, when they are due; the water officer sees
the task until it is written.  Sources show class and verdict together with the reason."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.water import explanations, overdue
from portal.water.models import WaterExplanation
from tests.core_support import count_rows
from tests.water_support import GOOD_Q3, page_text, published

CAUSE, MEASURES, ADVICE = "管网冲洗不彻底", "已冲洗管网并加密监测", "暂时煮沸后饮用"


def page(client, path: str) -> str:
    return page_text(client.get(path + "?lang=en").get_data(as_text=True))


def test_an_exceedance_without_an_explanation_says_when_it_is_due(client, db):
    published()
    due = overdue.explanation_due(overdue.first_published("mohe", "2026Q3"))
    sample = page(client, "/water/samples/T1-Q3")
    head = sample[: sample.index("Every parameter of this sample")]
    assert "Why this result does not meet the standard" in head
    assert "Turbidity 1.6 NTU exceeds the limit 1 NTU by 0.60×" in head
    assert "First time in the published samples." in head
    assert "Health: Turbidity" in head and "Source: WHO, Guidelines for Drinking-water" in head
    assert f"Explanation due by {due.isoformat()}" in head
    for path in ("/water/sites/MH-T1", "/water/counties/mohe"):
        assert f"Explanation due by {due.isoformat()}" in page(client, path), path
    api = client.get("/api/v1/water/samples/T1-Q3").get_json()
    assert api["explanation"]["due"] == due.isoformat() and api["explanation"]["cause"] is None
    assert client.get("/api/v1/water/samples/P1-Q3").get_json()["explanation"] is None
    # The failing rows come first in the sample's table.
    html = client.get("/water/samples/T1-Q3?lang=en").get_data(as_text=True)
    table = html[html.index('class="water-params') :]
    assert table.index("Turbidity") < table.index("Free chlorine")


def test_the_water_officer_sees_the_task_until_the_explanation_is_written(client, db, login_as):
    published()
    login_as("water_officer", "mohe")
    dashboard = page(client, "/admin/")
    assert "write the explanation for site MH-T1" in dashboard
    assert "write the explanation for site MH-G1" in dashboard
    review = client.get("/admin/water/quarters/mohe/2026Q3?lang=en").get_data(as_text=True)
    assert 'id="explain-MH-T1"' in review
    response = client.post(
        "/admin/water/quarters/mohe/2026Q3/explanations",
        data={"site_code": "MH-T1", "cause": CAUSE, "measures": MEASURES, "advice": ADVICE},
    )
    assert response.status_code == 302
    dashboard = page(client, "/admin/")
    assert "site MH-T1" not in dashboard and "site MH-G1" in dashboard
    public = page(client, "/water/samples/T1-Q3")
    assert CAUSE in public and MEASURES in public and ADVICE in public
    assert "Explanation due by" not in public[: public.index("Every parameter")]
    api = client.get("/api/v1/water/samples/T1-Q3").get_json()["explanation"]
    assert (api["cause"], api["version"]) == (CAUSE, 1)
    # A rewrite is a new version; the newest is public.
    client.post(
        "/admin/water/quarters/mohe/2026Q3/explanations",
        data={"site_code": "MH-T1", "cause": "复核后确认", "measures": MEASURES, "advice": ADVICE},
    )
    assert count_rows(WaterExplanation) == 2
    assert "复核后确认" in page(client, "/water/samples/T1-Q3")


def test_an_explanation_needs_all_three_parts_and_nothing_is_half_saved(client, db, login_as):
    published()
    login_as("water_officer", "mohe")
    response = client.post(
        "/admin/water/quarters/mohe/2026Q3/explanations",
        data={"site_code": "MH-T1", "cause": CAUSE, "measures": "", "advice": ADVICE},
    )
    assert response.status_code == 422
    assert "请填写已采取的措施。" in response.get_data(as_text=True)
    assert count_rows(WaterExplanation) == 0


def test_another_countys_officer_cannot_write_the_explanation(client, db, login_as):
    published()
    login_as("water_officer", "tahe")
    response = client.post(
        "/admin/water/quarters/mohe/2026Q3/explanations",
        data={"site_code": "MH-T1", "cause": CAUSE, "measures": MEASURES, "advice": ADVICE},
    )
    assert response.status_code == 403
    assert "MH-T1" not in page(client, "/admin/")
    assert count_rows(WaterExplanation) == 0
    # The service checks the scope too (the CLI and any other caller share it).
    try:
        explanations.write("mohe", "2026Q3", explanations.Text("MH-T1", "a", "b", "c"), "tahe")
    except explanations.ExplanationError as exc:
        assert exc.code == "outside_county"
    else:
        raise AssertionError("a Tahe official wrote Mohe's explanation")


def test_an_overdue_explanation_is_marked_overdue(app_factory, db):
    app = app_factory(WATER_EXPLANATION_DUE_DAYS=-1)  # due the day before publication
    with app.app_context():
        published()
        body = page_text(
            app.test_client().get("/water/samples/T1-Q3?lang=en").get_data(as_text=True)
        )
        assert "explanation is overdue" in body
        assert all(t.overdue for t in overdue.explanation_tasks("mohe"))


def test_water_publish_takes_an_explanations_file_and_a_bad_one_publishes_nothing(
    runner, db, tmp_path
):
    from tests.water_support import load

    assert load().ok
    bad = tmp_path / "bad.csv"
    bad.write_text("site_code,cause,measures,advice\nMH-T1,原因,,建议\nNOPE,a,b,c\n")
    result = runner.invoke(args=["water", "publish", "mohe", "2026Q3", "--explanations", str(bad)])
    assert result.exit_code == 1
    assert overdue.first_published("mohe", "2026Q3") is None
    good = tmp_path / "good.csv"
    good.write_text(f"site_code,cause,measures,advice\nMH-T1,{CAUSE},{MEASURES},{ADVICE}\n")
    result = runner.invoke(args=["water", "publish", "mohe", "2026Q3", "--explanations", str(good)])
    assert result.exit_code == 0, result.output
    assert "explanations written for 1 sites" in result.output
    tasks = {t.site_code for t in overdue.explanation_tasks()}
    assert tasks == {"MH-G1"}


def test_next_change_includes_an_explanation_falling_due(db):
    published()
    due = overdue.explanation_due(overdue.first_published("mohe", "2026Q3"))
    now = dt.datetime.now(dt.UTC)
    from portal.water import queries

    flip = queries.next_change(now)
    midnight = dt.datetime(due.year, due.month, due.day, tzinfo=dt.UTC) + dt.timedelta(hours=16)
    assert flip <= midnight and flip > now


def test_a_source_failing_only_a_supplementary_item_shows_its_class_and_the_item(client, db):
    # Class III by its Table 1 items (COD_Mn 5), iron above the Table 2 limit 0.3 mg/L.
    data = GOOD_Q3.replace("S1-Q3,MH-S1,2026-08-12T09:30,codmn,3.5,mg/L,Lab,", "")
    data += "S1-Q3,MH-S1,2026-08-12T09:30,codmn,5,mg/L,Lab,\n"
    data += "S1-Q3,MH-S1,2026-08-12T09:30,iron,0.53,mg/L,Lab,\n"
    published(data)
    sample = page(client, "/water/samples/S1-Q3")
    assert "Does not meet the drinking-water source standard" in sample
    assert (
        "Class III; Iron 0.53 mg/L exceeds the drinking-water source limit 0.3 mg/L by 0.77×"
    ) in sample
    overview = page(client, "/water/")
    # The figure counts what the label beside each source says.
    assert (
        "meet the drinking-water source standard (class III or better, and every "
        "supplementary item for drinking-water sources within its limit): 0 of 2 (0%)"
    ) in overview
    assert "By class alone (GB 3838-2002 Table 1, GB/T 14848-2017), 1 of 2 are class III" in (
        overview
    )
    line = next(li for li in overview.split("Emur River source")[1:2])
    assert "Does not meet the drinking-water source standard Class III; Iron 0.53" in line
    county = page(client, "/water/counties/mohe")
    assert "Class III; Iron 0.53 mg/L exceeds the drinking-water source limit 0.3 mg/L" in county
    api = client.get("/api/v1/water/quarters/mohe/2026Q3").get_json()
    assert api["centralized_sources"] == {
        "total": 2,
        "class_iii_or_better": 1,
        "meeting_standard": 0,
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WaterExplanation)) == 0


def _doc(at: str, passed: bool | None) -> dict:
    return {
        "sampled_at": at,
        "parameters": [{"parameter": "iron", "passed": passed, "counts_for_verdict": True}],
    }


def test_since_is_the_start_of_the_unbroken_run_of_failures():
    from portal.water.explain import since

    history = [_doc("2026-08", False), _doc("2026-05", None), _doc("2026-02", False)]
    assert since(history, "iron") == "2026-02"
    history.append(_doc("2025-11", True))
    history.append(_doc("2025-08", False))  # an earlier, separate exceedance
    assert since(history, "iron") == "2026-02"
    assert since([_doc("2026-08", True), _doc("2026-05", False)], "iron") is None
    assert since([_doc("2026-08", False)], "manganese") is None


def test_the_phone_chart_is_drawn_at_phone_size_with_larger_type():
    from decimal import Decimal

    from portal.water import chart

    series = [(f"2026-0{m}-01", Decimal(m), False) for m in range(1, 9)]
    wide, narrow = chart.trend(series, Decimal(5)), chart.trend(series, Decimal(5), narrow=True)
    assert narrow.width <= 360 < wide.width
    assert narrow.font >= 12 > wide.font
    shown = [p.show_label for p in narrow.points]
    assert shown[-1] and shown.count(True) == 4  # every other date, the newest always
