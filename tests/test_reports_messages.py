"""One table of words for the reports feature: every code it refuses with has its words in
reports/messages.py, and every word there belongs to a code it raises."""

from __future__ import annotations

from portal.reports.messages import MESSAGES
from portal.reports.workflow import ErrorCode, IllegalTransition
from tests.reports_support import refusal_codes


def test_every_refusal_code_has_its_words_and_every_word_a_code():
    codes, odd = refusal_codes("portal.reports")
    assert odd == []  # each code is a literal or an enum member where it is raised
    assert codes <= MESSAGES.codes  # words here, or core's
    assert set(MESSAGES.words) <= codes  # no words left over


def test_every_workflow_error_code_has_words(app):
    assert set(ErrorCode) <= set(MESSAGES.words)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refused = IllegalTransition(ErrorCode.DISPUTE_LIMIT, field="reason")
        assert MESSAGES.text(refused) == "This report has already been disputed once."
        assert refused.code is ErrorCode.DISPUTE_LIMIT and refused.field == "reason"
