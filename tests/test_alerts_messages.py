"""One table of words for the warnings feature: every code its service refuses with has
its words in alerts/messages.py, and every word there belongs to a code it raises."""

from __future__ import annotations

from portal.alerts.messages import MESSAGES
from portal.core.problems import Problems
from tests.reports_support import refusal_codes


def test_every_refusal_code_has_its_words_and_every_word_a_code():
    codes, odd = refusal_codes("portal.alerts")
    assert odd == []  # each code is a literal where it is raised
    assert codes <= MESSAGES.codes
    assert set(MESSAGES.words) <= codes


def test_the_offending_code_fills_the_texts_placeholder(app):
    problems = Problems()
    problems.add("unknown_county", "counties", code="atlantis")
    problems.add("no_level", "level")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert MESSAGES.by_field(problems) == {
            "counties": ["Unknown county: atlantis."],
            "level": ["Choose a warning level."],
        }
