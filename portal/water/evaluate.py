"""The drinking-water evaluation engine: one sample against its standard, with reasons.

``evaluate_sample`` is the single entry point.  It takes plain data (the monitoring stage,
the water body, the site's disinfection method and parsed measurements) and returns an
:class:`Evaluation`: the water class (GB 3838-2002 for surface water, GB/T 14848-2017 for
groundwater), the compliance verdict, the parameters that decided it and one
:class:`ItemResult` per measured parameter.

Everything published from here is an official figure, so every check is three-valued:
True (certainly met), False (certainly not met) or None (cannot be decided from what the
lab reported, e.g. a detection limit above the limit).  Uncertainty never rounds towards
"pass": a verdict is True only when every deciding check is certainly met.

The rules are those of ``content/standards/NOTES.md``; every limit comes from the CSV
files through :mod:`portal.water.standards`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Context, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final

from portal.water.disinfection import Outcome
from portal.water.disinfection import infer as infer_disinfection
from portal.water.limit_tables import list_parameter_limits, load_standards
from portal.water.standards import (
    GB5749,
    THM_COMPONENTS,
    ClassedRow,
    ClassedStandard,
    Comparison,
    Disinfectant,
    Limit,
    LimitRow,
    ParameterLimits,
    Standards,
    WaterClass,
)
from portal.water.values import Measurement, Qualifier, WaterDataError, lookup_parameter

__all__ = [
    "Evaluation",
    "InvalidInput",
    "ItemResult",
    "Stage",
    "WaterBody",
    "evaluate_sample",
    "parameter_limits",
]


class Stage(StrEnum):
    """Where in the supply chain a site is monitored, in supply order."""

    SOURCE = "source"  # a drinking-water source (GB 3838 or GB/T 14848)
    PLANT = "plant"  # a treatment plant outlet (GB 5749)
    TAP = "tap"  # tap water (GB 5749)
    SECTION = "section"  # a river monitoring section (GB 3838, its target class)


class WaterBody(StrEnum):
    """The water body of a source or section."""

    RIVER = "river"
    LAKE = "lake"
    RESERVOIR = "reservoir"
    GROUNDWATER = "groundwater"  # sources only


# Membership of a stored string (``in`` on the enum class itself refuses plain strings).
_STAGES: Final = frozenset(Stage)
_WATER_BODIES: Final = frozenset(WaterBody)

# Item note codes (machine identifiers; the caller translates them).
NO_LIMIT: Final = "no_limit"
NOT_USED_FOR_CLASS: Final = "not_used_for_class"
SUPPLEMENT_ITEM: Final = "drinking_source_supplement"
DL_ABOVE_LIMIT: Final = "detection_limit_above_limit"
DL_ABOVE_CLASS_LIMIT: Final = "detection_limit_above_class_limit"
CLASS_UNDETERMINED: Final = "class_undetermined"
GUIDANCE_EXCEEDED: Final = "guidance_exceeded_nuclide_analysis_needed"
DISINFECTION_UNKNOWN: Final = "disinfection_unknown"
DISINFECTION_INFERRED: Final = "disinfection_inferred"
DISINFECTION_CONTRADICTORY: Final = "disinfection_contradictory"
DISINFECTANT_NOT_IN_USE: Final = "disinfectant_not_in_use"
RESIDUAL_BELOW_MINIMUM: Final = "residual_below_minimum"
RESIDUAL_MET_BY_OTHER: Final = "residual_met_by_other_disinfectant"
RESIDUAL_PARTNER_NOT_MEASURED: Final = "residual_partner_not_measured"
SMALL_SUPPLY_LIMIT: Final = "small_supply_limit"
THM_INCOMPLETE: Final = "trihalomethanes_incomplete"
TEXT_NOT_RECOGNISED: Final = "text_not_recognised"
# Evaluation-level note codes.
NOTHING_EVALUATED: Final = "nothing_evaluated"
CLASS_UNCERTAIN: Final = "class_uncertain_detection_limit"
SMALL_SUPPLY: Final = "small_supply"

# Surface-water items reported beside the class but not used for it (national
# surface-water evaluation method, 2011; NOTES.md).
_NOT_USED_FOR_CLASS: Final = frozenset({"water_temperature", "total_nitrogen", "fecal_coliform"})
# A source is held to class III: GB 3838 and GB/T 14848 both define class III as the
# worst class fit for centralized drinking-water supply.
_SOURCE_CLASS: Final = WaterClass.III
_BODY_COLUMN: Final = {
    WaterBody.RIVER: "river",
    WaterBody.LAKE: "lake_reservoir",
    WaterBody.RESERVOIR: "lake_reservoir",
}

# Comparisons whose value is a maximum (exceedance multiples are computed for these).
_MAXIMA: Final = (Comparison.MAX, Comparison.RATIO_SUM)
# Display arithmetic only (exceedance multiples, ratio sums); verdicts use exact values.
_CTX: Final = Context(prec=28, rounding=ROUND_HALF_EVEN)


class InvalidInput(WaterDataError):
    """The evaluation inputs do not describe a sample.

    Codes: ``invalid_stage``, ``missing_water_body``, ``invalid_water_body``,
    ``missing_target_class``, ``invalid_target_class``, ``invalid_disinfection``,
    ``measurement_type_mismatch``; plus ``unknown_parameter``/``derived_parameter``.
    """


@dataclass(frozen=True)
class ItemResult:
    """One measured (or derived) parameter and how it was judged."""

    parameter: str
    value: Decimal | None
    qualifier: Qualifier | None
    detection_limit: Decimal | None
    text: str  # the lab's own wording ("<0.005", "无异臭、异味"); "" when derived
    unit: str  # the parameter's canonical unit
    limit: Limit | None  # the limit the item is held to; None when the standard has none
    comparison: Comparison | None
    passed: bool | None  # against ``limit``; None = cannot be decided / not applicable
    item_class: WaterClass | None  # classed standards only
    exceedance_multiple: Decimal | None  # (value − limit) / limit, failures of a maximum
    notes: tuple[str, ...]
    used_for_class: bool
    counts_for_verdict: bool  # False: reported for information only


@dataclass(frozen=True)
class Evaluation:
    """The result for one sample."""

    stage: Stage
    standard: str  # "GB 3838-2002" | "GB/T 14848-2017" | "GB 5749-2022"
    water_class: WaterClass | None  # None for plant/tap or undecided
    held_to_class: WaterClass | None  # III for sources, the target for sections
    compliant: bool | None  # None = inconclusive
    deciding_parameters: tuple[str, ...]
    items: tuple[ItemResult, ...]
    notes: tuple[str, ...]
    # Plant/tap: the disinfection method the residuals were judged for (None = unknown)
    # and whether the measurements, not the site, named it.
    disinfection: tuple[str, ...] | None = None
    disinfection_inferred: bool = False


# --- three-valued checks -------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    """What a measurement says about the true value: it lies in [low, high]."""

    low: Decimal
    high: Decimal
    high_exclusive: bool  # "<DL": strictly below the detection limit
    exact: bool  # a measured number, not a non-detect


def _span(m: Measurement) -> _Span:
    if m.value is not None:
        return _Span(m.value, m.value, False, True)
    if m.detection_limit is not None:
        return _Span(Decimal(0), m.detection_limit, True, False)
    # ND without a detection limit: the lab's accredited method for this parameter is
    # required to reach below the limits it is used to test, so "not detected" is taken as
    # meeting every maximum (it is treated as zero).  Labs that know their DL should give
    # it ("ND(0.005)" or "<0.005"), which is then checked against each limit.
    return _Span(Decimal(0), Decimal(0), False, False)


def _check(span: _Span, limit: Limit, next_limit: Limit | None = None) -> bool | None:
    """Whether the value certainly meets ``limit`` (True), certainly fails it (False)."""
    c = limit.comparison
    if c in _MAXIMA and limit.value is not None:
        if span.high <= limit.value:  # "<DL" with DL at or below the limit meets it
            return True
        return False if span.low > limit.value else None
    if c == Comparison.MIN and limit.value is not None:
        if span.low >= limit.value:
            return True
        below = span.high < limit.value or (span.high_exclusive and span.high <= limit.value)
        return False if below else None
    if c == Comparison.RANGE and limit.low is not None and limit.high is not None:
        if limit.low <= span.low and span.high <= limit.high:
            return True
        below = span.high < limit.low or (span.high_exclusive and span.high <= limit.low)
        return False if below or span.low > limit.high else None
    if c == Comparison.NOT_DETECTED:
        if span.exact:
            return span.low == 0
        if next_limit is None or span.high == 0:
            return True
        # "Must not be detected" as class I of a graded table: a non-detect meets it only if
        # the method could at least show the next class's numeric limit is met; otherwise
        # a crude method would reach class I where it cannot even prove class II.
        return True if _check(span, next_limit) is True else None
    raise ValueError(f"cannot check {limit!r}")  # text limits are judged elsewhere


def _all(*checks: bool | None) -> bool | None:
    if any(c is False for c in checks):
        return False
    return None if any(c is None for c in checks) else True


def _any(*checks: bool | None) -> bool | None:
    if any(c is True for c in checks):
        return True
    return False if checks and all(c is False for c in checks) else None


def _exceedance(m: Measurement, limit: Limit, passed: bool | None) -> Decimal | None:
    if passed is not False or m.value is None or limit.comparison not in _MAXIMA:
        return None
    if limit.value is None or limit.value == 0:
        return None
    return _CTX.divide(_CTX.subtract(m.value, limit.value), limit.value)


# --- classed standards (GB 3838 Table 1, GB/T 14848) ----------------------------------


def _classify(span: _Span, row: ClassedRow, std: ClassedStandard) -> tuple[WaterClass | None, bool]:
    """The best class the value certainly meets, and whether a better one was undecidable.

    Limits widen from class I on (checked at load), so the first class met is the best and
    equal limits go to the better class.  Failing every class is the class beyond the
    last; if some class could not be decided and none is certainly met, there is no class.
    """
    results = [
        _check(span, limit, row.limits[i + 1] if i + 1 < len(row.limits) else None)
        for i, limit in enumerate(row.limits)
    ]
    for i, result in enumerate(results):
        if result is True:
            return std.classes[i], any(r is None for r in results[:i])
    if all(r is False for r in results):
        return std.beyond, False
    return None, True


def _classed_item(
    m: Measurement,
    row: ClassedRow,
    std: ClassedStandard,
    held: WaterClass,
    unit: str,
    *,
    used: bool,
) -> ItemResult:
    span = _span(m)
    item_class, bounded = _classify(span, row, std)
    i = std.classes.index(held)
    limit = row.limits[i]
    passed = _check(span, limit, row.limits[i + 1] if i + 1 < len(row.limits) else None)
    notes = []
    if not used:
        notes.append(NOT_USED_FOR_CLASS)
    if passed is None:
        notes.append(DL_ABOVE_LIMIT)
    if item_class is None:
        notes.append(CLASS_UNDETERMINED)
    elif bounded:
        notes.append(DL_ABOVE_CLASS_LIMIT)
    return ItemResult(
        parameter=row.parameter,
        value=m.value,
        qualifier=m.qualifier,
        detection_limit=m.detection_limit,
        text=m.text,
        unit=unit,
        limit=limit,
        comparison=row.comparison,
        passed=passed,
        item_class=item_class,
        exceedance_multiple=_exceedance(m, limit, passed),
        notes=tuple(notes),
        used_for_class=used,
        counts_for_verdict=used,
    )


def _single_limit_item(
    m: Measurement, row: LimitRow, limit: Limit, unit: str, notes: tuple[str, ...] = ()
) -> ItemResult:
    passed = _check(_span(m), limit)
    if passed is None:
        notes = (*notes, DL_ABOVE_LIMIT)
    return ItemResult(
        parameter=row.parameter,
        value=m.value,
        qualifier=m.qualifier,
        detection_limit=m.detection_limit,
        text=m.text,
        unit=unit,
        limit=limit,
        comparison=limit.comparison,
        passed=passed,
        item_class=None,
        exceedance_multiple=_exceedance(m, limit, passed),
        notes=notes,
        used_for_class=False,
        counts_for_verdict=True,
    )


def _unlimited_item(code: str, m: Measurement, unit: str) -> ItemResult:
    return ItemResult(
        parameter=code,
        value=m.value,
        qualifier=m.qualifier,
        detection_limit=m.detection_limit,
        text=m.text,
        unit=unit,
        limit=None,
        comparison=None,
        passed=None,
        item_class=None,
        exceedance_multiple=None,
        notes=(NO_LIMIT,),
        used_for_class=False,
        counts_for_verdict=False,
    )


def _evaluate_classed(
    stage: Stage,
    water_body: WaterBody,
    held: WaterClass,
    centralized: bool,
    measurements: Mapping[str, Measurement],
    std: Standards,
) -> Evaluation:
    surface = water_body != WaterBody.GROUNDWATER
    table = std.surface if surface else std.groundwater
    columns = ("all", _BODY_COLUMN[water_body]) if surface else ("all",)
    items: list[ItemResult] = []
    for row in table.rows:
        if row.applies_to in columns and row.parameter in measurements:
            used = not (surface and row.parameter in _NOT_USED_FOR_CLASS)
            items.append(
                _classed_item(
                    measurements[row.parameter],
                    row,
                    table,
                    held,
                    std.parameters[row.parameter].unit,
                    used=used,
                )
            )
    if surface and stage == Stage.SOURCE and centralized:
        # Table 2 items must also be met by centralized drinking-water sources; they have a
        # single limit and do not change the class.
        for srow in std.surface_supplement:
            if srow.parameter in measurements:
                items.append(
                    _single_limit_item(
                        measurements[srow.parameter],
                        srow,
                        srow.limit,
                        std.parameters[srow.parameter].unit,
                        (SUPPLEMENT_ITEM,),
                    )
                )
    items += _remaining(items, measurements, std)

    water_class, open_items = _sample_class(items, table.all_classes)
    compliant = _verdict(items)
    undetermined = any(it.used_for_class and it.item_class is None for it in items)
    if water_class is None and compliant is True and (undetermined or not open_items):
        compliant = None  # defensive: without a class, only a bounded one may still pass
    notes: tuple[str, ...] = ()
    if not any(it.counts_for_verdict for it in items):
        notes = (NOTHING_EVALUATED,)
    elif water_class is None:
        notes = (CLASS_UNDETERMINED,) if undetermined or not open_items else (CLASS_UNCERTAIN,)
    return Evaluation(
        stage=stage,
        standard=table.name,
        water_class=water_class,
        held_to_class=held,
        compliant=compliant,
        deciding_parameters=_deciding(items, water_class, compliant, open_items),
        items=tuple(items),
        notes=notes,
    )


# --- GB 5749-2022 (plant outlet and tap) ----------------------------------------------

# Normalised wordings that report nothing abnormal (odour/taste, visible matter).
_TEXT_NOTHING: Final = frozenset(
    {
        "无",
        "无异臭异味",
        "无异臭和异味",
        "无异臭或异味",
        "无异味",
        "无异臭",
        "无臭无味",
        "无异常",
        "无异常臭味",
        "无可见物",
        "无肉眼可见物",
        "未见",
        "未见异常",
        "未见肉眼可见物",
        "未检出",
        "未发现",
        "nd",
        "none",
        "nil",
        "notdetected",
        "noabnormalodourortaste",
        "noabnormalodorortaste",
        "noabnormalodour",
        "noabnormalodor",
        "noabnormaltaste",
        "noodourortaste",
        "noodorortaste",
        "nonevisible",
        "nothingvisible",
        "novisiblematter",
    }
)
# Wordings that clearly report something: 有… (there is), 异… (abnormal), 可见… (visible).
_TEXT_SOMETHING: Final = ("有", "异", "可见", "abnormal", "visible", "present", "detected")
_TEXT_DROP: Final = frozenset(" 、,，。.;；:：!！\"'“”‘’")


def _text_verdict(text: str) -> bool | None:
    key = "".join(
        ch
        for ch in unicodedata.normalize("NFKC", text).casefold()
        if ch not in _TEXT_DROP and not ch.isspace()
    )
    if key in _TEXT_NOTHING:
        return True
    if key.startswith(_TEXT_SOMETHING):
        return False
    return None  # e.g. "slight chlorine odour": a person has to read it


def _text_item(m: Measurement, row: LimitRow, unit: str) -> ItemResult:
    passed = _text_verdict(m.text)
    return ItemResult(
        parameter=row.parameter,
        value=None,
        qualifier=m.qualifier,
        detection_limit=None,
        text=m.text,
        unit=unit,
        limit=row.limit,
        comparison=Comparison.TEXT,
        passed=passed,
        item_class=None,
        exceedance_multiple=None,
        notes=(TEXT_NOT_RECOGNISED,) if passed is None else (),
        used_for_class=False,
        counts_for_verdict=True,
    )


def _to_decimal(f: Fraction) -> Decimal:
    return _CTX.divide(Decimal(f.numerator), Decimal(f.denominator))


def _thm_item(
    row: LimitRow, measurements: Mapping[str, Measurement], std: Standards, unit: str
) -> ItemResult:
    """Σ concentration/limit over the four trihalomethanes, in exact fractions.

    Bounds: a non-detect with a DL contributes 0 to the lower bound and DL/limit to the
    upper one; an unmeasured trihalomethane leaves the upper bound open.  Pass when the
    upper bound is within the limit, fail when even the lower bound exceeds it.
    """
    lower = upper = Fraction(0)
    complete, any_dl = True, False
    for code in THM_COMPONENTS:
        component = std.drinking_row(code)
        m = measurements.get(code)
        if m is None or component is None or component.limit.value is None:
            complete = False
            continue
        limit = Fraction(component.limit.value)
        if m.value is not None:
            lower += Fraction(m.value) / limit
            upper += Fraction(m.value) / limit
        elif m.detection_limit is not None:
            upper += Fraction(m.detection_limit) / limit
            any_dl = True
    bound = Fraction(row.limit.value) if row.limit.value is not None else Fraction(0)
    passed: bool | None
    if lower > bound:
        passed = False
    elif complete and upper <= bound:
        passed = True
    else:
        passed = None
    notes = []
    if not complete:
        notes.append(THM_INCOMPLETE)
    elif passed is None:
        notes.append(DL_ABOVE_LIMIT)
    value = _to_decimal(lower) if complete and not any_dl else None
    exceedance = None
    if passed is False and value is not None:
        exceedance = _to_decimal((lower - bound) / bound)
    return ItemResult(
        parameter=row.parameter,
        value=value,
        # With non-detects the sum is only known to be at most the upper bound.
        qualifier=Qualifier.BELOW if complete and any_dl else None,
        detection_limit=_to_decimal(upper) if complete and any_dl else None,
        text="",
        unit=unit,
        limit=row.limit,
        comparison=Comparison.RATIO_SUM,
        passed=passed,
        item_class=None,
        exceedance_multiple=exceedance,
        notes=tuple(notes),
        used_for_class=False,
        counts_for_verdict=True,
    )


def _minimum(d: Disinfectant, stage: Stage) -> Decimal | None:
    return d.plant_outlet_min_residual if stage == Stage.PLANT else d.tap_min_residual


def _disinfectant_items(
    stage: Stage,
    disinfection: tuple[str, ...] | None,
    measurements: Mapping[str, Measurement],
    std: Standards,
) -> list[ItemResult]:
    """GB 5749-2022 clause 4.2 and Table 2.

    The maximum holds at outlet and tap; the residual minimum of the stage applies to the
    disinfectant(s) in use.  With several disinfectants (chlorine dioxide + chlorine) each
    maximum must be met and at least one residual: that requirement is shared, so every
    in-use item carries the shared residual result.
    """
    own_residual: dict[str, bool | None] = {}
    required: list[str] = []
    for code in disinfection or ():
        minimum = _minimum(std.disinfectants[code], stage)
        if minimum is None:
            continue  # ozone at the plant outlet: no residual requirement
        required.append(code)
        m = measurements.get(code)
        own_residual[code] = (
            None if m is None else _check(_span(m), Limit(Comparison.MIN, value=minimum))
        )
    shared = _any(*(own_residual[c] for c in required))

    items = []
    for code, d in std.disinfectants.items():
        m = measurements.get(code)
        if m is None:
            continue
        unit = std.parameters[code].unit
        maximum = Limit(Comparison.MAX, value=d.max_limit)
        max_ok = _check(_span(m), maximum)
        notes: list[str] = []
        limit = maximum
        counts = True
        if disinfection is None:
            # Which residual applies depends on the method: undecidable, but a measured
            # disinfectant above its maximum is a failure whatever the method.
            passed = _all(max_ok, None)
            notes.append(DISINFECTION_UNKNOWN)
        elif code not in disinfection:
            passed, counts = None, False
            notes.append(DISINFECTANT_NOT_IN_USE)
        elif code in required:
            minimum = _minimum(d, stage)
            limit = Limit(Comparison.RANGE, low=minimum, high=d.max_limit)
            passed = _all(max_ok, shared)
            if shared is False:
                notes.append(RESIDUAL_BELOW_MINIMUM)
            elif shared is True and own_residual[code] is not True:
                notes.append(RESIDUAL_MET_BY_OTHER)
            elif shared is None and any(c not in measurements for c in required):
                notes.append(RESIDUAL_PARTNER_NOT_MEASURED)
            elif shared is None:
                notes.append(DL_ABOVE_LIMIT)
        else:
            passed = max_ok
        if max_ok is None and DL_ABOVE_LIMIT not in notes:
            notes.append(DL_ABOVE_LIMIT)
        items.append(
            ItemResult(
                parameter=code,
                value=m.value,
                qualifier=m.qualifier,
                detection_limit=m.detection_limit,
                text=m.text,
                unit=unit,
                limit=limit,
                comparison=limit.comparison,
                passed=passed,
                item_class=None,
                exceedance_multiple=_exceedance(m, maximum, max_ok),
                notes=tuple(notes),
                used_for_class=False,
                counts_for_verdict=counts,
            )
        )
    return items


def _evaluate_drinking(
    stage: Stage,
    disinfection: tuple[str, ...] | None,
    small_supply: bool,
    measurements: Mapping[str, Measurement],
    std: Standards,
) -> Evaluation:
    outcome = Outcome.DECLARED
    if disinfection is None:
        disinfection, outcome = infer_disinfection(measurements)
    items: list[ItemResult] = []
    for row in std.drinking:
        unit = std.parameters[row.parameter].unit
        if row.limit.comparison == Comparison.RATIO_SUM:
            if any(c in measurements for c in THM_COMPONENTS):
                items.append(_thm_item(row, measurements, std, unit))
            continue
        m = measurements.get(row.parameter)
        if m is None:
            continue
        if row.limit.comparison == Comparison.TEXT:
            items.append(_text_item(m, row, unit))
            continue
        relaxed = std.drinking_small_supply.get(row.parameter) if small_supply else None
        limit = relaxed.limit if relaxed else row.limit
        item = _single_limit_item(m, row, limit, unit, (SMALL_SUPPLY_LIMIT,) if relaxed else ())
        if row.group == "radioactive" and item.passed is False:
            # Gross α/β are screening values: above them, nuclide analysis decides.
            item = replace(
                item, passed=None, exceedance_multiple=None, notes=(*item.notes, GUIDANCE_EXCEEDED)
            )
        items.append(item)
    items += _disinfectant_items(stage, disinfection, measurements, std)
    items += _remaining(items, measurements, std)

    compliant = _verdict(items)
    notes: list[str] = []
    if outcome == Outcome.INFERRED:
        notes.append(DISINFECTION_INFERRED)
    elif outcome == Outcome.CONTRADICTORY:
        notes.append(DISINFECTION_CONTRADICTORY)
    elif disinfection is None:
        notes.append(DISINFECTION_UNKNOWN)
    if small_supply:
        notes.append(SMALL_SUPPLY)
    if not any(it.counts_for_verdict for it in items):
        notes.append(NOTHING_EVALUATED)
    return Evaluation(
        stage=stage,
        standard=GB5749,
        water_class=None,
        held_to_class=None,
        compliant=compliant,
        deciding_parameters=_deciding(items, None, compliant),
        items=tuple(items),
        notes=tuple(notes),
        disinfection=disinfection,
        disinfection_inferred=outcome == Outcome.INFERRED,
    )


# --- shared ----------------------------------------------------------------------------


def _remaining(
    items: list[ItemResult], measurements: Mapping[str, Measurement], std: Standards
) -> list[ItemResult]:
    """Measured parameters the standard sets no limit for, in parameters.csv order."""
    done = {it.parameter for it in items}
    return [
        _unlimited_item(code, measurements[code], p.unit)
        for code, p in std.parameters.items()
        if code in measurements and code not in done
    ]


def _verdict(items: list[ItemResult]) -> bool | None:
    counting = [it.passed for it in items if it.counts_for_verdict]
    return _all(*counting) if counting else None


def _sample_class(
    items: list[ItemResult], order: tuple[WaterClass, ...]
) -> tuple[WaterClass | None, frozenset[str]]:
    """The sample's class when it is certain, else None; and the items that left it open.

    A non-detect whose detection limit lies above a class limit has as ``item_class`` only
    the best class it is certain to meet: its true class may be better.  The worst item
    class is then the sample's class only when some certain item is at least that bad;
    otherwise a coarse detection limit would decide the published class.
    """
    used = [it for it in items if it.used_for_class]
    if not used or any(it.item_class is None for it in used):
        return None, frozenset()
    bounded = [it for it in used if DL_ABOVE_CLASS_LIMIT in it.notes]
    certain = [it for it in used if DL_ABOVE_CLASS_LIMIT not in it.notes]
    worst_certain = max((order.index(it.item_class) for it in certain if it.item_class), default=-1)
    open_items = frozenset(
        it.parameter
        for it in bounded
        if it.item_class and order.index(it.item_class) > worst_certain
    )
    if open_items:
        return None, open_items
    return order[worst_certain], frozenset()


def _deciding(
    items: list[ItemResult],
    water_class: WaterClass | None,
    compliant: bool | None,
    open_items: frozenset[str] = frozenset(),
) -> tuple[str, ...]:
    """Items at the sample's class, every failure, and (when the verdict or the class is
    open and nothing failed) the items that left it open; in item (table) order."""
    return tuple(
        it.parameter
        for it in items
        if it.counts_for_verdict
        and (
            it.passed is False
            or (
                water_class is not None
                and it.used_for_class
                and it.item_class == water_class
                and DL_ABOVE_CLASS_LIMIT not in it.notes  # a bound decides nothing
            )
            or (compliant is None and it.passed is None)
            or (compliant is True and it.parameter in open_items)
        )
    )


def _validated(
    measurements: Mapping[str, Measurement], std: Standards
) -> Mapping[str, Measurement]:
    for code, m in measurements.items():
        p = lookup_parameter(code, std)
        if not isinstance(m, Measurement) or (m.qualifier == Qualifier.TEXT) != (p.unit == "text"):
            raise InvalidInput("measurement_type_mismatch", parameter=code)
    return measurements


def evaluate_sample(
    stage: Stage | str,
    measurements: Mapping[str, Measurement],
    *,
    water_body: WaterBody | str | None = None,
    centralized: bool = True,
    target_class: str | None = None,
    disinfection: tuple[str, ...] | None = None,
    small_supply: bool = False,
    standards: Standards | None = None,
) -> Evaluation:
    """Evaluate one sample; the single entry point of the engine.

    - ``stage="source"``: ``water_body`` river/lake/reservoir (GB 3838, plus the Table 2
      items when ``centralized``) or groundwater (GB/T 14848); held to class III.
    - ``stage="section"``: a surface ``water_body`` held to ``target_class`` ("I".."V").
    - ``stage="plant"`` / ``"tap"``: GB 5749-2022; ``disinfection`` is the site's
      disinfectant codes (None = not declared: the method the measured residuals show is
      used, see :mod:`portal.water.disinfection`), ``small_supply`` applies note b.

    ``stage`` and ``water_body`` may be given as their stored strings.  ``measurements``
    maps parameter codes to measurements in canonical units (see
    :func:`portal.water.values.convert_unit`).  Arguments that do not apply to the stage
    are ignored.  Raises :class:`InvalidInput` for inputs that describe no sample.
    """
    std = standards or load_standards()
    if stage not in _STAGES:
        raise InvalidInput("invalid_stage", detail=repr(stage))
    stage = Stage(stage)
    _validated(measurements, std)
    if stage in (Stage.PLANT, Stage.TAP):
        if disinfection is not None and (
            not disinfection
            or len(set(disinfection)) != len(disinfection)
            or any(code not in std.disinfectants for code in disinfection)
        ):
            # An empty method is not "unknown": pass None when the method is not known.
            raise InvalidInput("invalid_disinfection", detail=repr(disinfection))
        return _evaluate_drinking(stage, disinfection, small_supply, measurements, std)

    if water_body is None:
        raise InvalidInput("missing_water_body")
    if water_body not in _WATER_BODIES or (
        stage == Stage.SECTION and water_body == WaterBody.GROUNDWATER
    ):
        raise InvalidInput("invalid_water_body", detail=repr(water_body))
    water_body = WaterBody(water_body)
    if stage == Stage.SECTION:
        if target_class is None:
            raise InvalidInput("missing_target_class")
        if target_class not in std.surface.classes:
            raise InvalidInput("invalid_target_class", detail=repr(target_class))
        held = WaterClass(target_class)
    else:
        held = _SOURCE_CLASS
    return _evaluate_classed(stage, water_body, held, centralized, measurements, std)


def parameter_limits(standards: Standards | None = None) -> tuple[ParameterLimits, ...]:
    """Every parameter with its limits per standard and class (public parameters API)."""
    return list_parameter_limits(standards)
