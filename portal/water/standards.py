"""The reference tables of the water-quality standards, loaded from ``content/standards``.

The CSV files there are transcriptions of GB 3838-2002 (surface water, Tables 1 and 2),
GB/T 14848-2017 (groundwater), GB 5749-2022 (drinking water, Tables 1 and 2 and note b)
and the portal's own parameter list; ``NOTES.md`` beside them says where every figure
comes from.  This module turns them into frozen dataclasses once per content directory and
checks them on the way in (known parameters, known comparisons, exact decimals, limits that
never get stricter from one class to the next), so a transcription slip fails loudly at
start-up instead of producing a wrong published class.

No limit is written in this code: every number comes from the CSV files.
"""

from __future__ import annotations

import csv
import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "CLASS_NAMES",
    "DEFAULT_CONTENT_DIR",
    "GB3838",
    "GB5749",
    "GBT14848",
    "THM_COMPONENTS",
    "THM_TOTAL",
    "WORSE_THAN_V",
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
    "list_parameter_limits",
    "load_standards",
]

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_CONTENT_DIR: Final = REPO_ROOT / "content" / "standards"

GB3838: Final = "GB 3838-2002"
GBT14848: Final = "GB/T 14848-2017"
GB5749: Final = "GB 5749-2022"

CLASS_NAMES: Final = ("I", "II", "III", "IV", "V")
# GB 3838 has five classes; a value failing class V is 劣Ⅴ类.
WORSE_THAN_V: Final = "worse than V"

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
_DERIVED: Final = frozenset({THM_TOTAL})

Comparison = Literal["max", "min", "range", "not_detected", "text", "ratio_sum"]

# A plain non-negative decimal as written in the tables: no exponent, no sign, no NaN.
_NUMBER: Final = re.compile(r"\d+(?:\.\d+)?")
_RANGE: Final = re.compile(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)")


class StandardsError(ValueError):
    """A reference table is missing, malformed or inconsistent (a deployment error)."""


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
        needs_value = self.comparison in ("max", "min", "ratio_sum")
        is_range = self.comparison == "range"
        if needs_value != (self.value is not None) or (
            is_range != (self.low is not None and self.high is not None)
        ):
            raise StandardsError(f"inconsistent limit {self!r}")
        if is_range and self.low is not None and self.high is not None and self.low > self.high:
            raise StandardsError(f"empty range {self!r}")

    def __str__(self) -> str:
        """Language-neutral display: ``≤1.0``, ``≥5``, ``6–9``, ``ND``; text → ``""``."""
        if self.comparison in ("max", "ratio_sum"):
            return f"≤{self.value}"
        if self.comparison == "min":
            return f"≥{self.value}"
        if self.comparison == "range":
            return f"{self.low}–{self.high}"
        if self.comparison == "not_detected":
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
    comparison: Comparison  # "max" | "min" | "range"
    limits: tuple[Limit, ...]
    note: str


@dataclass(frozen=True)
class ClassedStandard:
    """A standard that grades water into classes (GB 3838 Table 1, GB/T 14848)."""

    name: str
    classes: tuple[str, ...]  # classes that have limits, best first
    beyond: str  # the class of a value failing the last one ("worse than V" or "V")
    rows: tuple[ClassedRow, ...]

    @property
    def all_classes(self) -> tuple[str, ...]:
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
    level: str | None  # the class ("I".."V") for classed standards, else None
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


# --- parsing helpers -----------------------------------------------------------------


def _decimal(text: str, where: str) -> Decimal:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise StandardsError(f"{where}: not a plain decimal: {text!r}")
    return Decimal(text)


def _comparison(text: str, allowed: tuple[Comparison, ...], where: str) -> Comparison:
    for comparison in allowed:
        if text == comparison:
            return comparison
    raise StandardsError(f"{where}: comparison {text!r} not one of {allowed}")


