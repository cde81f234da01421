"""Tracking codes for public pollution reports.

A tracking code looks like ``DX-7KQ2-M9VX-3HTR-2``: the fixed prefix ``DX``, twelve
Crockford base32 symbols (60 random bits from :mod:`secrets`) shown in groups of four,
and one Crockford mod-37 check symbol computed over the 60-bit value of those twelve.

The check symbol is taken from ``0-9 A-Z`` minus ``I L O U`` plus ``* ~ $ = U``; so the
last symbol may be ``*``, ``~``, ``$``, ``=`` or ``U`` even though none of them can appear
in the body.  Because 37 is prime and larger than 32, every single-symbol substitution and
every adjacent transposition in the body changes the check value, which is exactly the kind
of mistake people make reading a code over the phone.

Errors are :class:`~portal.core.problems.Refusal` s with a machine ``code`` only; their words
are in :mod:`portal.reports.messages`.
"""

from __future__ import annotations

import secrets
import unicodedata
from typing import Final

from portal.core.problems import Refusal

__all__ = [
    "ALPHABET",
    "BODY_LENGTH",
    "CHECK_SYMBOLS",
    "PREFIX",
    "BadCheckSymbol",
    "CodeError",
    "MalformedCode",
    "check_symbol",
    "new_code",
    "parse",
]

PREFIX: Final = "DX"
ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS: Final = ALPHABET + "*~$=U"
BODY_LENGTH: Final = 12
GROUP: Final = 4
_BITS: Final = 5 * BODY_LENGTH  # 60

# Crockford decoding aliases: people confuse O with 0 and I/L with 1, so accept them.
_ALIASES: Final = {"O": "0", "I": "1", "L": "1"}
# Separators people (or input methods) put in: ASCII hyphen plus the Unicode dashes a
# Chinese IME produces.  Whitespace is handled separately via str.isspace().
_DASHES: Final = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# Longest input worth normalising; anything longer cannot be a code and we refuse to
# spend work on it (form fields are attacker-controlled).
_MAX_INPUT: Final = 64

_VALUE: Final = {ch: i for i, ch in enumerate(ALPHABET)}
_CHECK_VALUE: Final = {ch: i for i, ch in enumerate(CHECK_SYMBOLS)}


class CodeError(Refusal):
    """Base class for tracking-code refusals; ``code`` is a stable machine identifier."""


class MalformedCode(CodeError):
    """Wrong length or characters outside the alphabet (after normalisation)."""

    def __init__(self) -> None:
        super().__init__("malformed_code")


class BadCheckSymbol(CodeError):
    """Well-formed, but the check symbol does not match the body (likely a typo)."""

    def __init__(self) -> None:
        super().__init__("bad_check_symbol")


def _encode(value: int) -> str:
    """Encode a 60-bit integer as 12 Crockford symbols, most significant first."""
    out = []
    for _ in range(BODY_LENGTH):
        out.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def _decode(body: str) -> int:
    value = 0
    for ch in body:
        value = (value << 5) | _VALUE[ch]
    return value


def check_symbol(body: str) -> str:
    """Return the Crockford mod-37 check symbol for a canonical 12-symbol body."""
    if len(body) != BODY_LENGTH or any(ch not in _VALUE for ch in body):
        raise MalformedCode()
    return CHECK_SYMBOLS[_decode(body) % 37]


def _format(body: str, check: str) -> str:
    groups = [body[i : i + GROUP] for i in range(0, BODY_LENGTH, GROUP)]
    return "-".join([PREFIX, *groups, check])


def new_code() -> str:
    """A fresh random tracking code in canonical form: ``DX-``, three groups of four, check."""
    value = secrets.randbits(_BITS)
    return _format(_encode(value), CHECK_SYMBOLS[value % 37])


def parse(text: str) -> str:
    """Normalise user input to the canonical code, validating the check symbol.

    Accepted leniently: any letter case, full-width characters (NFKC), hyphens/dashes and
    whitespace anywhere, the ``DX`` prefix present or absent, ``O`` for ``0`` and ``I``/``L``
    for ``1`` (in the body and in the check position).

    Raises :class:`MalformedCode` for wrong length or characters and
    :class:`BadCheckSymbol` when the input is well-formed but the check symbol is wrong.
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        raise MalformedCode()
    # NFKC first: a Chinese IME in full-width mode yields "ＤＸ－７ＫＱ２…".
    norm = unicodedata.normalize("NFKC", text)
    compact = "".join(ch for ch in norm if not ch.isspace() and ch not in _DASHES)
    # Reject non-ASCII before upper(): str.upper() maps e.g. "ß" to "SS" and "ı" to "I",
    # which would silently turn garbage into a plausible code.
    if not compact.isascii():
        raise MalformedCode()
    compact = compact.upper()
    # The prefix is optional, and D and X are also body symbols, so decide by length:
    # 15 symbols must start with the prefix, 13 never carry it.
    if len(compact) == len(PREFIX) + BODY_LENGTH + 1 and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != BODY_LENGTH + 1:
        raise MalformedCode()
    body = "".join(_ALIASES.get(ch, ch) for ch in compact[:BODY_LENGTH])
    check = _ALIASES.get(compact[-1], compact[-1])
    if any(ch not in _VALUE for ch in body) or check not in _CHECK_VALUE:
        raise MalformedCode()
    if CHECK_SYMBOLS[_decode(body) % 37] != check:
        raise BadCheckSymbol()
    return _format(body, check)
