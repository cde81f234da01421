"""One table of words for the subscriptions feature, and its closed sets: every code it
refuses with has its words in subscriptions/messages.py (and every word a code)."""

from __future__ import annotations

from portal.subscriptions.messages import MESSAGES
from tests.reports_support import refusal_codes


def test_every_refusal_code_has_its_words_and_every_word_a_code():
    codes, odd = refusal_codes("portal.subscriptions")
    assert odd == []  # each code is a literal where it is raised
    assert codes <= MESSAGES.codes
    assert set(MESSAGES.words) <= codes
