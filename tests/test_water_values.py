"""Tests for portal.water.values: reading lab result cells and converting units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.water.limit_tables import load_standards
from portal.water.values import (
    InvalidValue,
    Measurement,
    UnknownParameter,
    UnknownUnit,
    WaterDataError,
    convert_unit,
    parse_value,
)

MICRO_SIGN = "\u00b5"  # µ as typed on most keyboards
GREEK_MU = "\u03bc"  # μ as produced by Chinese input methods

# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("0.012", "0.012"),
        ("  0.012 ", "0.012"),
        ("\u30000.012\u3000", "0.012"),  # ideographic spaces
        ("０．０１２", "0.012"),  # full-width digits and point
        ("12", "12"),
        ("1.0", "1.0"),
        (".5", "0.5"),
        ("1.2e-3", "0.0012"),
        ("1.2E-3", "0.0012"),
        ("1.2×10^-3", "0.0012"),
        ("1.2×10⁻³", "0.0012"),
        ("1.2x10-3", "0.0012"),
        ("5×10^2", "500"),
        ("1.5E3", "1500"),
        ("0", "0"),
    ],
)
def test_plain_numbers_are_exact_decimals(cell: str, expected: str) -> None:
    m = parse_value(cell, "ammonia_n")
    assert m == Measurement(Decimal(expected), None, None, cell.strip())
    assert isinstance(m.value, Decimal)
    assert str(m.value) == expected


def test_the_decimal_keeps_the_digits_the_lab_wrote() -> None:
    assert str(parse_value("1.50", "ammonia_n").value) == "1.50"


@pytest.mark.parametrize("cell", [12, Decimal("0.012")])
def test_numbers_already_typed_are_accepted(cell: int | Decimal) -> None:
    assert parse_value(cell, "ammonia_n").value == Decimal(cell)


@pytest.mark.parametrize("cell", ["-1.5", "−1.5"])
def test_water_temperature_may_be_negative(cell: str) -> None:
    assert parse_value(cell, "water_temperature").value == Decimal("-1.5")


# --- below detection limit and not detected ------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["<0.005", "＜0.005", "< 0.005", "＜０．００５", "0.005L", "0.005 L", "<5e-3"]
)
def test_below_detection_limit_forms(cell: str) -> None:
    m = parse_value(cell, "ammonia_n")
    assert (m.value, m.qualifier, m.detection_limit) == (None, "<", Decimal("0.005"))
    assert m.text == cell
    assert m.below_detection


@pytest.mark.parametrize(
    "cell", ["ND", "nd", "N.D.", "n.d.", "N.D", "未检出", "not detected", "Not Detected"]
)
def test_not_detected_without_a_detection_limit(cell: str) -> None:
    m = parse_value(cell, "ammonia_n")
    assert (m.value, m.qualifier, m.detection_limit) == (None, "ND", None)
    assert m.below_detection


@pytest.mark.parametrize(
    "cell",
    [
        "ND(0.005)",
        "ND (<0.005)",
        "nd(0.005L)",
        "未检出(<0.005)",
        "未检出（＜0.005）",
        "ND(DL=0.005)",
        "未检出(检出限0.005)",
    ],
)
def test_not_detected_with_a_detection_limit(cell: str) -> None:
    m = parse_value(cell, "ammonia_n")
    assert (m.value, m.qualifier, m.detection_limit) == (None, "ND", Decimal("0.005"))


def test_not_detected_is_a_result_but_not_tested_is_not() -> None:
    assert parse_value("未检出", "lead").qualifier == "ND"
    with pytest.raises(InvalidValue) as caught:
        parse_value("未检测", "lead")
    assert caught.value.code == "not_measured"


def test_dissolved_oxygen_may_be_not_detected() -> None:
    assert parse_value("<0.2", "dissolved_oxygen").detection_limit == Decimal("0.2")


# --- text parameters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "parameter"),
    [
        ("无异臭、异味", "odor"),
        ("有氯味", "odor"),
        ("未检出", "visible_matter"),
        ("none visible", "visible_matter"),
        ("12", "odor"),
    ],
)
def test_text_parameters_keep_the_text(cell: str, parameter: str) -> None:
    assert parse_value(f" {cell} ", parameter) == Measurement(None, "text", None, cell)


# --- rejected cells -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "parameter", "code"),
    [
        ("", "ammonia_n", "empty"),
        ("   ", "ammonia_n", "empty"),
        ("", "odor", "empty"),
        ("x" * 201, "ammonia_n", "too_long"),
        ("-", "ammonia_n", "not_measured"),
        ("—", "ammonia_n", "not_measured"),
        ("/", "ammonia_n", "not_measured"),
        ("N/A", "ammonia_n", "not_measured"),
        ("未测", "ammonia_n", "not_measured"),
        ("/", "odor", "not_measured"),
        ("abc", "ammonia_n", "not_a_number"),
        ("1,5", "ammonia_n", "not_a_number"),
        ("1 000", "ammonia_n", "not_a_number"),
        ("0.5 mg/L", "ammonia_n", "not_a_number"),
        ("NaN", "ammonia_n", "not_a_number"),
        ("Infinity", "ammonia_n", "not_a_number"),
        ("0x10", "ammonia_n", "not_a_number"),
        ("≤0.005", "ammonia_n", "not_a_number"),
        ("+1", "ammonia_n", "not_a_number"),
        ("1e999", "ammonia_n", "out_of_range"),
        (">2400", "fecal_coliform", "greater_than_not_supported"),
        ("＞2400", "fecal_coliform", "greater_than_not_supported"),
        ("-0.5", "ammonia_n", "negative"),
        ("<0", "ammonia_n", "invalid_detection_limit"),
        ("0L", "ammonia_n", "invalid_detection_limit"),
        ("ND(0)", "ammonia_n", "invalid_detection_limit"),
        ("<7", "ph", "qualifier_not_allowed"),
        ("ND", "ph", "qualifier_not_allowed"),
        ("<1", "water_temperature", "qualifier_not_allowed"),
        ("75", "ph", "out_of_range"),
        ("-1", "ph", "negative"),
    ],
)
def test_unusable_cells_raise_a_machine_code(cell: str, parameter: str, code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_value(cell, parameter)
    assert caught.value.code == code
    assert str(caught.value) == code  # untranslated: the caller translates
    assert caught.value.parameter == parameter
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("ph", ["0", "14", "7.25"])
def test_plausible_ph_values_are_accepted(ph: str) -> None:
    assert parse_value(ph, "ph").value == Decimal(ph)


def test_a_float_is_refused_because_it_has_lost_the_labs_digits() -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_value(0.1, "ammonia_n")  # type: ignore[arg-type]
    assert caught.value.code == "float_not_accepted"


@pytest.mark.parametrize("cell", [True, None, b"1"])
def test_other_types_are_not_numbers(cell: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_value(cell, "ammonia_n")  # type: ignore[arg-type]
    assert caught.value.code == "not_a_number"


@pytest.mark.parametrize(
    ("parameter", "code"),
    [
        ("ammonia", "unknown_parameter"),
        ("", "unknown_parameter"),
        ("trihalomethanes_total", "derived_parameter"),
    ],
)
def test_unknown_or_derived_parameters_are_refused(parameter: str, code: str) -> None:
    with pytest.raises(UnknownParameter) as caught:
        parse_value("1", parameter)
    assert caught.value.code == code
    assert isinstance(caught.value, WaterDataError)


@pytest.mark.parametrize(
    "args",
    [
        (None, None, None, ""),  # no value at all
        (Decimal(1), None, Decimal(1), ""),  # value and detection limit
        (None, "<", None, ""),  # "<" without a detection limit
        (Decimal(1), "<", Decimal(1), ""),
        (Decimal(1), "ND", None, ""),
        (None, "text", None, ""),  # text without text
        (None, "<", Decimal(0), ""),
        (None, "<", Decimal(-1), ""),
        (Decimal("NaN"), None, None, ""),
        (None, "approx", None, ""),
    ],
)
def test_inconsistent_measurements_cannot_be_built(args: tuple[object, ...]) -> None:
    with pytest.raises(InvalidValue) as caught:
        Measurement(*args)  # type: ignore[arg-type]
    assert caught.value.code == "inconsistent_measurement"


# --- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "parameter", "expected"),
    [
        ("0.3", "mg/L", "iron", "0.3"),
        ("0.3", "mg/l", "iron", "0.3"),
        ("0.3", "㎎/L", "iron", "0.3"),
        ("5", f"{MICRO_SIGN}g/L", "lead", "0.005"),
        ("5", f"{GREEK_MU}g/L", "lead", "0.005"),
        ("5", f"{GREEK_MU}g/l", "lead", "0.005"),
        ("5", "ug/L", "lead", "0.005"),
        ("5000", "ng/L", "lead", "0.005"),
        ("0.25", "g/L", "sulfate", "250"),
        ("23", "MPN/100mL", "fecal_coliform", "230"),
        ("23", "MPN/100 mL", "fecal_coliform", "230"),
        ("23", "CFU/100mL", "fecal_coliform", "230"),
        ("230", "个/L", "fecal_coliform", "230"),
        ("230", "MPN/L", "fecal_coliform", "230"),
        ("230", "MPN/L", "total_coliform", "23"),
        ("2", "CFU/100mL", "total_coliform", "2"),
        ("2", "个/100mL", "e_coli", "2"),
        ("80", "CFU/mL", "total_plate_count", "80"),
        ("80", "CFU/ml", "total_plate_count", "80"),
        ("80", "MPN/mL", "total_plate_count", "80"),
        ("12", "PCU", "color", "12"),
        ("12", "度", "color", "12"),
        ("12", "铂钴色度单位", "color", "12"),
        ("0.8", "NTU", "turbidity", "0.8"),
        ("7.2", "无量纲", "ph", "7.2"),
        ("7.2", "dimensionless", "ph", "7.2"),
        ("7.2", "", "ph", "7.2"),
        ("7.2", None, "ph", "7.2"),
        ("12", "°C", "water_temperature", "12"),
        ("12", "℃", "water_temperature", "12"),
        ("0.4", "Bq/L", "gross_alpha", "0.4"),
        ("400", "mBq/L", "gross_alpha", "0.4"),
    ],
)
def test_units_convert_to_the_canonical_unit(
    value: str, unit: str | None, parameter: str, expected: str
) -> None:
    converted = convert_unit(Decimal(value), unit, parameter)
    assert isinstance(converted, Decimal)
    assert converted == Decimal(expected)


def test_microgram_conversion_scales_the_detection_limit_too() -> None:
    m = parse_value("<5", "lead")
    converted = convert_unit(m, f"{MICRO_SIGN}g/L", "lead")
    assert converted == Measurement(None, "<", Decimal("0.005"), "<5")


def test_conversion_scales_value_and_keeps_the_lab_text() -> None:
    converted = convert_unit(parse_value("12.5", "arsenic"), "μg/L", "arsenic")
    assert (converted.value, converted.qualifier, converted.text) == (
        Decimal("0.0125"),
        None,
        "12.5",
    )


def test_not_detected_with_a_detection_limit_is_scaled() -> None:
    converted = convert_unit(parse_value("ND(0.5)", "mercury"), "μg/L", "mercury")
    assert (converted.qualifier, converted.detection_limit) == ("ND", Decimal("0.0005"))


def test_fecal_coliform_per_100_ml_is_ten_times_per_litre() -> None:
    converted = convert_unit(parse_value("<20", "fecal_coliform"), "MPN/100mL", "fecal_coliform")
    assert converted.detection_limit == Decimal("200")


def test_text_measurements_pass_through_conversion() -> None:
    m = parse_value("无", "odor")
    assert convert_unit(m, "", "odor") is m
    assert convert_unit(m, "text", "odor") is m


def test_conversion_is_exact_even_for_long_values() -> None:
    assert convert_unit(Decimal("0.123456789012345"), "μg/L", "lead") == Decimal(
        "0.000123456789012345"
    )


def test_a_value_too_long_to_convert_exactly_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        convert_unit(Decimal("1." + "1" * 70), "μg/L", "lead")
    assert caught.value.code == "too_precise"


@pytest.mark.parametrize(
    ("unit", "parameter", "code"),
    [
        ("度", "turbidity", "unknown_unit"),  # 度 is a colour unit, not turbidity
        ("FNU", "turbidity", "unknown_unit"),
        ("NTU", "color", "unknown_unit"),
        ("ppm", "lead", "unknown_unit"),
        ("MG/L", "lead", "unknown_unit"),
        ("MPN/L", "lead", "unknown_unit"),
        ("mg/L", "fecal_coliform", "unknown_unit"),
        ("mg/L", "ph", "unknown_unit"),
        ("Bq/L", "lead", "unknown_unit"),
        ("K", "water_temperature", "unknown_unit"),
        ("mg/L", "odor", "unknown_unit"),
        ("", "lead", "missing_unit"),
        (None, "lead", "missing_unit"),
        ("  ", "lead", "missing_unit"),
    ],
)
def test_units_of_another_quantity_are_refused(unit: str | None, parameter: str, code: str) -> None:
    with pytest.raises(UnknownUnit) as caught:
        convert_unit(Decimal(1), unit, parameter)
    assert (caught.value.code, caught.value.unit, caught.value.parameter) == (code, unit, parameter)
    assert isinstance(caught.value, ValueError)


def test_converting_for_an_unknown_parameter_is_refused() -> None:
    with pytest.raises(UnknownParameter):
        convert_unit(Decimal(1), "mg/L", "unobtainium")


@pytest.mark.parametrize(
    "parameter", [p.code for p in load_standards().parameters.values() if not p.derived]
)
def test_every_canonical_unit_is_a_known_spelling(parameter: str) -> None:
    unit = load_standards().parameters[parameter].unit
    assert convert_unit(Decimal("1.5"), unit, parameter) == Decimal("1.5")
