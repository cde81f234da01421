"""Tests for portal.reports.codes: format, Crockford mod-37 check symbol, lenient parsing."""

from __future__ import annotations

import re

import pytest

from portal.reports import codes
from portal.reports.codes import BadCheckSymbol, CodeError, MalformedCode, new_code, parse
from portal.reports.messages import MESSAGES

# Independent reference implementation: Crockford symbols mapped onto Python's own base-32
# digits, so int(..., 32) does the decoding instead of the module under test.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECKS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U"
TO_PY32 = str.maketrans(CROCKFORD, "0123456789abcdefghijklmnopqrstuv")
CANONICAL = re.compile(r"DX-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-.")


def ref_value(body: str) -> int:
    return int(body.translate(TO_PY32), 32)


def ref_body(value: int) -> str:
    out = ""
    for _ in range(12):
        out = CROCKFORD[value % 32] + out
        value //= 32
    return out


def ref_code(body: str) -> str:
    check = CHECKS[ref_value(body) % 37]
    return f"DX-{body[:4]}-{body[4:8]}-{body[8:]}-{check}"


def test_reference_helpers_round_trip() -> None:
    assert ref_value("000000000010") == 32
    assert ref_body(32) == "000000000010"
    assert ref_value("ZZZZZZZZZZZZ") == 2**60 - 1


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("000000000000", "0"),
        ("00000000000Z", "Z"),  # 31
        ("000000000010", "*"),  # 32
        ("000000000011", "~"),  # 33
        ("000000000012", "$"),  # 34
        ("000000000013", "="),  # 35
        ("000000000014", "U"),  # 36
        ("000000000015", "0"),  # 37 wraps
        ("ZZZZZZZZZZZZ", CHECKS[(2**60 - 1) % 37]),
        ("7KQ2M9VX3HTR", CHECKS[ref_value("7KQ2M9VX3HTR") % 37]),
    ],
)
def test_known_answers(body: str, check: str) -> None:
    code = f"DX-{body[:4]}-{body[4:8]}-{body[8:]}-{check}"
    assert codes.check_symbol(body) == check
    assert parse(code) == code


def test_all_max_value_check_is_literal() -> None:
    # By hand: 2**36 = 1 (mod 37) by Fermat, so 2**60 = 2**24 = 16777216 = 37 * 453438 + 10,
    # hence (2**60 - 1) mod 37 = 9 and the check symbol of ZZZZZZZZZZZZ is "9".
    assert 37 * 453438 + 10 == 2**24
    assert parse("DX-ZZZZ-ZZZZ-ZZZZ-9") == "DX-ZZZZ-ZZZZ-ZZZZ-9"
    with pytest.raises(BadCheckSymbol):
        parse("DX-ZZZZ-ZZZZ-ZZZZ-0")


def test_every_check_value_is_reachable_and_parses() -> None:
    seen = set()
    for v in range(37):
        for base in (0, 37 * 1000, 2**60 - 37):  # small, middle and near the top
            value = base - base % 37 + v
            body = ref_body(value)
            code = ref_code(body)
            assert code[-1] == CHECKS[v]
            assert parse(code) == code
            assert parse(code.lower()) == code
            seen.add(code[-1])
    assert seen == set(CHECKS)


@pytest.mark.parametrize("symbol", list("*~$=U"))
def test_extra_check_symbols_only_valid_in_check_position(symbol: str) -> None:
    with pytest.raises(MalformedCode):
        parse(f"DX-{symbol}000-0000-0000-0")


def test_example_format() -> None:
    code = ref_code("7KQ2M9VX3HTR")
    assert CANONICAL.fullmatch(code)
    assert parse("7kq2m9vx3htr" + code[-1]) == code


def test_every_single_substitution_is_caught() -> None:
    body = "7KQ2M9VX3HTR"
    code = ref_code(body)
    for i in range(12):
        for ch in CROCKFORD:
            if ch == body[i]:
                continue
            typo = body[:i] + ch + body[i + 1 :]
            with pytest.raises(BadCheckSymbol) as exc:
                parse(typo + code[-1])
            assert exc.value.code == "bad_check_symbol"


def test_every_adjacent_transposition_is_caught() -> None:
    body = "7KQ2M9VX3HTR"
    check = ref_code(body)[-1]
    for i in range(11):
        swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
        with pytest.raises(BadCheckSymbol):
            parse(swapped + check)


def test_wrong_check_symbol() -> None:
    code = ref_code("7KQ2M9VX3HTR")
    for check in CHECKS:
        if check != code[-1]:
            with pytest.raises(BadCheckSymbol):
                parse(code[:-1] + check)


