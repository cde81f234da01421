"""Text that can appear in XML, HTML and feeds: one cleaner for every input and output.

XML 1.0 forbids most control characters (and lone surrogates, U+FFFE, U+FFFF); one of them
in a title made every feed fail. Inputs (every form and API field, every imported cell) are
cleaned on the way in; the XML writers clean again on the way out, for rows stored before.
Tab, line feed and carriage return are kept; C1 controls (U+0080–U+009F) never carry meaning
in what officials or citizens type, and HTML forbids them, so they go too.
"""

from __future__ import annotations

import re
from typing import TypeVar

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

T = TypeVar("T")


def clean(text: T) -> T:
    """`text` without the characters XML cannot hold; anything not a str is returned as is."""
    if isinstance(text, str) and _FORBIDDEN.search(text):
        return _FORBIDDEN.sub("", text)  # type: ignore[return-value]
    return text


def is_clean(text: str) -> bool:
    return _FORBIDDEN.search(text) is None
