"""The reference tables of the water-quality standards as data: the frozen dataclasses the
engine reads, their lookups, and the closed sets they use (comparisons, water classes).

The tables are transcriptions of GB 3838-2002 (surface water, Tables 1 and 2), GB/T
14848-2017 (groundwater), GB 5749-2022 (drinking water, Tables 1 and 2 and note b) and the
portal's own parameter list, kept as CSV files in ``content/standards``;
:mod:`portal.water.limit_tables` reads and checks them (``load_standards``).

No limit is written in this code: every number comes from the CSV files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Final

__all__ = [
    "CLASS_NAMES",
    "DERIVED",
    "GB3838",
    "GB5749",
    "GBT14848",
    "THM_COMPONENTS",
    "THM_TOTAL",
    "VALUED",
    "ClassedRow",
    "ClassedStandard",
    "Comparison",
    "Disinfectant",
    "Limit",
    "LimitEntry",
    "LimitRow",
    "Parameter",
    "ParameterLimits",
    "Standards",
    "StandardsError",
    "WaterClass",
]

GB3838: Final = "GB 3838-2002"
GBT14848: Final = "GB/T 14848-2017"
GB5749: Final = "GB 5749-2022"


class WaterClass(StrEnum):
    """The water classes of GB 3838 and GB/T 14848, best first."""

    I = "I"  # noqa: E741 (the roman numeral)
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"
    # GB 3838 has five classes; a value failing class V is 劣Ⅴ类.
    WORSE_THAN_V = "worse than V"


# The classes that have limits (GB 3838 all five, GB/T 14848 the first four).
CLASS_NAMES: Final = tuple(c for c in WaterClass if c is not WaterClass.WORSE_THAN_V)

# The derived GB 5749 indicator and the four measured trihalomethanes it sums over
# (GB 5749-2022 Table 1, note to 三卤甲烷).  These are parameter codes, not limits.
THM_TOTAL: Final = "trihalomethanes_total"
THM_COMPONENTS: Final = (
    "trichloromethane",
    "dibromochloromethane",
    "bromodichloromethane",
    "tribromomethane",
)
# Parameters computed from others, never measured (their rows in parameters.csv give the
# names and unit).
DERIVED: Final = frozenset({THM_TOTAL})


class Comparison(StrEnum):
    """How a limit is compared (the ``comparison`` column of the tables)."""

    MAX = "max"
    MIN = "min"
    RANGE = "range"
    NOT_DETECTED = "not_detected"  # the indicator must not be detected
    TEXT = "text"  # a descriptive requirement ("no abnormal odour or taste")
    RATIO_SUM = "ratio_sum"  # Σ concentration/limit (the trihalomethanes)


# Comparisons that take one number.
VALUED: Final = frozenset({Comparison.MAX, Comparison.MIN, Comparison.RATIO_SUM})


class StandardsError(ValueError):
    """A reference table is missing, malformed or inconsistent: a deployment error, found
    when the portal reads its own content/standards files, so it is not a `Refusal` (no
    user can act on it); the message names the file, the row and what is wrong."""


@dataclass(frozen=True)
class Limit:
    """One requirement: ``value`` for max/min/ratio_sum, ``low``..``high`` for a range.

    ``not_detected`` has no number (the indicator must not be detected); ``text`` is a
    descriptive requirement such as "no abnormal odour or taste".
    """

    comparison: Comparison
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None

    def __post_init__(self) -> None:
        needs_value = self.comparison in VALUED
        is_range = self.comparison == Comparison.RANGE
        if needs_value != (self.value is not None) or (
            is_range != (self.low is not None and self.high is not None)
        ):
            raise StandardsError(f"inconsistent limit {self!r}")
        if is_range and self.low is not None and self.high is not None and self.low > self.high:
            raise StandardsError(f"empty range {self!r}")

    def __str__(self) -> str:
        """Language-neutral display: ``≤1.0``, ``≥5``, ``6–9``, ``ND``; text → ``""``."""
        if self.comparison in (Comparison.MAX, Comparison.RATIO_SUM):
            return f"≤{self.value}"
        if self.comparison == Comparison.MIN:
            return f"≥{self.value}"
        if self.comparison == Comparison.RANGE:
            return f"{self.low}–{self.high}"
        if self.comparison == Comparison.NOT_DETECTED:
            return "ND"
        return ""


@dataclass(frozen=True)
class Parameter:
    """A row of parameters.csv: the portal's code, names and canonical unit."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    derived: bool = False


@dataclass(frozen=True)
class ClassedRow:
    """One row of a classed table; ``limits[i]`` is the limit of class ``classes[i]``."""

    parameter: str
    applies_to: str  # "all" | "river" | "lake_reservoir"
    comparison: Comparison  # max, min or range
    limits: tuple[Limit, ...]
    note: str


@dataclass(frozen=True)
class ClassedStandard:
    """A standard that grades water into classes (GB 3838 Table 1, GB/T 14848)."""

    name: str
    classes: tuple[WaterClass, ...]  # classes that have limits, best first
    beyond: WaterClass  # the class of a value failing the last one ("worse than V" or "V")
    rows: tuple[ClassedRow, ...]

    @property
    def all_classes(self) -> tuple[WaterClass, ...]:
        """Every class a value can get, best first."""
        return (*self.classes, self.beyond)

    def rows_for(self, parameter: str, applies_to: Iterable[str]) -> tuple[ClassedRow, ...]:
        wanted = set(applies_to)
        return tuple(r for r in self.rows if r.parameter == parameter and r.applies_to in wanted)


@dataclass(frozen=True)
class LimitRow:
    """One single-limit requirement (GB 5749 Table 1, note b, GB 3838 Table 2)."""

    parameter: str
    group: str  # GB 5749 group ("microbial", "toxicological", ...); "" elsewhere
    limit: Limit
    note: str


@dataclass(frozen=True)
class Disinfectant:
    """GB 5749-2022 Table 2: a disinfectant's maximum and minimum residuals (mg/L)."""

    parameter: str
    max_limit: Decimal
    plant_outlet_min_residual: Decimal | None  # None: no outlet requirement (ozone)
    tap_min_residual: Decimal | None
    note: str


@dataclass(frozen=True)
class Standards:
    """Every reference table, parsed and checked."""

    content_dir: Path
    parameters: Mapping[str, Parameter]  # parameters.csv order, plus derived indicators
    surface: ClassedStandard
    surface_supplement: tuple[LimitRow, ...]
    groundwater: ClassedStandard
    drinking: tuple[LimitRow, ...]
    drinking_small_supply: Mapping[str, LimitRow]
    disinfectants: Mapping[str, Disinfectant]

    def drinking_row(self, parameter: str) -> LimitRow | None:
        return next((r for r in self.drinking if r.parameter == parameter), None)


@dataclass(frozen=True)
class LimitEntry:
    """One published limit of a parameter, for the public parameter listing."""

    standard: str
    # "all" | "river" | "lake_reservoir" | "centralized_drinking_source" | "small_supply"
    # | "plant_outlet_and_tap" | "plant_outlet" | "tap"
    applies_to: str
    level: WaterClass | None  # the class for classed standards, else None
    limit: Limit
    note: str


@dataclass(frozen=True)
class ParameterLimits:
    """A parameter with every limit the standards set for it."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    derived: bool
    limits: tuple[LimitEntry, ...]
