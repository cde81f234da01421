"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

A code has 18 characters from ``0-9 A-H J-N P-R T U W X Y`` (no I, O, S, V, Z):

* position 1: registration authority code (登记管理部门代码);
* position 2: organisation category code (机构类别代码);
* positions 3-8: administrative division code of the registering authority (digits only);
* positions 9-17: organisation code body (主体标识码);
* position 18: check character, ``31 - (sum(value(c_i) * w_i) mod 31)`` over positions 1-17
  with ``w_i = 3**(i-1) mod 31``; a result of 31 is written ``0``.

Character values are the character's index in :data:`ALPHABET`.  Because 31 is prime and
no weight is 0 mod 31, every single-character substitution is caught; because adjacent
weights differ, so is every adjacent transposition.

Only the structure above is checked: the authority/category pairs and division codes are
not looked up, since those tables change over time.  A few codes issued during the 2015
pilot phase (e.g. some Xiamen ``91350200M…`` codes) are known not to satisfy the check
character; they are reported as ``check_character`` problems like any typo.

Problems are returned as :class:`CodeProblem` with machine codes only; translating them is
the caller's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ALPHABET",
    "LENGTH",
    "PROBLEM_BAD_CHARACTER",
    "PROBLEM_CHECK_CHARACTER",
    "PROBLEM_LENGTH",
    "WEIGHTS",
    "CodeProblem",
    "check_character",
    "is_valid",
    "normalize",
    "validate",
]

ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH: Final = 18
WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(LENGTH - 1))
# Positions (0-based) of the administrative division code, which must be decimal digits.
_DIVISION: Final = range(2, 8)
_DIGITS: Final = frozenset("0123456789")
_VALUE: Final = {ch: i for i, ch in enumerate(ALPHABET)}

PROBLEM_LENGTH: Final = "length"
PROBLEM_BAD_CHARACTER: Final = "bad_character"
PROBLEM_CHECK_CHARACTER: Final = "check_character"

# Inputs longer than this cannot be a code even with generous spacing; we refuse to
# normalise them so an attacker-controlled form field cannot make us do large work.
_MAX_INPUT: Final = 64

# Full-width ASCII (U+FF01..U+FF5E) to half-width.  Deliberately not NFKC: NFKC would also
# turn "①" or "²" into digits, silently accepting characters nobody types in a code.
_HALF_WIDTH: Final = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
# ASCII-only upper-casing: str.upper() maps "ß" to "SS" and changes the length, which would
# shift the positions we report.
_ASCII_UPPER: Final = {cp: cp - 32 for cp in range(ord("a"), ord("z") + 1)}


@dataclass(frozen=True, slots=True)
class CodeProblem:
    """Why a code is invalid.

    ``code`` is one of ``"length"``, ``"bad_character"``, ``"check_character"``.
    ``position`` (1-based, in the normalised code) is set for ``bad_character`` and
    ``check_character`` (always 18).  ``found`` is the offending character and
    ``expected`` the correct check character (``check_character`` only).
    """

    code: str
    position: int | None = None
    found: str | None = None
    expected: str | None = None


def normalize(code: str) -> str:
    """Return ``code`` without any whitespace, full-width forms made half-width, ASCII
    letters upper-cased.  Does not validate; other characters are left for
    :func:`validate` to report."""
    half = code.translate(_HALF_WIDTH)
    # U+3000 (ideographic space) is outside the full-width block; isspace() covers it.
    compact = "".join(ch for ch in half if not ch.isspace())
    return compact.translate(_ASCII_UPPER)


def check_character(first17: str) -> str:
    """Return the check character for the first 17 characters of a normalised code.

    Raises :class:`ValueError` if ``first17`` is not 17 characters of :data:`ALPHABET`.
    """
    if len(first17) != LENGTH - 1 or any(ch not in _VALUE for ch in first17):
        raise ValueError("first17 must be 17 characters of the credit-code alphabet")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> CodeProblem | None:
    """Return ``None`` if ``code`` (after :func:`normalize`) is valid, else the first problem:
    length first, then the leftmost bad character, then the check character."""
    if len(code) > _MAX_INPUT:
        return CodeProblem(PROBLEM_LENGTH)
    norm = normalize(code)
    if len(norm) != LENGTH:
        return CodeProblem(PROBLEM_LENGTH)
    for index, ch in enumerate(norm):
        allowed = _DIGITS if index in _DIVISION else _VALUE
        if ch not in allowed:
            return CodeProblem(PROBLEM_BAD_CHARACTER, position=index + 1, found=ch)
    expected = check_character(norm[:-1])
    if norm[-1] != expected:
        return CodeProblem(
            PROBLEM_CHECK_CHARACTER, position=LENGTH, found=norm[-1], expected=expected
        )
    return None


def is_valid(code: str) -> bool:
    """True if ``code`` is a valid unified social credit code (after normalisation)."""
    return validate(code) is None
