"""Laboratory value cells and units: from what a lab report says to exact decimals.

``parse_value`` reads one result cell ("0.012", "＜0.005", "0.005L", "ND", "未检出(<0.5)",
"1.2×10⁻³", "无异臭、异味") into a :class:`Measurement`; ``convert_unit`` brings a
measurement into the parameter's canonical unit (parameters.csv), scaling the detection
limit with the value.  Everything is :class:`~decimal.Decimal`: binary floats would turn
limits such as 0.3 into 0.29999… and flip a comparison exactly at a limit.

Errors are refusals (:class:`portal.core.problems.Refusal`): a machine ``code`` and the
parameter/unit concerned; their words are in :mod:`portal.water.messages`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Context, Decimal, Inexact, InvalidOperation
from enum import StrEnum
from typing import Final, overload

from portal.core.problems import Refusal
from portal.water.limit_tables import load_standards
from portal.water.standards import Parameter, Standards

__all__ = [
    "InvalidValue",
    "Measurement",
    "Qualifier",
    "UnknownParameter",
    "UnknownUnit",
    "WaterDataError",
    "convert_unit",
    "lookup_parameter",
    "normalize_unit",
    "parse_value",
]


class Qualifier(StrEnum):
    """What a result that is not a plain measured number says (stored as its value)."""

    BELOW = "<"  # below the detection limit
    ND = "ND"  # reported "not detected"
    TEXT = "text"  # a descriptive result (odour, visible matter)


class WaterDataError(Refusal):
    """Base of the data refusals; ``code`` is a stable machine identifier (untranslated)."""

    def __init__(
        self, code: str, *, parameter: str | None = None, detail: str | None = None
    ) -> None:
        super().__init__(code)
        self.parameter = parameter
        self.detail = detail  # the offending input, for logs; never shown untranslated


class InvalidValue(WaterDataError):
    """A result cell that is not a usable value.

    Codes: ``empty``, ``too_long``, ``not_measured`` ("-", "/", "未检测" …),
    ``not_a_number``, ``greater_than_not_supported`` (">2400"), ``negative``,
    ``out_of_range`` (implausible pH or exponent), ``invalid_detection_limit`` ("<0"),
    ``qualifier_not_allowed`` ("<"/ND for pH or temperature), ``too_precise``,
    ``float_not_accepted`` (a binary float instead of the cell text),
    ``inconsistent_measurement`` (a hand-built Measurement that makes no sense).
    """


class UnknownUnit(WaterDataError):
    """Codes: ``unknown_unit`` (not a unit of this parameter's quantity), ``missing_unit``."""

    def __init__(self, code: str, *, parameter: str | None = None, unit: str | None = None):
        super().__init__(code, parameter=parameter, detail=unit)
        self.unit = unit


class UnknownParameter(WaterDataError):
    """Codes: ``unknown_parameter``, ``derived_parameter`` (computed, never measured)."""


@dataclass(frozen=True)
class Measurement:
    """One laboratory result in the parameter's unit.

    - ``qualifier=None``: a measured ``value``.
    - ``Qualifier.BELOW``: below the ``detection_limit`` (``value`` is None).
    - ``Qualifier.ND``: reported "not detected"; ``detection_limit`` when the lab gave one,
      which then makes it equivalent to ``BELOW``.
    - ``Qualifier.TEXT``: a descriptive result (odour, visible matter) in ``text``.

    ``text`` is always the cell as the lab wrote it (trimmed), for display.
    """

    value: Decimal | None
    qualifier: Qualifier | None = None
    detection_limit: Decimal | None = None
    text: str = ""

    def __post_init__(self) -> None:
        ok = {
            None: self.value is not None and self.detection_limit is None,
            Qualifier.BELOW: self.value is None and self.detection_limit is not None,
            Qualifier.ND: self.value is None,
            Qualifier.TEXT: (
                self.value is None and self.detection_limit is None and bool(self.text)
            ),
        }.get(self.qualifier, False)
        if (
            not ok
            or any(d is not None and not d.is_finite() for d in (self.value, self.detection_limit))
            or (self.detection_limit is not None and self.detection_limit <= 0)
        ):
            raise InvalidValue("inconsistent_measurement", detail=repr(self))

    @property
    def below_detection(self) -> bool:
        """Not detected (with or without a detection limit)."""
        return self.qualifier in (Qualifier.BELOW, Qualifier.ND)


# --- parsing -------------------------------------------------------------------------

_MAX_CELL: Final = 200
# Cells that mean "no result" in Chinese and English lab tables.  Note 未检测 (not tested)
# is here while 未检出 (not detected) is a result: one character apart, opposite meanings.
_NOT_MEASURED: Final = frozenset(
    {"-", "--", "—", "——", "–", "/", "未测", "未检测", "未监测", "n/a", "na", "not measured"}
)
# A decimal with an optional exponent: 1.2e-3, 1.2E-3, 1.2×10^-3, 1.2×10-3 (NFKC of ×10⁻³).
_NUM: Final = (
    r"(?P<m>\d+(?:\.\d*)?|\.\d+)"
    r"(?:[eE](?P<e>[+-]?\d+)|\s*[×xX*]\s*10\s*\^?\s*(?P<p>[+-]?\d+))?"
)
_PLAIN: Final = re.compile(rf"(?P<neg>-)?{_NUM}")
_LESS: Final = re.compile(rf"<\s*{_NUM}")
# HJ 630 convention in Chinese monitoring reports: detection limit followed by "L".
_L_SUFFIX: Final = re.compile(rf"{_NUM}\s*L")
_ND_WORDS: Final = r"(?:nd|n\.\s?d\.?|未检出|not\s+detected)"
_ND: Final = re.compile(
    rf"{_ND_WORDS}(?:\s*\(\s*(?:<|dl\s*[=:]?|检出限\s*[:=]?)?\s*{_NUM}\s*L?\s*\))?", re.IGNORECASE
)
# NFKC turns a superscript minus (10⁻³) into U+2212, which people also type for negatives.
_MINUS: Final = str.maketrans({"\u2212": "-"})
# Beyond this a decimal exponent is a typo, not a concentration.
_MAX_EXPONENT: Final = 30
# Chemistry, not a standard limit: pH outside 0–14 in natural or drinking water is a
# transcription error ("75" for 7.5) that would otherwise publish as "worse than V".
_PH_PLAUSIBLE: Final = (Decimal(0), Decimal(14))
# Quantities that always have a measured value: "<DL" or ND is meaningless for them.
_NO_DETECTION_LIMIT: Final = frozenset({"ph", "water_temperature"})
_MAY_BE_NEGATIVE: Final = frozenset({"water_temperature"})


def lookup_parameter(parameter: str, standards: Standards | None = None) -> Parameter:
    """The parameters.csv row of a measurable parameter, or :class:`UnknownParameter`."""
    std = standards or load_standards()
    p = std.parameters.get(parameter)
    if p is None:
        raise UnknownParameter("unknown_parameter", parameter=parameter)
    if p.derived:
        raise UnknownParameter("derived_parameter", parameter=parameter)
    return p


def _number(match: re.Match[str], parameter: str) -> Decimal:
    exponent = match["e"] or match["p"] or "0"
    if abs(int(exponent)) > _MAX_EXPONENT:
        raise InvalidValue("out_of_range", parameter=parameter, detail=match[0])
    if exponent == "0":
        return Decimal(match["m"])
    value = Decimal(f"{match['m']}e{exponent}")
    # 5×10^2 should read 500, not 5E+2, wherever it is displayed.
    exp = value.as_tuple().exponent
    return value.quantize(Decimal(1), context=_EXACT) if isinstance(exp, int) and exp > 0 else value


def parse_value(
    text: str | int | Decimal, parameter: str, *, standards: Standards | None = None
) -> Measurement:
    """Parse one lab result cell for ``parameter`` (a parameters.csv code).

    Accepts plain numbers (full-width digits, surrounding spaces, ``1.2e-3``,
    ``1.2×10^-3``), ``<0.005`` / ``＜0.005`` / ``0.005L`` (below detection limit),
    ``ND`` / ``N.D.`` / ``未检出`` / ``not detected`` optionally with ``(<0.005)``, and for
    ``text`` parameters any non-empty description.  Raises :class:`InvalidValue`.
    """
    p = lookup_parameter(parameter, standards)
    if isinstance(text, float):
        # A binary float has already lost the lab's digits; read the cell as text instead.
        raise InvalidValue("float_not_accepted", parameter=parameter, detail=repr(text))
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise InvalidValue("not_a_number", parameter=parameter, detail=repr(text))
    original = str(text).strip()
    if not original:
        raise InvalidValue("empty", parameter=parameter)
    if len(original) > _MAX_CELL:
        raise InvalidValue("too_long", parameter=parameter)
    # NFKC folds full-width digits, ＜, （）, ideographic spaces and superscript exponents.
    cell = " ".join(unicodedata.normalize("NFKC", original).translate(_MINUS).split())
    if cell.casefold() in _NOT_MEASURED:
        raise InvalidValue("not_measured", parameter=parameter, detail=original)
    if p.unit == "text":
        return Measurement(None, Qualifier.TEXT, None, original)

    if match := _ND.fullmatch(cell):
        dl = _detection_limit(match, parameter, original) if match["m"] else None
        return _checked(Measurement(None, Qualifier.ND, dl, original), p)
    if (match := _LESS.fullmatch(cell)) or (match := _L_SUFFIX.fullmatch(cell)):
        dl = _detection_limit(match, parameter, original)
        return _checked(Measurement(None, Qualifier.BELOW, dl, original), p)
    if cell.startswith((">", "≥")):
        raise InvalidValue("greater_than_not_supported", parameter=parameter, detail=original)
    if match := _PLAIN.fullmatch(cell):
        value = _number(match, parameter)
        if match["neg"] and value != 0:
            if parameter not in _MAY_BE_NEGATIVE:
                raise InvalidValue("negative", parameter=parameter, detail=original)
            value = -value
        return _checked(Measurement(value, None, None, original), p)
    raise InvalidValue("not_a_number", parameter=parameter, detail=original)


def _detection_limit(match: re.Match[str], parameter: str, original: str) -> Decimal:
    dl = _number(match, parameter)
    if dl <= 0:
        raise InvalidValue("invalid_detection_limit", parameter=parameter, detail=original)
    return dl


def _checked(m: Measurement, p: Parameter) -> Measurement:
    if m.below_detection and p.code in _NO_DETECTION_LIMIT:
        raise InvalidValue("qualifier_not_allowed", parameter=p.code, detail=m.text)
    if (
        p.code == "ph"
        and m.value is not None
        and not (_PH_PLAUSIBLE[0] <= m.value <= _PH_PLAUSIBLE[1])
    ):
        raise InvalidValue("out_of_range", parameter=p.code, detail=m.text)
    return m


# --- units ---------------------------------------------------------------------------

# Each quantity: accepted spelling → factor to a common base of that quantity.  Spellings
# are compared after NFKC (µ U+00B5 → μ U+03BC, ℃ → °C, ㎎ → mg) with spaces removed.
_COUNT_VOLUMES: Final = {"L": 1, "l": 1, "100mL": 10, "100ml": 10, "mL": 1000, "ml": 1000}
_QUANTITIES: Final[dict[str, dict[str, Decimal]]] = {
    "mass_concentration": {
        unit: Decimal(factor)
        for units, factor in (
            (("g/L", "g/l"), "1000"),
            (("mg/L", "mg/l"), "1"),
            (("μg/L", "μg/l", "ug/L", "ug/l"), "0.001"),
            (("ng/L", "ng/l"), "0.000001"),
        )
        for unit in units
    },
    # GB 5749 and GB/T 14848 give coliform and plate-count limits "MPN/… or CFU/…" and
    # GB 3838 gives fecal coliforms in 个/L: the counting methods are interchangeable for
    # the limits, only the volume matters (base: per litre).
    "count_per_volume": {
        f"{counter}/{volume}": Decimal(factor)
        for counter in ("MPN", "CFU", "cfu", "个")
        for volume, factor in _COUNT_VOLUMES.items()
    },
    "temperature": {"°C": Decimal(1), "degC": Decimal(1), "摄氏度": Decimal(1)},
    "dimensionless": {u: Decimal(1) for u in ("", "dimensionless", "无量纲", "-", "—")},
    # Colour: platinum-cobalt units; Chinese reports write 度 or 铂钴色度单位.
    "colour": {u: Decimal(1) for u in ("PCU", "度", "铂钴色度单位", "Pt-Co", "Hazen")},
    # Turbidity only in NTU: the old 度 (and FNU) are different scales.
    "turbidity": {"NTU": Decimal(1)},
    "activity": {
        "Bq/L": Decimal(1),
        "Bq/l": Decimal(1),
        "mBq/L": Decimal("0.001"),
        "mBq/l": Decimal("0.001"),
    },
    "text": {"": Decimal(1), "text": Decimal(1)},
}
# Exact arithmetic: conversions multiply by powers of ten, so any rounding means a value
# with an absurd number of digits; refuse it rather than publish a rounded figure.
_EXACT: Final = Context(prec=60, traps=[Inexact, InvalidOperation])


def normalize_unit(unit: str | None) -> str:
    """The comparison form of a unit spelling (NFKC, no whitespace)."""
    return "".join(unicodedata.normalize("NFKC", unit or "").split())


def _factor(unit: str | None, canonical: str, parameter: str) -> Decimal:
    """Factor taking ``unit`` to ``canonical`` for this parameter."""
    spelled = normalize_unit(unit)
    target = normalize_unit(canonical)
    for factors in _QUANTITIES.values():
        if target in factors:
            if spelled not in factors:
                code = "missing_unit" if not spelled else "unknown_unit"
                raise UnknownUnit(code, parameter=parameter, unit=unit)
            return _EXACT.divide(factors[spelled], factors[target])
    raise UnknownUnit("unknown_unit", parameter=parameter, unit=canonical)


@overload
def convert_unit(
    value: Decimal, from_unit: str | None, parameter: str, *, standards: Standards | None = None
) -> Decimal: ...
@overload
def convert_unit(
    value: Measurement,
    from_unit: str | None,
    parameter: str,
    *,
    standards: Standards | None = None,
) -> Measurement: ...
def convert_unit(
    value: Decimal | Measurement,
    from_unit: str | None,
    parameter: str,
    *,
    standards: Standards | None = None,
) -> Decimal | Measurement:
    """Express ``value`` (given in ``from_unit``) in the parameter's canonical unit.

    A :class:`Measurement` keeps its qualifier and text; its value and detection limit are
    both scaled.  Raises :class:`UnknownUnit` for a unit of another quantity (or a
    spelling not recognised) and :class:`InvalidValue` (``too_precise``) if the result
    could not be represented exactly.
    """
    p = lookup_parameter(parameter, standards)
    factor = _factor(from_unit, p.unit, parameter)
    if factor == 1:
        return value
    if isinstance(value, Measurement):
        if value.qualifier == Qualifier.TEXT:
            return value
        return replace(
            value,
            value=None if value.value is None else _scale(value.value, factor, parameter),
            detection_limit=None
            if value.detection_limit is None
            else _scale(value.detection_limit, factor, parameter),
        )
    return _scale(value, factor, parameter)


def _scale(d: Decimal, factor: Decimal, parameter: str) -> Decimal:
    try:
        return _EXACT.multiply(d, factor)
    except (Inexact, InvalidOperation) as exc:
        raise InvalidValue("too_precise", parameter=parameter, detail=str(d)) from exc
