"""Enforcement's refusals follow the core convention (portal.core.problems): every code the
workflows and the pure draw core raise has its words in portal/enforcement/messages.py, and
every word there belongs to a code raised; the words fill their placeholders in both
languages; services refuse with codes on fields, rows for the import."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest

from portal.core.messages import CORE
from portal.core.problems import Problems, Refusal
from portal.enforcement import cards, draws, registry
from portal.enforcement import draw as drawing
from portal.enforcement.messages import MESSAGES
from tests.enforcement_support import REGISTRY_CSV_HEADER, add_enterprise, card_decision
from tests.enforcement_support import credit_code as code

PACKAGE = Path(registry.__file__).parent
# Calls whose first argument is a refusal code, and those whose last one is.
FIRST = {"Refusal", "DrawError", "add"}
LAST = {"check_decision_number", "_county_refusal"}


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        # problems.add(...), not db.session.add(record)
        return func.attr if isinstance(func.value, ast.Name) else ""
    return func.id if isinstance(func, ast.Name) else ""


def _strings(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def raised_codes() -> dict[str, str]:
    """code → module, for every literal code the enforcement package passes to a refusal
    (directly, in a conditional expression, or through a local variable)."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "messages.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]:
            calls = [n for n in ast.walk(function) if isinstance(n, ast.Call) and n.args]
            argument = [
                c.args[0] if _name(c) in FIRST else c.args[-1]
                for c in calls
                if _name(c) in FIRST | LAST
            ]
            variables = {a.id for a in argument if isinstance(a, ast.Name)}
            for node in argument:
                found.update(dict.fromkeys(_strings(node), path.name))
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in variables for t in node.targets
                ):
                    found.update(dict.fromkeys(_strings(node.value), path.name))
    return found


def test_every_code_raised_has_words_and_every_word_a_code():
    raised = raised_codes()
    assert len(raised) > 80  # the scan really found the workflows' refusals
    assert {c: m for c, m in raised.items() if c not in MESSAGES} == {}
    assert sorted(set(MESSAGES.words) - set(raised)) == []
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in raised)
    # The shared table reader's refusals (the import) fall back to core's words.
    assert CORE.codes <= MESSAGES.codes


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_every_message_fills_its_placeholders(app, lang):
    taken = {"code", "field", "row"}
    with app.test_request_context(f"/?lang={lang}"):
        for code_, words in MESSAGES.words.items():
            names = set(re.findall(r"%\((\w+)\)s", str(words)))
            params = {(n + "_" if n in taken else n): f"<{n}>" for n in names}
            text = MESSAGES.text(Refusal(code_, "x", **params))
            assert "%(" not in text and all(f"<{n}>" in text for n in names), code_


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
