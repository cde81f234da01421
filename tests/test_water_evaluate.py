"""Tests for portal.water.evaluate: classes, verdicts and reasons for one sample."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from portal.water.evaluate import (
    Evaluation,
    InvalidInput,
    ItemResult,
    Stage,
    WaterBody,
    evaluate_sample,
    parameter_limits,
)
from portal.water.limit_tables import list_parameter_limits
from portal.water.values import Measurement, UnknownParameter, convert_unit, parse_value

# --- helpers -----------------------------------------------------------------------------


def cells(**values: str) -> dict[str, Measurement]:
    return {code: parse_value(text, code) for code, text in values.items()}


def item(evaluation: Evaluation, code: str) -> ItemResult:
    return next(i for i in evaluation.items if i.parameter == code)


# Configuration is positional-only so that **{code: value} can only mean measurements.


def source(body: WaterBody = "river", centralized: bool = True, /, **values: str) -> Evaluation:
    return evaluate_sample("source", cells(**values), water_body=body, centralized=centralized)


def section(target: str, body: WaterBody = "river", /, **values: str) -> Evaluation:
    return evaluate_sample("section", cells(**values), water_body=body, target_class=target)


def drinking(
    stage: Stage = "tap",
    disinfection: tuple[str, ...] | None = ("free_chlorine",),
    small_supply: bool = False,
    /,
    **values: str,
) -> Evaluation:
    return evaluate_sample(
        stage, cells(**values), disinfection=disinfection, small_supply=small_supply
    )


D = Decimal

# --- GB 3838-2002: item classes at every boundary ---------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        # ammonia: 0.15 / 0.5 / 1.0 / 1.5 / 2.0
        ("ammonia_n", "0", "I"),
        ("ammonia_n", "0.15", "I"),
        ("ammonia_n", "0.151", "II"),
        ("ammonia_n", "0.5", "II"),
        ("ammonia_n", "0.51", "III"),
        ("ammonia_n", "1.0", "III"),
        ("ammonia_n", "1.01", "IV"),
        ("ammonia_n", "1.5", "IV"),
        ("ammonia_n", "1.6", "V"),
        ("ammonia_n", "2.0", "V"),
        ("ammonia_n", "2.01", "worse than V"),
        # equal limits go to the better class
        ("cod", "15", "I"),  # I = II = 15
        ("cod", "15.1", "III"),
        ("bod5", "3", "I"),
        ("copper", "0.01", "I"),
        ("copper", "0.02", "II"),
        ("copper", "1.0", "II"),  # II..V all 1.0
        ("copper", "1.01", "worse than V"),
        ("zinc", "1.0", "II"),
        ("zinc", "2.0", "IV"),
        ("fluoride", "1.0", "I"),
        ("fluoride", "1.5", "IV"),
        ("selenium", "0.01", "I"),
        ("arsenic", "0.05", "I"),
        ("arsenic", "0.06", "IV"),
        ("mercury", "0.00005", "I"),
        ("mercury", "0.0001", "III"),
        ("cadmium", "0.005", "II"),
        ("lead", "0.01", "I"),
        ("lead", "0.05", "III"),
        ("cyanide", "0.2", "III"),
        ("volatile_phenol", "0.002", "I"),
        ("petroleum", "0.05", "I"),
        ("petroleum", "0.06", "IV"),
        ("las", "0.2", "I"),
        ("sulfide", "0.2", "III"),
        ("codmn", "2", "I"),
        ("codmn", "15", "V"),
        ("codmn", "15.01", "worse than V"),
        # dissolved oxygen is a minimum: 7.5 / 6 / 5 / 3 / 2
        ("dissolved_oxygen", "9", "I"),
        ("dissolved_oxygen", "7.5", "I"),
        ("dissolved_oxygen", "7.49", "II"),
        ("dissolved_oxygen", "6", "II"),
        ("dissolved_oxygen", "5.99", "III"),
        ("dissolved_oxygen", "5", "III"),
        ("dissolved_oxygen", "3", "IV"),
        ("dissolved_oxygen", "2", "V"),
        ("dissolved_oxygen", "1.99", "worse than V"),
        # pH 6–9 for every class
        ("ph", "6", "I"),
        ("ph", "9", "I"),
        ("ph", "7.5", "I"),
        ("ph", "5.99", "worse than V"),
        ("ph", "9.01", "worse than V"),
    ],
)
def test_surface_item_class_is_the_best_class_whose_limit_it_meets(
    code: str, value: str, expected: str
) -> None:
    e = source(**{code: value})
    assert item(e, code).item_class == expected
    assert e.water_class == expected
    assert e.standard == "GB 3838-2002"


@pytest.mark.parametrize(
    ("body", "value", "expected"),
    [
        ("river", "0.02", "I"),
        ("river", "0.05", "II"),
        ("river", "0.2", "III"),
        ("river", "0.4", "V"),
        ("lake", "0.01", "I"),
        ("lake", "0.05", "III"),
        ("lake", "0.2", "V"),
        ("lake", "0.21", "worse than V"),
        ("reservoir", "0.025", "II"),
        ("reservoir", "0.2", "V"),
    ],
)
def test_total_phosphorus_uses_the_river_or_lake_reservoir_column(
    body: WaterBody, value: str, expected: str
) -> None:
    e = source(body, total_phosphorus=value)
    assert item(e, "total_phosphorus").item_class == expected


def test_sample_class_is_the_worst_item_and_deciding_items_are_those_at_it() -> None:
    e = source(ph="7.4", dissolved_oxygen="5.5", codmn="5", ammonia_n="0.4", lead="0.002")
    assert e.water_class == "III"
    assert e.compliant is True
    assert e.held_to_class == "III"
    # table order: dissolved oxygen comes before CODMn in Table 1
    assert e.deciding_parameters == ("dissolved_oxygen", "codmn")


def test_a_class_i_sample_lists_every_item_at_class_i_as_deciding() -> None:
    e = source(ph="7", ammonia_n="0.1", cod="10")
    assert e.water_class == "I"
    assert e.deciding_parameters == ("ph", "cod", "ammonia_n")  # Table 1 order


def test_one_item_worse_than_v_makes_the_sample_worse_than_v() -> None:
    e = source(ammonia_n="0.1", codmn="3", cod="50")
    assert e.water_class == "worse than V"
    assert e.compliant is False
    assert e.deciding_parameters == ("cod",)
    assert item(e, "cod").exceedance_multiple == D("1.5")  # (50 − 20) / 20 against class III


@pytest.mark.parametrize(
    ("value", "passed", "multiple"),
    [("1.0", True, None), ("0.99", True, None), ("1.5", False, D("0.5")), ("3.0", False, D("2"))],
)
def test_source_items_are_held_to_class_iii(
    value: str, passed: bool, multiple: Decimal | None
) -> None:
    e = source(ammonia_n=value)
    it = item(e, "ammonia_n")
    assert str(it.limit) == "≤1.0"
    assert it.comparison == "max"
    assert it.passed is passed
    assert it.exceedance_multiple == multiple
    assert e.compliant is passed


def test_failing_a_minimum_or_range_has_no_exceedance_multiple() -> None:
    e = source(dissolved_oxygen="4", ph="9.5")
    assert item(e, "dissolved_oxygen").passed is False
    assert item(e, "dissolved_oxygen").exceedance_multiple is None
    assert item(e, "ph").passed is False
    assert item(e, "ph").exceedance_multiple is None
    assert item(e, "ph").limit is not None and str(item(e, "ph").limit) == "6–9"


def test_items_carry_value_unit_and_lab_text() -> None:
    it = item(source(ammonia_n="0.50"), "ammonia_n")
    assert (it.value, it.qualifier, it.detection_limit, it.text, it.unit) == (
        D("0.50"),
        None,
        None,
        "0.50",
        "mg/L",
    )
    assert it.used_for_class and it.counts_for_verdict


# --- items reported but not used for the class ----------------------------------------------


def test_total_nitrogen_is_reported_for_lakes_but_does_not_decide() -> None:
    e = source("lake", ammonia_n="0.3", total_nitrogen="3.0")
    tn = item(e, "total_nitrogen")
    assert tn.item_class == "worse than V"
    assert tn.passed is False
    assert tn.notes == ("not_used_for_class",)
    assert not tn.used_for_class and not tn.counts_for_verdict
    assert e.water_class == "II"
    assert e.compliant is True
    assert e.deciding_parameters == ("ammonia_n",)


def test_total_nitrogen_has_no_limit_for_rivers() -> None:
    e = source("river", ammonia_n="0.3", total_nitrogen="3.0")
    tn = item(e, "total_nitrogen")
    assert (tn.limit, tn.passed, tn.item_class, tn.notes) == (None, None, None, ("no_limit",))
    assert e.water_class == "II" and e.compliant is True


def test_fecal_coliforms_are_reported_but_do_not_decide() -> None:
    e = source(ammonia_n="0.3", fecal_coliform="50000")
    fc = item(e, "fecal_coliform")
    assert fc.item_class == "worse than V"
    assert fc.passed is False
    assert fc.exceedance_multiple == D("4")
    assert fc.notes == ("not_used_for_class",)
    assert e.water_class == "II"
    assert e.compliant is True
    assert "fecal_coliform" not in e.deciding_parameters


def test_water_temperature_is_reported_without_a_limit() -> None:
    e = source(ammonia_n="0.3", water_temperature="12.5")
    t = item(e, "water_temperature")
    assert (t.value, t.unit, t.passed, t.notes) == (D("12.5"), "°C", None, ("no_limit",))
    assert e.water_class == "II"


def test_a_sample_with_only_unclassed_items_has_no_class_and_no_verdict() -> None:
    e = source("river", False, water_temperature="12", fecal_coliform="100")
    assert e.water_class is None
    assert e.compliant is None
    assert e.notes == ("nothing_evaluated",)
    assert e.deciding_parameters == ()


# --- GB 3838 Table 2: centralized drinking-water sources ------------------------------------


def test_failing_supplement_item_makes_a_class_ii_source_non_compliant() -> None:
    e = source(ammonia_n="0.3", sulfate="260")
    assert e.water_class == "II"  # Table 2 does not change the class
    assert e.compliant is False
    assert e.deciding_parameters == ("ammonia_n", "sulfate")
    s = item(e, "sulfate")
    assert (s.passed, s.item_class, s.used_for_class, s.counts_for_verdict) == (
        False,
        None,
        False,
        True,
    )
    assert s.notes == ("drinking_source_supplement",)
    assert s.exceedance_multiple == D("0.04")


@pytest.mark.parametrize(
    ("code", "at_limit", "above"),
    [
        ("sulfate", "250", "251"),
        ("chloride", "250", "250.1"),
        ("nitrate_n", "10", "10.1"),
        ("iron", "0.3", "0.31"),
        ("manganese", "0.1", "0.11"),
    ],
)
def test_supplement_items_pass_at_their_limit_and_fail_above(
    code: str, at_limit: str, above: str
) -> None:
    assert source(ammonia_n="0.3", **{code: at_limit}).compliant is True
    assert source(ammonia_n="0.3", **{code: above}).compliant is False


def test_supplement_items_do_not_apply_to_non_centralized_sources_or_sections() -> None:
    e = source("river", False, ammonia_n="0.3", sulfate="400")
    assert item(e, "sulfate").notes == ("no_limit",)
    assert e.compliant is True
    s = section("III", ammonia_n="0.3", sulfate="400")
    assert item(s, "sulfate").notes == ("no_limit",)
    assert s.compliant is True


def test_a_source_at_class_iv_is_not_compliant_even_with_supplement_passing() -> None:
    e = source(ammonia_n="1.2", iron="0.1")
    assert (e.water_class, e.compliant, e.deciding_parameters) == ("IV", False, ("ammonia_n",))


# --- sections against their target class ----------------------------------------------------


@pytest.mark.parametrize(
    ("target", "compliant", "limit", "multiple"),
    [
        ("I", False, "≤2", D("1.5")),
        ("II", False, "≤4", D("0.25")),
        ("III", True, "≤6", None),
        ("IV", True, "≤10", None),
        ("V", True, "≤15", None),
    ],
)
def test_section_complies_when_no_worse_than_its_target_class(
    target: str, compliant: bool, limit: str, multiple: Decimal | None
) -> None:
    e = section(target, ammonia_n="0.1", codmn="5")  # class III (CODMn)
    assert e.water_class == "III"
    assert e.held_to_class == target
    assert e.compliant is compliant
    codmn = item(e, "codmn")
    assert (codmn.passed, str(codmn.limit), codmn.exceedance_multiple) == (
        compliant,
        limit,
        multiple,
    )


def test_section_worse_than_v_fails_even_a_class_v_target() -> None:
    e = section("V", dissolved_oxygen="1.5")
    assert e.water_class == "worse than V"
    assert e.compliant is False
    assert e.deciding_parameters == ("dissolved_oxygen",)


def test_section_in_a_lake_uses_the_lake_phosphorus_column() -> None:
    assert section("III", "lake", total_phosphorus="0.06").compliant is False
    assert section("III", "river", total_phosphorus="0.06").compliant is True


# --- below detection limit and not detected (classed) ----------------------------------------


@pytest.mark.parametrize(
    ("cell", "item_class", "passed", "notes"),
    [
        ("<0.00005", "I", True, ()),  # DL equal to the class I limit: meets it
        ("<0.00004", "I", True, ()),
        ("<0.0001", "III", True, ("detection_limit_above_class_limit",)),
        (
            "<0.0005",
            "IV",
            None,
            ("detection_limit_above_limit", "detection_limit_above_class_limit"),
        ),
        ("<0.002", None, None, ("detection_limit_above_limit", "class_undetermined")),
        ("ND", "I", True, ()),  # no DL: the accredited method reaches below the limits
        ("未检出", "I", True, ()),
        (
            "ND(0.0005)",
            "IV",
            None,
            ("detection_limit_above_limit", "detection_limit_above_class_limit"),
        ),
    ],
)
def test_a_non_detect_gets_the_best_class_whose_limit_is_at_or_above_its_dl(
    cell: str, item_class: str | None, passed: bool | None, notes: tuple[str, ...]
) -> None:
    it = item(source(mercury=cell), "mercury")
    assert (it.item_class, it.passed, it.notes) == (item_class, passed, notes)
    assert it.exceedance_multiple is None


def test_a_dl_above_the_held_limit_makes_the_verdict_inconclusive_never_pass() -> None:
    e = source(ammonia_n="0.3", mercury="<0.0005")
    # Mercury is only known to be class IV or better: the sample could be class II.
    assert e.water_class is None
    assert e.compliant is None
    assert e.notes == ("class_uncertain_detection_limit",)
    assert e.deciding_parameters == ("mercury",)
    assert item(e, "mercury").item_class == "IV"


def test_a_bounded_item_no_worse_than_a_certain_one_leaves_the_class_certain() -> None:
    e = source(ammonia_n="1.2", mercury="<0.0005")  # ammonia certainly class IV
    assert e.water_class == "IV"
    assert e.compliant is False
    assert e.notes == ()
    assert e.deciding_parameters == ("ammonia_n",)


def test_a_coarse_detection_limit_alone_never_publishes_a_worse_class() -> None:
    e = source(ammonia_n="0.3", dissolved_oxygen="7", codmn="3", mercury="<0.0005")
    assert e.water_class is None  # everything measured is class II; mercury ≤ IV only
    assert e.compliant is None
    assert e.deciding_parameters == ("mercury",)


def test_a_bounded_class_within_the_held_class_still_complies_without_a_class() -> None:
    e = source(ammonia_n="0.1", mercury="<0.0001")  # ammonia I, mercury III or better
    assert e.water_class is None
    assert e.compliant is True
    assert e.notes == ("class_uncertain_detection_limit",)
    assert e.deciding_parameters == ("mercury",)


def test_a_bounded_item_at_the_certain_worst_class_keeps_that_class() -> None:
    e = source(ammonia_n="0.8", mercury="<0.0001")  # both III
    assert (e.water_class, e.compliant) == ("III", True)


def test_a_certain_failure_fails_even_when_a_bound_leaves_the_class_open() -> None:
    e = source(ammonia_n="1.2", mercury="<0.002")  # mercury: no class certain at all
    assert e.water_class is None
    assert e.compliant is False
    e = section("II", ammonia_n="0.6", mercury="<0.001")  # ammonia III fails II; Hg ≤ V
    assert e.water_class is None
    assert e.compliant is False
    assert e.deciding_parameters == ("ammonia_n",)  # only certainties decide a failure


def test_an_undetermined_item_class_leaves_the_sample_without_class() -> None:
    e = source(ammonia_n="0.3", mercury="<0.002")
    assert e.water_class is None
    assert e.compliant is None
    assert e.notes == ("class_undetermined",)
    assert e.deciding_parameters == ("mercury",)


def test_a_certain_failure_still_fails_when_the_class_is_undetermined() -> None:
    e = source(ammonia_n="1.6", mercury="<0.002")
    assert e.water_class is None
    assert e.compliant is False
    assert e.deciding_parameters == ("ammonia_n",)


def test_a_section_held_to_class_iv_passes_a_dl_within_the_class_iv_limit() -> None:
    e = section("IV", mercury="<0.0005")
    # Within the target whatever its true class; the class itself is not certain.
    assert (e.water_class, e.compliant) == (None, True)
    assert item(e, "mercury").item_class == "IV"


@pytest.mark.parametrize(
    ("cell", "item_class", "passed"),
    [
        ("<1", "worse than V", False),  # below 1 certainly fails even class V (≥2)
        ("<2", "worse than V", False),  # strictly below the class V minimum
        ("<3", None, False),  # certainly below class III, class IV/V undecidable
        ("ND", "worse than V", False),  # no oxygen at all
    ],
)
def test_dissolved_oxygen_below_detection_fails_the_minimum(
    cell: str, item_class: str | None, passed: bool
) -> None:
    it = item(source(dissolved_oxygen=cell), "dissolved_oxygen")
    assert (it.item_class, it.passed) == (item_class, passed)


# --- GB/T 14848-2017 groundwater --------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        ("ammonia_n", "0.02", "I"),
        ("ammonia_n", "0.021", "II"),
        ("ammonia_n", "0.10", "II"),
        ("ammonia_n", "0.5", "III"),
        ("ammonia_n", "1.5", "IV"),
        ("ammonia_n", "1.51", "V"),
        ("ammonia_n", "100", "V"),
        ("manganese", "0.05", "I"),  # I = II
        ("manganese", "0.1", "III"),
        ("total_hardness", "450", "III"),
        ("total_hardness", "651", "V"),
        ("turbidity", "3", "I"),  # I = II = III
        ("turbidity", "10", "IV"),
        ("total_coliform", "3.0", "I"),
        ("total_coliform", "3.1", "IV"),
        ("nitrate_n", "20.0", "III"),
        ("sodium", "400", "IV"),
        ("ph", "6.5", "I"),
        ("ph", "7.0", "I"),
        ("ph", "8.5", "I"),
        ("ph", "6.49", "IV"),
        ("ph", "5.5", "IV"),
        ("ph", "5.49", "V"),
        ("ph", "8.51", "IV"),
        ("ph", "9.0", "IV"),
        ("ph", "9.01", "V"),
        ("ph", "3", "V"),
    ],
)
def test_groundwater_item_class_boundaries(code: str, value: str, expected: str) -> None:
    e = source("groundwater", **{code: value})
    assert item(e, code).item_class == expected
    assert e.water_class == expected
    assert e.standard == "GB/T 14848-2017"


@pytest.mark.parametrize(("value", "compliant"), [("0.5", True), ("0.51", False)])
def test_groundwater_source_complies_at_class_iii(value: str, compliant: bool) -> None:
    e = source("groundwater", ammonia_n=value, nitrate_n="3")
    assert e.compliant is compliant
    assert e.held_to_class == "III"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ND", "I"),
        ("0", "I"),
        ("<0.05", "I"),  # not detected by a method that can show class II
        ("0.05L", "I"),
        ("<0.1", "I"),
        ("<0.2", "III"),  # cannot even show class II's 0.1: no credit for class I
        ("0.05", "II"),  # detected
        ("0.3", "III"),
    ],
)
def test_groundwater_las_class_i_means_not_detected(cell: str, expected: str) -> None:
    assert item(source("groundwater", las=cell), "las").item_class == expected


def test_groundwater_never_reports_worse_than_v() -> None:
    e = source("groundwater", ammonia_n="500")
    assert e.water_class == "V"
    assert e.compliant is False
    assert item(e, "ammonia_n").exceedance_multiple == D("999")


def test_surface_only_parameters_have_no_groundwater_limit() -> None:
    e = source("groundwater", ammonia_n="0.1", cod="100", fecal_coliform="1")
    assert item(e, "cod").notes == ("no_limit",)
    assert item(e, "fecal_coliform").notes == ("no_limit",)
    assert e.water_class == "II" and e.compliant is True


def test_supplement_items_are_graded_not_single_limits_for_groundwater() -> None:
    e = source("groundwater", sulfate="260")
    assert item(e, "sulfate").item_class == "IV"
    assert item(e, "sulfate").notes == ()


# --- GB 5749-2022: single limits -------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "passed", "multiple"),
    [
        ("arsenic", "0.01", True, None),
        ("arsenic", "0.011", False, D("0.1")),
        ("nitrate_n", "10", True, None),
        ("nitrate_n", "15", False, D("0.5")),
        ("turbidity", "1", True, None),
        ("turbidity", "1.5", False, D("0.5")),
        ("total_plate_count", "100", True, None),
        ("total_plate_count", "101", False, D("0.01")),
        ("codmn", "3", True, None),
        ("ammonia_n", "0.5", True, None),
        ("ammonia_n", "0.6", False, D("0.2")),
        ("color", "15", True, None),
        ("chlorite", "0.7", True, None),
        ("bromate", "0.02", False, D("1")),
        ("tds", "1000", True, None),
        ("total_hardness", "450.1", False, D("0.0002222222222222222222222222222")),
    ],
)
def test_drinking_water_indicators_pass_at_their_limit(
    code: str, value: str, passed: bool, multiple: Decimal | None
) -> None:
    e = drinking(**{code: value})
    it = item(e, code)
    assert (it.passed, it.exceedance_multiple, it.item_class) == (passed, multiple, None)
    assert e.compliant is passed
    assert e.water_class is None
    assert e.standard == "GB 5749-2022"
    assert e.deciding_parameters == (() if passed else (code,))


@pytest.mark.parametrize(
    ("value", "passed"),
    [("6.5", True), ("7.0", True), ("8.5", True), ("6.49", False), ("8.51", False)],
)
def test_drinking_water_ph_range(value: str, passed: bool) -> None:
    it = item(drinking(ph=value), "ph")
    assert it.passed is passed
    assert str(it.limit) == "6.5–8.5"
    assert it.exceedance_multiple is None


@pytest.mark.parametrize("code", ["total_coliform", "e_coli"])
@pytest.mark.parametrize(
    ("cell", "passed"),
    [
        ("未检出", True),
        ("ND", True),
        ("0", True),
        ("<1", True),
        ("ND(1)", True),
        ("1", False),
        ("2.2", False),
        ("23", False),
    ],
)
def test_coliforms_must_not_be_detected(code: str, cell: str, passed: bool) -> None:
    it = item(drinking(**{code: cell}), code)
    assert it.passed is passed
    assert it.comparison == "not_detected"
    assert it.exceedance_multiple is None


@pytest.mark.parametrize(
    ("cell", "passed", "notes"),
    [
        ("<0.01", True, ()),
        ("<0.005", True, ()),
        ("ND", True, ()),
        ("<0.05", None, ("detection_limit_above_limit",)),
    ],
)
def test_drinking_water_detection_limits(
    cell: str, passed: bool | None, notes: tuple[str, ...]
) -> None:
    e = drinking(arsenic=cell)
    assert (item(e, "arsenic").passed, item(e, "arsenic").notes) == (passed, notes)
    assert e.compliant is passed


def test_parameters_without_a_drinking_water_limit_never_decide() -> None:
    e = drinking(cod="50", arsenic="0.001")
    assert item(e, "cod").notes == ("no_limit",)
    assert item(e, "cod").passed is None
    assert e.compliant is True
    assert e.deciding_parameters == ()


def test_a_drinking_sample_with_nothing_regulated_has_no_verdict() -> None:
    e = drinking(cod="5")
    assert e.compliant is None
    assert "nothing_evaluated" in e.notes


# --- trihalomethanes ratio sum ------------------------------------------------------------------


THMS = ("trichloromethane", "dibromochloromethane", "bromodichloromethane", "tribromomethane")


@pytest.mark.parametrize(
    ("values", "passed", "value", "qualifier", "upper", "notes"),
    [
        # 0.03/0.06 + 0.05/0.1 = 1: exactly at the limit passes
        (("0.03", "0", "0", "0.05"), True, D("1"), None, None, ()),
        # 0.04/0.06 + 0.02/0.06 = 2/3 + 1/3 = 1 exactly (no float rounding)
        (("0.04", "0", "0.02", "0"), True, D("1"), None, None, ()),
        (("0.03", "0.02", "0.006", "ND"), True, D("0.8"), None, None, ()),
        # 0.03/0.06 + 0.06/0.1 = 1.1
        (("0.03", "0", "0", "0.06"), False, D("1.1"), None, None, ()),
        # DLs counted in full: 0.5 + 0.2 + 0.1/… ≤ 1 → pass
        (("0.03", "<0.02", "<0.006", "ND"), True, None, "<", D("0.8"), ()),
        # DLs counted as 0 already exceed 1 → fail
        (("0.072", "<0.01", "<0.01", "<0.01"), False, None, "<", None, ()),
        # 0.9 with DLs possibly adding 0.5: cannot tell
        (
            ("0.054", "<0.05", "ND", "ND"),
            None,
            None,
            "<",
            D("1.4"),
            ("detection_limit_above_limit",),
        ),
    ],
)
def test_trihalomethane_ratio_sum(
    values: tuple[str, ...],
    passed: bool | None,
    value: Decimal | None,
    qualifier: str | None,
    upper: Decimal | None,
    notes: tuple[str, ...],
) -> None:
    e = drinking(**dict(zip(THMS, values, strict=True)))
    thm = item(e, "trihalomethanes_total")
    assert thm.passed is passed
    assert thm.value == value
    assert thm.qualifier == qualifier
    if upper is not None:
        assert thm.detection_limit == upper
    assert thm.notes == notes
    assert thm.limit is not None and str(thm.limit) == "≤1"
    assert thm.unit == "ratio"
    assert e.compliant is (passed if all(item(e, c).passed for c in THMS) else False)


def test_trihalomethane_ratio_sum_exceedance_multiple() -> None:
    e = drinking(
        trichloromethane="0.03",
        tribromomethane="0.06",
        dibromochloromethane="0",
        bromodichloromethane="0",
    )
    thm = item(e, "trihalomethanes_total")
    assert thm.exceedance_multiple == D("0.1")
    assert e.deciding_parameters == ("trihalomethanes_total",)


def test_each_trihalomethane_passing_alone_does_not_pass_the_sum() -> None:
    e = drinking(
        trichloromethane="0.05",
        bromodichloromethane="0.05",
        dibromochloromethane="0",
        tribromomethane="0",
    )
    assert all(item(e, c).passed for c in ("trichloromethane", "bromodichloromethane"))
    assert item(e, "trihalomethanes_total").passed is False
    assert e.compliant is False


@pytest.mark.parametrize(
    ("values", "passed"),
    [
        ({"trichloromethane": "0.03"}, None),  # others unknown: could exceed
        ({"trichloromethane": "0.07"}, False),  # already above 1 on its own
        ({"trichloromethane": "0.03", "tribromomethane": "0.03"}, None),
    ],
)
def test_an_incomplete_trihalomethane_set_cannot_pass(
    values: dict[str, str], passed: bool | None
) -> None:
    thm = item(drinking(**values), "trihalomethanes_total")
    assert thm.passed is passed
    assert thm.value is None
    assert thm.notes == ("trihalomethanes_incomplete",)


def test_the_ratio_sum_is_only_computed_when_a_trihalomethane_is_measured() -> None:
    e = drinking(arsenic="0.001")
    assert [i.parameter for i in e.items] == ["arsenic"]


# --- disinfectants ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "code", "value", "passed"),
    [
        ("plant", "free_chlorine", "0.3", True),
        ("plant", "free_chlorine", "0.29", False),
        ("plant", "free_chlorine", "2", True),
        ("plant", "free_chlorine", "2.1", False),
        ("tap", "free_chlorine", "0.05", True),
        ("tap", "free_chlorine", "0.04", False),
        ("tap", "free_chlorine", "2", True),
        ("tap", "free_chlorine", "2.1", False),
        ("plant", "total_chlorine", "0.5", True),
        ("plant", "total_chlorine", "0.49", False),
        ("plant", "total_chlorine", "3", True),
        ("plant", "total_chlorine", "3.1", False),
        ("tap", "total_chlorine", "0.05", True),
        ("tap", "total_chlorine", "0.04", False),
        ("plant", "ozone", "0.01", True),  # no outlet residual requirement
        ("plant", "ozone", "0.3", True),
        ("plant", "ozone", "0.31", False),
        ("tap", "ozone", "0.02", True),
        ("tap", "ozone", "0.019", False),
        ("tap", "ozone", "0.31", False),
        ("plant", "chlorine_dioxide", "0.1", True),
        ("plant", "chlorine_dioxide", "0.09", False),
        ("plant", "chlorine_dioxide", "0.8", True),
        ("plant", "chlorine_dioxide", "0.81", False),
        ("tap", "chlorine_dioxide", "0.02", True),
        ("tap", "chlorine_dioxide", "0.01", False),
    ],
)
def test_disinfectant_maximum_and_stage_residual(
    stage: Stage, code: str, value: str, passed: bool
) -> None:
    e = drinking(stage, (code,), **{code: value})
    it = item(e, code)
    assert it.passed is passed
    assert e.compliant is passed


@pytest.mark.parametrize(
    ("stage", "code", "shown"),
    [
        ("plant", "free_chlorine", "0.3–2"),
        ("tap", "free_chlorine", "0.05–2"),
        ("plant", "ozone", "≤0.3"),
        ("tap", "ozone", "0.02–0.3"),
        ("plant", "chlorine_dioxide", "0.1–0.8"),
    ],
)
def test_disinfectant_is_held_to_residual_and_maximum(stage: Stage, code: str, shown: str) -> None:
    it = item(drinking(stage, (code,), **{code: "0.2"}), code)
    assert str(it.limit) == shown


def test_disinfectant_above_maximum_has_an_exceedance_but_low_residual_not() -> None:
    high = item(drinking("plant", ("free_chlorine",), free_chlorine="2.5"), "free_chlorine")
    assert high.exceedance_multiple == D("0.25")
    low = item(drinking("plant", ("free_chlorine",), free_chlorine="0.1"), "free_chlorine")
    assert (low.exceedance_multiple, low.notes) == (None, ("residual_below_minimum",))


def test_a_residual_below_the_detection_limit_fails_the_minimum() -> None:
    it = item(drinking("tap", ("free_chlorine",), free_chlorine="<0.02"), "free_chlorine")
    assert it.passed is False


def test_a_residual_dl_above_the_minimum_is_inconclusive() -> None:
    it = item(drinking("plant", ("free_chlorine",), free_chlorine="<0.5"), "free_chlorine")
    assert it.passed is None
    assert it.notes == ("detection_limit_above_limit",)


MIXED = ("chlorine_dioxide", "free_chlorine")


@pytest.mark.parametrize(
    ("stage", "values", "expected", "notes"),
    [
        # chlorine dioxide below its outlet residual, chlorine meets its own: at least one
        (
            "plant",
            {"chlorine_dioxide": "0.05", "free_chlorine": "0.5"},
            {"chlorine_dioxide": True, "free_chlorine": True},
            {"chlorine_dioxide": ("residual_met_by_other_disinfectant",), "free_chlorine": ()},
        ),
        (
            "plant",
            {"chlorine_dioxide": "0.2", "free_chlorine": "0.1"},
            {"chlorine_dioxide": True, "free_chlorine": True},
            {"chlorine_dioxide": (), "free_chlorine": ("residual_met_by_other_disinfectant",)},
        ),
        # neither residual met
        (
            "plant",
            {"chlorine_dioxide": "0.05", "free_chlorine": "0.1"},
            {"chlorine_dioxide": False, "free_chlorine": False},
            {
                "chlorine_dioxide": ("residual_below_minimum",),
                "free_chlorine": ("residual_below_minimum",),
            },
        ),
        # both maxima must hold
        (
            "plant",
            {"chlorine_dioxide": "0.9", "free_chlorine": "0.5"},
            {"chlorine_dioxide": False, "free_chlorine": True},
            {"chlorine_dioxide": (), "free_chlorine": ()},
        ),
        (
            "tap",
            {"chlorine_dioxide": "0.03", "free_chlorine": "2.1"},
            {"chlorine_dioxide": True, "free_chlorine": False},
            {"chlorine_dioxide": (), "free_chlorine": ()},
        ),
        (
            "tap",
            {"chlorine_dioxide": "0.01", "free_chlorine": "0.06"},
            {"chlorine_dioxide": True, "free_chlorine": True},
            {"chlorine_dioxide": ("residual_met_by_other_disinfectant",), "free_chlorine": ()},
        ),
        # only one measured: enough if it meets its residual, open if it does not
        ("plant", {"free_chlorine": "0.5"}, {"free_chlorine": True}, {"free_chlorine": ()}),
        (
            "plant",
            {"free_chlorine": "0.1"},
            {"free_chlorine": None},
            {"free_chlorine": ("residual_partner_not_measured",)},
        ),
    ],
)
def test_mixed_chlorine_dioxide_and_chlorine(
    stage: Stage,
    values: dict[str, str],
    expected: dict[str, bool | None],
    notes: dict[str, tuple[str, ...]],
) -> None:
    e = drinking(stage, MIXED, **values)
    assert {c: item(e, c).passed for c in values} == expected
    assert {c: item(e, c).notes for c in values} == notes


def test_ozone_with_chlorine_at_the_outlet_needs_only_the_chlorine_residual() -> None:
    e = drinking("plant", ("ozone", "free_chlorine"), ozone="0.01", free_chlorine="0.3")
    assert (item(e, "ozone").passed, item(e, "free_chlorine").passed) == (True, True)
    e = drinking("plant", ("ozone", "free_chlorine"), ozone="0.01", free_chlorine="0.2")
    assert (item(e, "ozone").passed, item(e, "free_chlorine").passed) == (True, False)


def test_a_plant_declaring_no_method_is_judged_by_the_free_chlorine_it_measures() -> None:
    # Issue 13: a lab file without a disinfection column; free chlorine shows chlorine.
    e = drinking("plant", None, free_chlorine="0.2", arsenic="0.001")
    fc = item(e, "free_chlorine")
    assert fc.passed is False and "residual_below_minimum" in fc.notes
    assert fc.limit.low == D("0.3")
    assert e.compliant is False
    assert e.disinfection == ("free_chlorine",) and e.disinfection_inferred
    assert e.notes == ("disinfection_inferred",)
    assert e.deciding_parameters == ("free_chlorine",)


def test_compliant_tap_samples_with_free_chlorine_come_out_compliant() -> None:
    e = drinking("tap", None, free_chlorine="0.2", turbidity="0.4", total_chlorine="0.3")
    assert e.compliant is True
    assert item(e, "total_chlorine").counts_for_verdict is False  # chlorine reports both


@pytest.mark.parametrize(
    ("values", "method"),
    [
        ({"total_chlorine": "0.6"}, ("total_chlorine",)),  # only total chlorine: chloramine
        ({"chlorine_dioxide": "0.2"}, ("chlorine_dioxide",)),
        ({"ozone": "0.05"}, ("ozone",)),
        ({"ozone": "ND", "free_chlorine": "0.4"}, ("free_chlorine",)),  # the detected one
    ],
)
def test_the_measured_residual_names_the_method(values: dict[str, str], method: tuple) -> None:
    e = drinking("tap", None, **values)
    assert e.disinfection == method and e.compliant is True


@pytest.mark.parametrize(("value", "passed"), [("0.01", None), ("2.5", False)])
def test_contradicting_residuals_leave_the_method_unknown_but_apply_maxima(
    value: str, passed: bool | None
) -> None:
    e = drinking("plant", None, free_chlorine=value, chlorine_dioxide="0.5", arsenic="0.001")
    it = item(e, "free_chlorine")
    assert it.passed is passed
    assert it.notes == ("disinfection_unknown",)
    assert str(it.limit) == "≤2"
    assert e.compliant is passed
    assert e.notes == ("disinfection_contradictory",)
    assert e.disinfection is None and not e.disinfection_inferred


def test_unknown_disinfection_is_noted_even_without_a_disinfectant_measured() -> None:
    e = drinking("tap", None, arsenic="0.001")
    assert e.compliant is True
    assert e.notes == ("disinfection_unknown",)


def test_a_disinfectant_the_site_does_not_use_is_reported_only() -> None:
    e = drinking("tap", ("free_chlorine",), free_chlorine="0.5", total_chlorine="3.5")
    tc = item(e, "total_chlorine")
    assert (tc.passed, tc.counts_for_verdict, tc.notes) == (
        None,
        False,
        ("disinfectant_not_in_use",),
    )
    assert e.compliant is True


def test_disinfectants_come_after_table_1_items() -> None:
    e = drinking("tap", ("free_chlorine",), free_chlorine="0.5", arsenic="0.001", cod="3")
    assert [i.parameter for i in e.items] == ["arsenic", "free_chlorine", "cod"]


@pytest.mark.parametrize("method", [(), ("bleach",), ("free_chlorine", "free_chlorine")])
def test_an_invalid_disinfection_method_is_refused(method: tuple[str, ...]) -> None:
    with pytest.raises(InvalidInput) as caught:
        drinking("tap", method, free_chlorine="0.5")
    assert caught.value.code == "invalid_disinfection"


# --- small supplies (GB 5749 note b) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "normal", "small"),
    [
        ("total_plate_count", "500", False, True),
        ("total_plate_count", "501", False, False),
        ("fluoride", "1.2", False, True),
        ("fluoride", "1.21", False, False),
        ("nitrate_n", "20", False, True),
        ("nitrate_n", "20.5", False, False),
        ("turbidity", "3", False, True),
        ("turbidity", "3.1", False, False),
        ("arsenic", "0.011", False, False),  # not relaxed
    ],
)
def test_small_supplies_use_the_relaxed_limits_of_note_b(
    code: str, value: str, normal: bool, small: bool
) -> None:
    assert item(drinking(**{code: value}), code).passed is normal
    e = drinking("tap", ("free_chlorine",), True, **{code: value})
    assert item(e, code).passed is small
    assert "small_supply" in e.notes


def test_a_relaxed_limit_is_the_limit_shown_and_noted() -> None:
    it = item(drinking("tap", ("free_chlorine",), True, turbidity="2.5"), "turbidity")
    assert str(it.limit) == "≤3"
    assert it.notes == ("small_supply_limit",)
    failed = item(drinking("tap", ("free_chlorine",), True, turbidity="4.5"), "turbidity")
    assert failed.exceedance_multiple == D("0.5")


# --- radioactivity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "passed", "notes"),
    [
        ("gross_alpha", "0.5", True, ()),
        ("gross_alpha", "0.6", None, ("guidance_exceeded_nuclide_analysis_needed",)),
        ("gross_beta", "1", True, ()),
        ("gross_beta", "1.2", None, ("guidance_exceeded_nuclide_analysis_needed",)),
        ("gross_alpha", "<0.02", True, ()),
        ("gross_alpha", "<0.6", None, ("detection_limit_above_limit",)),
    ],
)
def test_gross_radioactivity_is_a_screening_value(
    code: str, value: str, passed: bool | None, notes: tuple[str, ...]
) -> None:
    e = drinking(arsenic="0.001", **{code: value})
    it = item(e, code)
    assert (it.passed, it.notes, it.exceedance_multiple) == (passed, notes, None)
    assert e.compliant is passed
    assert e.deciding_parameters == (() if passed else (code,))


# --- text indicators ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "text", "passed"),
    [
        ("odor", "无", True),
        ("odor", "无异臭、异味", True),
        ("odor", "无异臭异味", True),
        ("odor", "无异味", True),
        ("odor", "无 异臭，异味。", True),
        ("odor", "None", True),
        ("odor", "no abnormal odour or taste", True),
        ("odor", "No abnormal odor or taste.", True),
        ("odor", "未检出", True),
        ("visible_matter", "未见", True),
        ("visible_matter", "N.D.", True),
        ("visible_matter", "无", True),
        ("visible_matter", "无肉眼可见物", True),
        ("visible_matter", "none visible", True),
        ("odor", "有异味", False),
        ("odor", "有土霉味", False),
        ("odor", "异臭", False),
        ("odor", "abnormal odour", False),
        ("visible_matter", "可见少量悬浮物", False),
        ("visible_matter", "visible particles", False),
        ("visible_matter", "present", False),
        ("odor", "微弱氯味", None),
        ("odor", "slight chlorine odour", None),
        ("odor", "无，但有氯味", None),
        ("odor", "正常", None),
        ("visible_matter", "少量", None),
    ],
)
def test_text_indicators(code: str, text: str, passed: bool | None) -> None:
    e = drinking(**{code: text})
    it = item(e, code)
    assert (it.passed, it.text, it.qualifier, it.comparison) == (passed, text, "text", "text")
    assert it.notes == (() if passed is not None else ("text_not_recognised",))
    assert e.compliant is passed


# --- the verdict combines the items ---------------------------------------------------------


def test_a_certain_failure_outweighs_an_inconclusive_item() -> None:
    e = drinking(arsenic="<0.05", lead="0.02")
    assert e.compliant is False
    assert e.deciding_parameters == ("lead",)


def test_an_inconclusive_item_prevents_a_pass() -> None:
    e = drinking(arsenic="<0.05", lead="0.001")
    assert e.compliant is None
    assert e.deciding_parameters == ("arsenic",)


def test_deciding_parameters_follow_table_order_not_input_order() -> None:
    values = {"turbidity": "2", "lead": "0.02", "total_coliform": "5"}
    forward = drinking(**values)
    backward = drinking(**dict(reversed(values.items())))
    assert forward.deciding_parameters == ("total_coliform", "lead", "turbidity")
    assert backward == forward


def test_evaluation_is_deterministic_and_frozen() -> None:
    first = source(ammonia_n="0.3", mercury="<0.0005", sulfate="100")
    assert source(ammonia_n="0.3", mercury="<0.0005", sulfate="100") == first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.compliant = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.items[0].passed = True  # type: ignore[misc]


def test_converted_microgram_values_evaluate_in_milligrams() -> None:
    lead = convert_unit(parse_value("<5", "lead"), "μg/L", "lead")
    e = evaluate_sample("tap", {"lead": lead}, disinfection=("free_chlorine",))
    assert item(e, "lead").passed is True
    lead = convert_unit(parse_value("12", "lead"), "μg/L", "lead")
    e = evaluate_sample("tap", {"lead": lead}, disinfection=("free_chlorine",))
    assert item(e, "lead").exceedance_multiple == D("0.2")


def test_fecal_coliforms_per_100_ml_are_graded_per_litre() -> None:
    fc = convert_unit(parse_value("1100", "fecal_coliform"), "MPN/100mL", "fecal_coliform")
    e = evaluate_sample("source", {"fecal_coliform": fc}, water_body="river")
    assert item(e, "fecal_coliform").item_class == "IV"  # 11000 MPN/L


# --- inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "code"),
    [
        (("outlet", {}), {}, "invalid_stage"),
        (("source", {}), {}, "missing_water_body"),
        (("source", {}), {"water_body": "sea"}, "invalid_water_body"),
        (
            ("section", {}),
            {"water_body": "groundwater", "target_class": "III"},
            "invalid_water_body",
        ),
        (("section", {}), {"water_body": "river"}, "missing_target_class"),
        (("section", {}), {"water_body": "river", "target_class": "3"}, "invalid_target_class"),
        (
            ("section", {}),
            {"water_body": "river", "target_class": "worse than V"},
            "invalid_target_class",
        ),
    ],
)
def test_inputs_that_describe_no_sample_are_refused(
    args: tuple[Any, ...], kwargs: dict[str, Any], code: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        evaluate_sample(*args, **kwargs)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("code", "measurement"),
    [
        ("ammonia_n", Measurement(None, "text", None, "无")),
        ("odor", Measurement(Decimal(1))),
        ("lead", "0.01"),
    ],
)
def test_a_measurement_of_the_wrong_kind_is_refused(code: str, measurement: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        evaluate_sample("tap", {code: measurement}, disinfection=None)
    assert caught.value.code == "measurement_type_mismatch"


@pytest.mark.parametrize("code", ["ammonia", "trihalomethanes_total"])
def test_unknown_or_derived_parameter_codes_are_refused(code: str) -> None:
    with pytest.raises(UnknownParameter):
        evaluate_sample("tap", {code: Measurement(Decimal(1))})


def test_arguments_for_other_stages_are_ignored() -> None:
    plain = drinking(arsenic="0.001")
    e = evaluate_sample(
        "tap",
        cells(arsenic="0.001"),
        water_body="river",
        target_class="I",
        disinfection=("free_chlorine",),
    )
    assert e == plain
    assert source(ammonia_n="0.8").held_to_class == "III"


def test_parameter_limits_helper_is_the_standards_listing() -> None:
    assert parameter_limits() == list_parameter_limits()