def test_aliases_o_i_l() -> None:
    code = ref_code("011000001010")
    assert parse("DX-O1IO-OOOO-IOLO-" + code[-1]) == code
    assert parse("dx-o1io-oooo-iolo-" + code[-1].lower()) == code
    assert parse("O1IOOOOOIOLO" + code[-1]) == code


def test_alias_in_check_position() -> None:
    # Find bodies whose check is 0 and 1, then type them as O and I/L.
    zero = ref_body(37)  # value 37 -> check "0"
    one = ref_body(38)  # value 38 -> check "1"
    assert parse(zero + "o") == ref_code(zero)
    assert parse(one + "I") == ref_code(one)
    assert parse(one + "l") == ref_code(one)


@pytest.mark.parametrize(
    "variant",
    [
        "{c}",
        "{l}",
        "{nodash}",
        "{nodash_noprefix}",
        "{noprefix}",
        "  {l}  ",
        "DX {b1} {b2} {b3} {k}",
        "dx{b1}-{b2}{b3}-{k}",
        "{b1}{b2}{b3}{k}",
        "\uff24\uff38\uff0d{b1}-{b2}-{b3}-{k}",  # full-width "ＤＸ－" from a Chinese IME
        "DX\u2014{b1}\u2014{b2}\u2014{b3}\u2014{k}",  # em dashes
    ],
)
def test_lenient_input(variant: str) -> None:
    code = ref_code("7KQ2M9VX3HTR")
    b1, b2, b3, k = "7KQ2", "M9VX", "3HTR", code[-1]
    text = variant.format(
        c=code,
        l=code.lower(),
        nodash=code.replace("-", ""),
        nodash_noprefix=code.replace("-", "")[2:],
        noprefix=code[3:],
        b1=b1,
        b2=b2,
        b3=b3,
        k=k,
    )
    assert parse(text) == code


def test_body_starting_with_dx_without_prefix() -> None:
    # D and X are body symbols too: 13 symbols are never treated as prefixed.
    code = ref_code("DX0000000000")
    assert code.startswith("DX-DX00-")
    assert parse(code[3:]) == code
    assert parse(code) == code
    assert parse("DXDX0000000000" + code[-1]) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "DX-",
        "DX-7KQ2-M9VX-3HTR",  # no check symbol
        "DX-7KQ2-M9VX-3HT-2",  # too short
        "DX-7KQ2-M9VX-3HTRR-2",  # too long
        "XD-7KQ2-M9VX-3HTR-2",  # wrong prefix
        "DX-7KQ2-M9VX-3HTU-2",  # U not allowed in the body
        "DX-7KQ2-M9VX-3HTR-#",  # not a check symbol
        "DX-7KQ2-M9VX-3HT\u00df-2",  # non-ASCII that upper() would turn into "SS"
        "DX-7KQ2-M9VX-3HTR-2" * 5,  # absurdly long
        "DX-7KQ2_M9VX-3HTR-2",  # underscore is not a separator
    ],
)
def test_malformed(text: str) -> None:
    with pytest.raises(MalformedCode) as exc:
        parse(text)
    assert exc.value.code == "malformed_code"
    assert isinstance(exc.value, CodeError)


def test_non_string_is_malformed() -> None:
    with pytest.raises(MalformedCode):
        parse(None)  # type: ignore[arg-type]


def test_error_hierarchy() -> None:
    assert issubclass(MalformedCode, CodeError)
    assert issubclass(BadCheckSymbol, CodeError)
    assert MalformedCode().code != BadCheckSymbol().code
    assert str(BadCheckSymbol()) == "bad_check_symbol"  # machine code, no prose
    # Each has its words in the feature's one table (the pages show those).
    assert {MalformedCode().code, BadCheckSymbol().code} <= MESSAGES.codes


def test_new_code_format_and_validity() -> None:
    for _ in range(500):
        code = new_code()
        assert CANONICAL.fullmatch(code), code
        assert parse(code) == code
        assert code == ref_code(code[3:17].replace("-", ""))


def test_new_code_uniqueness_and_spread() -> None:
    generated = [new_code() for _ in range(5000)]
    assert len(set(generated)) == len(generated)
    # Every body position should use (nearly) the whole alphabet: a stuck or biased
    # position would show up here.  32 symbols, 5000 draws: missing one is ~1e-68.
    bodies = [c[3:17].replace("-", "") for c in generated]
    for pos in range(12):
        assert {b[pos] for b in bodies} == set(CROCKFORD)
    assert {c[-1] for c in generated} == set(CHECKS)


def test_new_code_uses_60_bits_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def fake_randbits(k: int) -> int:
        calls.append(k)
        return 2**60 - 1

    monkeypatch.setattr(codes.secrets, "randbits", fake_randbits)
    assert new_code() == "DX-ZZZZ-ZZZZ-ZZZZ-" + CHECKS[(2**60 - 1) % 37]
    assert calls == [60]