def _limit(comparison: Comparison, text: str, where: str) -> Limit:
    if comparison in ("max", "min", "ratio_sum"):
        value = _decimal(text, where)
        # GB/T 14848 writes "不得检出" (must not be detected) as class I of some items; the
        # table transcribes it as 0, which no measured value can meet except a non-detect.
        if comparison == "max" and value == 0:
            return Limit("not_detected")
        return Limit(comparison, value=value)
    if comparison == "range":
        match = _RANGE.fullmatch(text.strip())
        if not match:
            raise StandardsError(f"{where}: not a range: {text!r}")
        return Limit("range", low=Decimal(match[1]), high=Decimal(match[2]))
    if comparison in ("not_detected", "text"):
        if text.strip():
            raise StandardsError(f"{where}: {comparison} takes no limit, got {text!r}")
        return Limit(comparison)
    raise StandardsError(f"{where}: unknown comparison {comparison!r}")


def _read(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != columns:
                raise StandardsError(f"{path.name}: expected columns {columns}")
            raw_rows = list(reader)
    except OSError as exc:
        raise StandardsError(f"cannot read {path}: {exc}") from exc
    rows = []
    for i, raw in enumerate(raw_rows, start=2):
        # DictReader files surplus cells under None and fills missing ones with None.
        if None in raw or not (raw[columns[0]] or "").strip():
            raise StandardsError(f"{path.name}:{i}: malformed row")
        rows.append({k: (v or "").strip() for k, v in raw.items()})
    return rows


def _num(value: Decimal | None) -> Decimal:
    if value is None:  # guarded by Limit.__post_init__; here for the type checker
        raise StandardsError("limit without a number")
    return value


def _at_least_as_lenient(better: Limit, worse: Limit) -> bool:
    if better.comparison == "not_detected":
        return worse.comparison != "not_detected"
    if worse.comparison != better.comparison:
        return False
    if better.comparison == "max":
        return _num(worse.value) >= _num(better.value)
    if better.comparison == "min":
        return _num(worse.value) <= _num(better.value)
    return _num(worse.low) <= _num(better.low) and _num(worse.high) >= _num(better.high)


def _never_stricter(limits: tuple[Limit, ...], where: str) -> None:
    """Check that each class is at least as lenient as the better one before it.

    The class of a value is the first class it meets; that is only meaningful (and a
    non-detect's "best class it certainly meets" is only right) when the limits widen
    monotonically from class I onwards.
    """
    for better, worse in itertools.pairwise(limits):
        if not _at_least_as_lenient(better, worse):
            raise StandardsError(f"{where}: class limits get stricter ({better} then {worse})")
    if limits and limits[-1].comparison == "not_detected":
        raise StandardsError(f"{where}: the worst class cannot be 'not detected'")


def _classed(
    path: Path,
    name: str,
    classes: tuple[str, ...],
    beyond: str,
    with_applies_to: bool,
    parameters: Mapping[str, Parameter],
) -> ClassedStandard:
    head = (
        ("parameter", "applies_to", "comparison")
        if with_applies_to
        else ("parameter", "comparison")
    )
    columns = (*head, *(f"class_{c}" for c in classes), "note")
    rows: list[ClassedRow] = []
    seen: set[tuple[str, str]] = set()
    for i, raw in enumerate(_read(path, columns), start=2):
        where = f"{path.name}:{i}"
        code = raw["parameter"]
        applies_to = raw["applies_to"] if with_applies_to else "all"
        if code not in parameters:
            raise StandardsError(f"{where}: unknown parameter {code!r}")
        if applies_to not in ("all", "river", "lake_reservoir"):
            raise StandardsError(f"{where}: unknown applies_to {applies_to!r}")
        comparison = _comparison(raw["comparison"], ("max", "min", "range"), where)
        # One row per parameter and water body: "all" excludes the specific ones.
        keys = (
            {(code, "river"), (code, "lake_reservoir")}
            if applies_to == "all"
            else {(code, applies_to)}
        )
        if keys & seen:
            raise StandardsError(f"{where}: duplicate row for {code!r}")
        seen |= keys
        limits = tuple(_limit(comparison, raw[f"class_{c}"], where) for c in classes)
        _never_stricter(limits, where)
        rows.append(ClassedRow(code, applies_to, comparison, limits, raw["note"]))
    return ClassedStandard(name, classes, beyond, tuple(rows))


def _limit_rows(
    path: Path,
    parameters: Mapping[str, Parameter],
    *,
    grouped: bool,
    allowed: tuple[Comparison, ...],
) -> tuple[LimitRow, ...]:
    columns = (
        ("parameter", "group", "comparison", "limit", "note")
        if grouped
        else ("parameter", "comparison", "limit", "note")
    )
    out: list[LimitRow] = []
    for i, raw in enumerate(_read(path, columns), start=2):
        where = f"{path.name}:{i}"
        code = raw["parameter"]
        if code not in parameters:
            raise StandardsError(f"{where}: unknown parameter {code!r}")
        comparison = _comparison(raw["comparison"], allowed, where)
        if any(r.parameter == code for r in out):
            raise StandardsError(f"{where}: duplicate row for {code!r}")
        limit = _limit(comparison, raw["limit"], where)
        out.append(LimitRow(code, raw.get("group", ""), limit, raw["note"]))
    return tuple(out)


def _optional(text: str, where: str) -> Decimal | None:
    return _decimal(text, where) if text else None


@functools.cache
def _load(content_dir: Path) -> Standards:
    params: dict[str, Parameter] = {}
    for i, raw in enumerate(
        _read(content_dir / "parameters.csv", ("code", "name_zh", "name_en", "unit")), start=2
    ):
        if raw["code"] in params or not raw["unit"]:
            raise StandardsError(f"parameters.csv:{i}: duplicate code or missing unit")
        params[raw["code"]] = Parameter(raw["code"], raw["name_zh"], raw["name_en"], raw["unit"])
    for code in _DERIVED:
        if code not in params:
            raise StandardsError(f"parameters.csv: derived parameter {code!r} missing")
        p = params.pop(code)  # derived ones last, whatever their place in the file
        params[code] = Parameter(p.code, p.name_zh, p.name_en, p.unit, derived=True)
    parameters = MappingProxyType(params)

    surface = _classed(
        content_dir / "gb3838-2002.csv", GB3838, CLASS_NAMES, WORSE_THAN_V, True, parameters
    )
    groundwater = _classed(
        content_dir / "gbt14848-2017.csv",
        GBT14848,
        CLASS_NAMES[:4],
        CLASS_NAMES[4],
        False,
        parameters,
    )
    supplement = _limit_rows(
        content_dir / "gb3838-2002-drinking-source-supplement.csv",
        parameters,
        grouped=False,
        allowed=("max",),
    )
    drinking = _limit_rows(
        content_dir / "gb5749-2022.csv",
        parameters,
        grouped=True,
        allowed=("max", "range", "not_detected", "text", "ratio_sum"),
    )
    small = _limit_rows(
        content_dir / "gb5749-2022-small-supply.csv", parameters, grouped=False, allowed=("max",)
    )

    by_code = {r.parameter: r for r in drinking}
    for row in drinking:
        if row.limit.comparison == "ratio_sum" and row.parameter != THM_TOTAL:
            raise StandardsError(f"gb5749-2022.csv: no rule to derive {row.parameter!r}")
        if (row.limit.comparison == "ratio_sum") != params[row.parameter].derived:
            raise StandardsError(f"gb5749-2022.csv: {row.parameter!r} derived/measured mismatch")
    for code in THM_COMPONENTS:
        if code not in by_code or by_code[code].limit.comparison != "max":
            raise StandardsError(f"gb5749-2022.csv: trihalomethane {code!r} needs a max limit")
    for row in small:
        base = by_code.get(row.parameter)
        # Note b relaxes limits; a "relaxed" limit stricter than Table 1 is a typo.
        if (
            base is None
            or base.limit.comparison != "max"
            or (
                base.limit.value is not None
                and row.limit.value is not None
                and row.limit.value < base.limit.value
            )
        ):
            raise StandardsError(f"small-supply row {row.parameter!r} does not relax Table 1")

    disinfectants: dict[str, Disinfectant] = {}
    columns = ("parameter", "max_limit", "plant_outlet_min_residual", "tap_min_residual", "note")
    for i, raw in enumerate(_read(content_dir / "gb5749-2022-disinfectants.csv", columns), 2):
        where = f"gb5749-2022-disinfectants.csv:{i}"
        code = raw["parameter"]
        if code not in params or code in disinfectants or code in by_code:
            raise StandardsError(f"{where}: unknown or duplicate parameter {code!r}")
        d = Disinfectant(
            code,
            _decimal(raw["max_limit"], where),
            _optional(raw["plant_outlet_min_residual"], where),
            _optional(raw["tap_min_residual"], where),
            raw["note"],
        )
        for minimum in (d.plant_outlet_min_residual, d.tap_min_residual):
            if minimum is not None and minimum > d.max_limit:
                raise StandardsError(f"{where}: residual above the maximum")
        disinfectants[code] = d

    return Standards(
        content_dir=content_dir,
        parameters=parameters,
        surface=surface,
        surface_supplement=supplement,
        groundwater=groundwater,
        drinking=drinking,
        drinking_small_supply=MappingProxyType({r.parameter: r for r in small}),
        disinfectants=MappingProxyType(disinfectants),
    )


def load_standards(content_dir: Path | str | None = None) -> Standards:
    """Parse (once per directory) and return every reference table.

    ``content_dir`` defaults to ``<repository>/content/standards``.
    """
    path = Path(content_dir) if content_dir is not None else DEFAULT_CONTENT_DIR
    return _load(path.resolve())


def list_parameter_limits(standards: Standards | None = None) -> tuple[ParameterLimits, ...]:
    """Every parameter (parameters.csv order, derived ones last) with all its limits.

    For the public "parameters" API.  GB/T 14848 lists classes I–IV; class V is
    "above class IV" and has no limit of its own.
    """
    std = standards or load_standards()
    entries: dict[str, list[LimitEntry]] = {code: [] for code in std.parameters}
    for classed in (std.surface, std.groundwater):
        for row in classed.rows:
            entries[row.parameter].extend(
                LimitEntry(classed.name, row.applies_to, level, limit, row.note)
                for level, limit in zip(classed.classes, row.limits, strict=True)
            )
    for r in std.surface_supplement:
        entries[r.parameter].append(
            LimitEntry(GB3838, "centralized_drinking_source", None, r.limit, r.note)
        )
    for r in std.drinking:
        entries[r.parameter].append(LimitEntry(GB5749, "all", None, r.limit, r.note))
    for r in std.drinking_small_supply.values():
        entries[r.parameter].append(LimitEntry(GB5749, "small_supply", None, r.limit, r.note))
    for d in std.disinfectants.values():
        entries[d.parameter].append(
            LimitEntry(
                GB5749, "plant_outlet_and_tap", None, Limit("max", value=d.max_limit), d.note
            )
        )
        for scope, minimum in (
            ("plant_outlet", d.plant_outlet_min_residual),
            ("tap", d.tap_min_residual),
        ):
            if minimum is not None:
                entries[d.parameter].append(
                    LimitEntry(GB5749, scope, None, Limit("min", value=minimum), d.note)
                )
    return tuple(
        ParameterLimits(p.code, p.name_zh, p.name_en, p.unit, p.derived, tuple(entries[p.code]))
        for p in std.parameters.values()
    )
