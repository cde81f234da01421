"""One table of words for the reports feature: every code it refuses with has its words in
reports/messages.py, and every word there belongs to a code it raises."""

from __future__ import annotations

from portal.reports.messages import MESSAGES
from portal.reports.workflow import ErrorCode, IllegalTransition


def test_every_workflow_error_code_has_words(app):
    assert set(ErrorCode) <= set(MESSAGES.words)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refused = IllegalTransition(ErrorCode.DISPUTE_LIMIT, field="reason")
        assert MESSAGES.text(refused) == "This report has already been disputed once."
        assert refused.code is ErrorCode.DISPUTE_LIMIT and refused.field == "reason"
