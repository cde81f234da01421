"""Tests for portal.enforcement.credit_code: GB 32100-2015 unified social credit codes."""

from __future__ import annotations

import pytest

from portal.enforcement import credit_code
from portal.enforcement.credit_code import CodeProblem, check_character, is_valid, validate

# Independent reference, written straight from the standard's tables rather than from the
# module: character values 0..30 and weights 3^(i-1) mod 31 listed literally.
REF_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
REF_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def ref_check(first17: str) -> str:
    total = 0
    for ch, weight in zip(first17, REF_WEIGHTS, strict=True):
        total += REF_CHARS.index(ch) * weight
    value = 31 - total % 31
    return "0" if value == 31 else REF_CHARS[value]


# Real codes published online (collected in python-stdnum's cn.uscc tests), plus the
# worked example of GB 32100-2015 itself.
PUBLISHED = [
    "91350100M000100Y43",  # GB 32100-2015 worked example: sum 1640, 1640 mod 31 = 28 → "3"
    "91110000600037341L",
    "121200004013590816",
    "91310000631696382C",
    "91440300568520498A",
    "9144030071526726XG",
    "91310115MA1K3BTP2B",
    "91620105L015101280",
    "92340603MA2PBMYMX1",
]


def test_module_constants_match_the_standard() -> None:
    assert credit_code.ALPHABET == REF_CHARS
    assert list(credit_code.WEIGHTS) == REF_WEIGHTS
    assert not set("IOSVZ") & set(credit_code.ALPHABET)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str) -> None:
    assert validate(code) is None
    assert is_valid(code)
    assert check_character(code[:17]) == code[17] == ref_check(code[:17])


def test_standard_worked_example_rejects_wrong_check_character() -> None:
    # The standard's own example input ends in "Z", which is not even in the alphabet.
    assert check_character("91350100M000100Y4") == "3"
    assert validate("91350100M000100Y4Z") == CodeProblem("bad_character", position=18, found="Z")
    assert validate("91350100M000100Y4A") == CodeProblem(
        "check_character", position=18, found="A", expected="3"
    )


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("0" * 17, "0"),  # sum 0: 31 - 0 = 31, written "0"
        ("1" + "0" * 16, "Y"),  # sum 1: 31 - 1 = 30 = "Y"
        ("2" + "0" * 16, "X"),  # 29
        ("0" * 16 + "1", "3"),  # weight 28: 31 - 28 = 3
        ("YY" + "9" * 6 + "Y" * 9, ref_check("YY" + "9" * 6 + "Y" * 9)),
    ],
)
def test_check_character_known_answers(first17: str, check: str) -> None:
    assert check_character(first17) == check
    assert is_valid(first17 + check)


def test_check_character_agrees_with_reference_on_many_bodies() -> None:
    # Deterministic sweep (no randomness): every alphabet character in every position.
    for position in range(17):
        for ch in REF_CHARS:
            body = list("91230700MA0000000")
            body[position] = ch if not 2 <= position <= 7 else str(REF_CHARS.index(ch) % 10)
            first17 = "".join(body)
            assert check_character(first17) == ref_check(first17)


@pytest.mark.parametrize("bad", ["", "9" * 16, "9" * 18, "91350100M000100Y4I", "9135010OM000100Y4"])
def test_check_character_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match="17 characters"):
        check_character(bad)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("91110000600037341l", "91110000600037341L"),
        (" 91 110000 600037341L\n", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),  # full-width IME input
        ("９１\u3000１１００００ ６０００３７３４１ｌ", "91110000600037341L"),  # ideographic space
        ("91\u00a0110000\t600037341L", "91110000600037341L"),  # no-break space, tab
    ],
)
def test_normalize(raw: str, normal: str) -> None:
    assert credit_code.normalize(raw) == normal
    assert is_valid(raw)


def test_normalize_does_not_invent_characters() -> None:
    # NFKC would turn "①" into "1" and "ß".upper() is "SS"; neither may happen here.
    assert credit_code.normalize("①ß") == "①ß"
    assert validate("9111000060003734①L") == CodeProblem("bad_character", position=17, found="①")


@pytest.mark.parametrize(
    "code",
    ["", "9", "91110000600037341", "91110000600037341LL", "x" * 65, " " * 100 + "9" * 18],
)
def test_wrong_length(code: str) -> None:
    assert validate(code) == CodeProblem("length")
    assert not is_valid(code)


@pytest.mark.parametrize("letter", list("IOSVZ"))
@pytest.mark.parametrize("position", [1, 2, 9, 17, 18])
def test_excluded_letters_are_bad_characters(letter: str, position: int) -> None:
    code = list("91110000600037341L")
    code[position - 1] = letter
    assert validate("".join(code)) == CodeProblem("bad_character", position=position, found=letter)


@pytest.mark.parametrize("position", [3, 4, 5, 6, 7, 8])
def test_division_code_must_be_digits(position: int) -> None:
    code = list("91110000600037341L")
    code[position - 1] = "A"  # valid alphabet character, but not in the division code
    assert validate("".join(code)) == CodeProblem("bad_character", position=position, found="A")


def test_leftmost_bad_character_is_reported_and_length_comes_first() -> None:
    assert validate("9I11000060003734OL") == CodeProblem("bad_character", position=2, found="I")
    assert validate("91-110000600037341") == CodeProblem("bad_character", position=3, found="-")
    assert validate("9I1") == CodeProblem("length")


def test_check_character_problem_names_expected_character() -> None:
    assert validate("91110000600037341N") == CodeProblem(
        "check_character", position=18, found="N", expected="L"
    )


def test_every_single_substitution_is_detected() -> None:
    for valid in PUBLISHED:
        for index in range(18):
            for ch in REF_CHARS:
                if ch == valid[index]:
                    continue
                typo = valid[:index] + ch + valid[index + 1 :]
                assert not is_valid(typo), typo


def test_every_adjacent_transposition_is_detected() -> None:
    for valid in PUBLISHED:
        for index in range(17):
            if valid[index] == valid[index + 1]:
                continue
            swapped = valid[:index] + valid[index + 1] + valid[index] + valid[index + 2 :]
            assert not is_valid(swapped), swapped
