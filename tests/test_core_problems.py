"""One error convention (portal.core.problems): every feature's refusals carry machine codes,
and the feature's one table of words (`<feature>/messages.py`) has words for every code its
sources raise, none left over, in both languages with every placeholder filled."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal.core.problems import Messages, Problems, Refusal
from tests.core_support import refusal_codes

PORTAL = Path(__file__).resolve().parents[1] / "portal"
FEATURES = sorted(p.parent.name for p in PORTAL.glob("*/messages.py") if p.parent.name != "core")
# Helpers that take the code as their last argument.
LAST_ARGUMENT = {"enforcement": frozenset({"check_decision_number", "_county_refusal"})}
# How many codes the scan must find at least, so a scan gone blind fails.
MIN_FOUND = {"enforcement": 80, "water": 50, "reports": 15, "alerts": 10}
# Words for codes built at run time: water reports the table reader's codes as table_<code>.
BUILT = {"water": re.compile(r"table_\w+")}


def test_the_scan_finds_every_way_a_code_is_raised_and_nothing_else(tmp_path, monkeypatch):
    package = tmp_path / "scanned"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "rules.py").write_text(
        "from portal.core.problems import Problems, Refusal\n"
        "class Late(Refusal):\n"
        "    def __init__(self):\n"
        "        super().__init__('too_late')\n"
        "def check(x, problems: Problems, seen: set):\n"
        "    problems.add('missing', 'name')\n"
        "    seen.add('not_a_code')\n"
        "    code = 'too_big' if x else 'too_small'\n"
        "    if x is None:\n"
        "        raise Refusal(code, 'size')\n"
        "    raise Late()\n"
        "def taken(problems, number):\n"
        "    check_number(problems, number, 'number_taken')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = refusal_codes("scanned", frozenset({"check_number"}))
    assert set(found) == {"too_late", "missing", "too_big", "too_small", "number_taken"}


def test_every_feature_that_refuses_has_its_table():
    assert set(FEATURES) >= {
        "accounts", "alerts", "enforcement", "notices", "reports", "subscriptions", "water"
    }  # fmt: skip


@pytest.mark.parametrize("feature", FEATURES)
def test_every_code_a_feature_raises_has_its_words_and_every_word_a_code(feature):
    table: Messages = importlib.import_module(f"portal.{feature}.messages").MESSAGES
    raised = refusal_codes(f"portal.{feature}", LAST_ARGUMENT.get(feature, frozenset()))
    assert len(raised) >= MIN_FOUND.get(feature, 1), "the scan misses the feature's refusals"
    assert {c: where for c, where in raised.items() if c not in table} == {}
    built = BUILT.get(feature)
    left_over = {w for w in table.words if w not in raised and not (built and built.fullmatch(w))}
    assert left_over == set()
    assert [c for c in raised if not re.fullmatch(r"[a-z][a-z0-9_]*", c)] == []


@pytest.mark.parametrize("feature", FEATURES)
def test_every_message_is_translated_and_fills_its_placeholders(app, feature):
    table: Messages = importlib.import_module(f"portal.{feature}.messages").MESSAGES
    for code, words in table.words.items():
        names = set(re.findall(r"%\((\w+)\)[sd]", str(words)))
        params = {(n + "_" if n == "row" else n): 7 for n in names}
        refusal = Refusal(code, "x", **params)
        with app.test_request_context(), force_locale("en"):
            english = table.text(refusal)
        with app.test_request_context(), force_locale("zh_Hans"):
            chinese = table.text(refusal)
        assert "%(" not in english + chinese, code
        assert english != chinese, f"{feature}: {code} has no Chinese words"


def test_problems_gather_every_refusal_and_say_them_by_field(app):
    problems = Problems()
    problems.check()  # nothing refused: no exception
    problems.add("no_header")
    problems.add("unreadable", "file", row=3)
    with pytest.raises(Problems) as raised:
        problems.check()
    table = Messages({}, fallback=importlib.import_module("portal.core.messages").CORE)
    with app.test_request_context(), force_locale("en"):
        assert table.by_field(raised.value) == {
            "": ["The file has no header row."],
            "file": ["The file could not be read."],
        }
    assert raised.value.codes == {"": "no_header", "file": "unreadable"} and "file" in problems
    with pytest.raises(KeyError):
        table.text(Refusal("no_such_code"))
