"""Enforcement's refusals follow the core convention (portal.core.problems; that every code
has its words is tests/test_core_problems.py's): the draw core refuses with Refusals,
services refuse with codes on fields, rows for the import."""

from __future__ import annotations

import io

import pytest

from portal.core.problems import Problems, Refusal
from portal.enforcement import cards, draws, registry
from portal.enforcement import draw as drawing
from portal.enforcement.messages import MESSAGES
from tests.enforcement_support import REGISTRY_CSV_HEADER, add_enterprise, card_decision
from tests.enforcement_support import credit_code as code


def test_the_draw_core_refuses_with_core_refusals():
    with pytest.raises(drawing.DrawError) as info:
        drawing.prepare(["A", "A"], ["I"], select_count=1, inspectors_per_entity=1)
    error = info.value
    assert isinstance(error, Refusal)
    assert (error.code, error.field, error.subject, error.params) == (
        "duplicate_code",
        "",
        "A",
        {"subject": "A"},
    )
    assert str(error) == "duplicate_code: 'A'"


def test_services_refuse_with_codes_on_fields(app):
    add_enterprise(app, code(1), "mohe")
    with app.test_request_context("/?lang=en"):
        with pytest.raises(Problems) as info:
            cards.decide_card(
                card_decision(code(1), color="green", number=" ", authority="x" * 201)
            )
        assert info.value.codes == {
            "color": "card_color_invalid",
            "number": "missing",
            "authority": "authority_too_long",
        }
        assert MESSAGES.by_field(info.value)["number"] == ["Decision number is missing."]
        with pytest.raises(Refusal) as single:
            cards.decide_card(card_decision(code(2)))
        assert (single.value.code, single.value.field) == ("enterprise_unknown", "enterprise_code")
        with pytest.raises(Refusal) as conflict:
            draws.parse_conflicts("a b c")
        assert (conflict.value.code, conflict.value.field) == ("conflict_line_invalid", "conflicts")


def test_the_import_report_holds_refusals_with_their_rows(app):
    rows = f"{code(3)},甲,mohe,采矿,\n{code(3)},乙,nowhere,采矿,\n"
    with app.test_request_context("/?lang=en"):
        report = registry.import_enterprises(
            io.BytesIO((REGISTRY_CSV_HEADER + rows).encode()), "r.csv"
        )
        assert [(r.row, r.field, r.code) for r in report.problems] == [
            (3, "county", "county_unknown")
        ]
        assert report.lines() == [
            (
                3,
                "county: Unknown county nowhere; use one of: "
                "jiagedaqi, songling, xinlin, huzhong, mohe, tahe, huma.",
            )
        ]
        empty = registry.import_enterprises(io.BytesIO(b""), "r.csv")
        assert [(r.row, r.code) for r in empty.problems] == [(None, "empty")]
        assert empty.lines() == [(None, "The file is empty.")]
