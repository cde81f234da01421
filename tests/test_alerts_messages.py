"""One table of words for the warnings feature: every code its service refuses with has
its words in alerts/messages.py, and every word there belongs to a code it raises."""

from __future__ import annotations

from portal.alerts.messages import MESSAGES
from portal.core.problems import Problems


def test_the_offending_code_fills_the_texts_placeholder(app):
    problems = Problems()
    problems.add("unknown_county", "counties", code="atlantis")
    problems.add("no_level", "level")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert MESSAGES.by_field(problems) == {
            "counties": ["Unknown county: atlantis."],
            "level": ["Choose a warning level."],
        }
