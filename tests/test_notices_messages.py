"""One table of words for the notices feature: every code it refuses with has its words in
notices/messages.py, and every word there belongs to a code it raises."""

from __future__ import annotations

import pytest

from portal.notices import attachments
from portal.notices.messages import MESSAGES


def test_a_file_over_the_limit_is_refused_with_the_limit_in_the_words(app):
    with pytest.raises(attachments.AttachmentError) as refused:
        attachments.check("big.pdf", b"%PDF-" + b"x" * 2048, 1024)
    assert (refused.value.code, refused.value.field) == ("too_large", "file")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert MESSAGES.text(refused.value) == "The file is larger than the limit of 1.0 KB."
