"""Random inspection draws on the web: commit, reveal, the public document and its verification."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa

from portal.core.models import utcnow
from portal.enforcement import draw as drawing
from portal.enforcement import draws, registry
from portal.enforcement.models import Draw, Inspection
from tests.enforcement_support import add_enterprise
from tests.enforcement_support import credit_code as code

FIELDS = [
    "id",
    "status",
    "commitment",
    "secret",
    "entropy",
    "seed",
    "entity_pool",
    "inspector_pool",
    "conflicts",
    "select_count",
    "inspectors_per_entity",
    "selected",
    "committed_at",
    "entropy_source",
    "revealed_at",
]
CHINA = dt.timezone(dt.timedelta(hours=8))
# The draw form names an entropy published an hour after the commitment; the clock of the
# draws service is moved past it before a reveal.
CLOCK = {"offset": dt.timedelta(0)}


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    CLOCK["offset"] = dt.timedelta(0)
    monkeypatch.setattr(draws, "utcnow", lambda: utcnow() + CLOCK["offset"])


def reveal(client: Any, number: str, entropy: str, hours: int = 2) -> Any:
    CLOCK["offset"] = dt.timedelta(hours=hours)
    return client.post(f"/admin/enforcement/draws/{number}/reveal", data={"entropy": entropy})


ENTITIES = [code(n) for n in range(1, 9)]


def seed_registry(app: Any) -> None:
    for n, c in enumerate(ENTITIES):
        add_enterprise(app, c, "mohe", f"漠河测试企业{n}", key_discharger="1")
    add_enterprise(app, code(99, "232722"), "tahe", "塔河测试企业")
    with app.test_request_context():
        for n in range(1, 6):
            registry.save_inspector(registry.InspectorData(f"HJ-{n:03d}", f"检查员{n}", "mohe"))


def draw_form(**extra: Any) -> dict[str, Any]:
    data = {
        "title": "2026年第四季度漠河市双随机抽查",
        "county": "mohe",
        "planned_on": "2026-11-01",
        "entropy_source": "福彩3D 2026年11月1日开奖号码",
        "entropy_at": (utcnow() + dt.timedelta(hours=1)).astimezone(CHINA).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "select_count": "3",
        "inspectors_per_entity": "2",
        "conflicts": f"{ENTITIES[0]} HJ-001\n{ENTITIES[0]} HJ-002",
    }
    data.update(extra)
    return data


def commit(client: Any, **extra: Any) -> str:
    response = client.post("/admin/enforcement/draws/new", data=draw_form(**extra))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_committed_draw_publishes_commitment_and_pools_but_not_the_secret(app, client, login_as):
    seed_registry(app)
    login_as("enforcement_officer", "mohe")
    number = commit(client)
    doc = client.get(f"/api/v1/enforcement/draws/{number}").get_json()
    assert set(doc) == set(FIELDS)
    assert doc["id"] == number and doc["status"] == "committed"
    assert doc["secret"] is None and doc["seed"] is None and doc["selected"] is None
    assert doc["entity_pool"] == sorted(ENTITIES)  # the Tahe enterprise is not in a Mohe draw
    assert doc["inspector_pool"] == [f"HJ-{n:03d}" for n in range(1, 6)]
    assert {"entity": ENTITIES[0], "inspector": "HJ-001"} in doc["conflicts"]
    from portal.core.extensions import db

    secret = db.session.scalar(sa.select(Draw.secret))
    assert drawing.commitment(secret) == doc["commitment"]
    for url in (
        f"/enforcement/draws/{number}",
        f"/api/v1/enforcement/draws/{number}",
        "/api/v1/enforcement/draws",
        f"/api/v1/enforcement/draws/{number}/committed",
    ):
        assert secret not in client.get(url).get_data(as_text=True)
    listing = client.get("/api/v1/enforcement/draws").get_json()["items"]
    assert [(d["id"], d["status"]) for d in listing] == [(number, "committed")]


def test_reveal_publishes_a_document_that_reproduces_and_keeps_the_commit_snapshot(
    app, client, login_as
):
    seed_registry(app)
    login_as("enforcement_officer", "mohe")
    number = commit(client)
    committed = client.get(f"/api/v1/enforcement/draws/{number}/committed").get_json()
    response = reveal(client, number, "5 0 8")
    assert response.status_code == 302
    doc = client.get(f"/api/v1/enforcement/draws/{number}").get_json()
    assert doc["status"] == "revealed" and doc["entropy"] == "5 0 8"
    report = drawing.verify(doc, published=committed, observed_entropy="5 0 8")
    assert report.ok, report.checks
    assert client.get(f"/api/v1/enforcement/draws/{number}/committed").get_json() == committed
    assert len(doc["selected"]) == 3
    for item in doc["selected"]:
        assert len(item["inspectors"]) == 2
        if item["entity"] == ENTITIES[0]:
            assert not {"HJ-001", "HJ-002"} & set(item["inspectors"])
    page = client.get(f"/enforcement/draws/{number}?lang=en").get_data(as_text=True)
    assert doc["secret"] in page and doc["seed"] in page
    assert (
        f"flask --app portal inspections verify https://water.example.gov.cn/api/v1/enforcement/draws/{number}"
        in page
    )


def test_a_draw_cannot_be_revealed_twice(app, client, login_as):
    seed_registry(app)
    login_as("enforcement_officer", "mohe")
    number = commit(client)
    reveal(client, number, "1")
    first = client.get(f"/api/v1/enforcement/draws/{number}").get_json()
    response = reveal(client, number, "2")
    assert response.status_code == 400
    assert client.get(f"/api/v1/enforcement/draws/{number}").get_json() == first


def test_a_county_officer_cannot_set_up_a_region_wide_or_other_county_draw(app, client, login_as):
    seed_registry(app)
    login_as("enforcement_officer", "tahe")
    assert client.post("/admin/enforcement/draws/new", data=draw_form(county="")).status_code == 403
    assert client.post("/admin/enforcement/draws/new", data=draw_form()).status_code == 403


def test_unknown_codes_and_impossible_counts_are_explained(app, client, login_as):
    seed_registry(app)
    login_as("admin")
    response = client.post(
        "/admin/enforcement/draws/new",
        data=draw_form(pool_codes=ENTITIES[0] + "\n91232723MA00000000"),
    )
    assert response.status_code == 400
    response = client.post(
        "/admin/enforcement/draws/new?lang=en", data=draw_form(select_count="50")
    )
    assert response.status_code == 400
    assert "More enterprises to select than are in the pool" in response.get_data(as_text=True)
    from portal.core.extensions import db

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Draw)) == 0


def test_verify_command_passes_on_the_revealed_draw_and_fails_on_tampering(
    app, client, login_as, runner, tmp_path
):
    seed_registry(app)
    login_as("admin")
    number = commit(client)
    committed = tmp_path / "committed.json"
    committed.write_text(
        client.get(f"/api/v1/enforcement/draws/{number}/committed").get_data(as_text=True)
    )
    reveal(client, number, "")
    doc = client.get(f"/api/v1/enforcement/draws/{number}").get_json()
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(doc))
    args = ["inspections", "verify", str(path), "--committed", str(committed)]
    result = runner.invoke(args=[*args, "--entropy", ""])
    assert result.exit_code == 0, result.output
    assert "VERIFIED" in result.output and "published" in result.output

    # Removing an enterprise from the pool after the commitment is caught.
    doc["entity_pool"] = [
        c for c in doc["entity_pool"] if c not in {s["entity"] for s in doc["selected"]}
    ][:4] + [s["entity"] for s in doc["selected"]]
    doc["entity_pool"].sort()
    path.write_text(json.dumps(doc))
    result = runner.invoke(args=["inspections", "verify", str(path), "--committed", str(committed)])
    assert result.exit_code == 1 and "FAILED" in result.output

    doc = client.get(f"/api/v1/enforcement/draws/{number}").get_json()
    doc["selected"][0], doc["selected"][1] = doc["selected"][1], doc["selected"][0]
    path.write_text(json.dumps(doc))
    result = runner.invoke(args=["inspections", "verify", str(path)])
    assert result.exit_code == 1 and "✗ selection" in result.output


def test_verify_command_fetches_the_commit_snapshot_of_a_portal_address(monkeypatch):
    from portal.enforcement import verify_cli

    assert verify_cli.portal_urls("https://water.example.gov.cn/enforcement/draws/2026-007") == (
        "https://water.example.gov.cn/api/v1/enforcement/draws/2026-007",
        "https://water.example.gov.cn/api/v1/enforcement/draws/2026-007/committed",
    )
    assert verify_cli.committed_url(
        "https://water.example.gov.cn/api/v1/enforcement/draws/2026-007"
    ) == ("https://water.example.gov.cn/api/v1/enforcement/draws/2026-007/committed")
    assert verify_cli.committed_url("/tmp/draw.json") is None


def test_inspection_results_of_a_draw_must_be_drawn_enterprises(app, client, login_as):
    seed_registry(app)
    login_as("admin")
    number = commit(client)
    reveal(client, number, "x")
    doc = client.get(f"/api/v1/enforcement/draws/{number}").get_json()
    chosen = doc["selected"][0]["entity"]
    spared = next(c for c in ENTITIES if c not in {s["entity"] for s in doc["selected"]})
    base = {
        "draw_number": number,
        "inspected_on": "2026-11-10",
        "inspectors": "检查员1",
        "items_checked": "废水处理设施",
        "findings": "未发现问题",
        "outcome": "no_problem",
    }
    assert (
        client.post(
            "/admin/enforcement/inspections/new", data={**base, "enterprise_code": spared}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/admin/enforcement/inspections/new", data={**base, "enterprise_code": chosen}
        ).status_code
        == 302
    )
    from portal.core.extensions import db

    assert db.session.scalar(sa.select(Inspection.draw_id)) is not None
    page = client.get(f"/enforcement/draws/{number}?lang=en").get_data(as_text=True)
    assert "No problem found" in page


def test_draw_pages_and_unknown_draws(app, client, login_as):
    seed_registry(app)
    login_as("admin")
    number = commit(client)
    client.post("/admin/logout")
    assert client.get("/enforcement/draws").status_code == 200
    page = client.get(f"/enforcement/draws/{number}?lang=en").get_data(as_text=True)
    assert "Committed, awaiting the draw" in page and "福彩3D 2026年11月1日开奖号码" in page
    assert client.get("/enforcement/draws/1999-999").status_code == 404
    assert client.get("/api/v1/enforcement/draws/1999-999").status_code == 404


def test_a_substituted_entropy_with_a_recomputed_selection_fails_verify_committed(
    app, client, login_as, runner, tmp_path
):
    seed_registry(app)
    login_as("admin")
    number = commit(client)
    committed = tmp_path / "committed.json"
    committed.write_text(
        client.get(f"/api/v1/enforcement/draws/{number}/committed").get_data(as_text=True)
    )
    reveal(client, number, "5 0 8")
    doc = client.get(f"/api/v1/enforcement/draws/{number}").get_json()
    # The forger keeps the secret and the pools, picks another entropy, recomputes the rest.
    setup = drawing.prepare(
        doc["entity_pool"],
        doc["inspector_pool"],
        [(c["entity"], c["inspector"]) for c in doc["conflicts"]],
        select_count=doc["select_count"],
        inspectors_per_entity=doc["inspectors_per_entity"],
    )
    forged_entropy = next(
        e
        for e in (f"{n} 0 8" for n in range(1, 10))
        if drawing.draw(setup, doc["secret"], e).selected
        != drawing.draw(setup, doc["secret"], "5 0 8").selected
    )
    result = drawing.draw(setup, doc["secret"], forged_entropy)
    forged = dict(
        doc,
        entropy=forged_entropy,
        seed=result.seed,
        selected=[{"entity": s.entity, "inspectors": list(s.inspectors)} for s in result.selected],
    )
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    args = ["inspections", "verify", str(path), "--committed", str(committed)]
    # The value the lottery really published catches the substitution...
    result = runner.invoke(args=[*args, "--entropy", "5 0 8"])
    assert result.exit_code == 1 and "✗ entropy" in result.output
    # ...and without it nothing is called verified.
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "not confirmed" in result.output
    assert "VERIFIED" not in result.output


def test_the_commitment_names_the_source_and_moment_and_the_reveal_waits_for_it(
    app, client, login_as
):
    seed_registry(app)
    login_as("admin")
    past = (utcnow() - dt.timedelta(hours=1)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/admin/enforcement/draws/new?lang=en", data=draw_form(entropy_at=past)
    )
    assert response.status_code == 400
    assert "published after the commitment" in response.get_data(as_text=True)
    number = commit(client, entropy_pattern="[0-9] [0-9] [0-9]")
    committed = client.get(f"/api/v1/enforcement/draws/{number}/committed").get_json()
    source = committed["entropy_source"]
    assert source["name"] == "福彩3D 2026年11月1日开奖号码"
    assert source["pattern"] == "[0-9] [0-9] [0-9]"
    assert source["at"] > committed["committed_at"]
    early = reveal(client, number, "5 0 8", hours=0)
    assert early.status_code == 400
    wrong_form = reveal(client, number, "508")
    assert wrong_form.status_code == 400
    assert reveal(client, number, "５  0 8").status_code == 302  # written canonically
    doc = client.get(f"/api/v1/enforcement/draws/{number}").get_json()
    assert doc["entropy"] == "5 0 8" and doc["revealed_at"] >= source["at"]
