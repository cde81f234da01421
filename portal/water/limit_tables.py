"""Reading the reference tables from ``content/standards`` and checking them on the way in.

``load_standards`` parses the CSV files once per content directory into the frozen
dataclasses of :mod:`portal.water.standards` and checks them (known parameters, known
comparisons, exact decimals, limits that never get stricter from one class to the next), so
a transcription slip fails loudly at start-up instead of producing a wrong published class.
``NOTES.md`` beside the files says where every figure comes from.
``list_parameter_limits`` lists the loaded tables per parameter (the public parameters API).
"""

from __future__ import annotations

import csv
import functools
import itertools
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Final

from portal.water.standards import (
    CLASS_NAMES,
    DERIVED,
    GB3838,
    GB5749,
    GBT14848,
    THM_COMPONENTS,
    THM_TOTAL,
    VALUED,
    ClassedRow,
    ClassedStandard,
    Comparison,
    Disinfectant,
    Limit,
    LimitEntry,
    LimitRow,
    Parameter,
    ParameterLimits,
    Standards,
    StandardsError,
    WaterClass,
)

__all__ = ["DEFAULT_CONTENT_DIR", "list_parameter_limits", "load_standards"]

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_CONTENT_DIR: Final = REPO_ROOT / "content" / "standards"

# A plain non-negative decimal as written in the tables: no exponent, no sign, no NaN.
_NUMBER: Final = re.compile(r"\d+(?:\.\d+)?")
_RANGE: Final = re.compile(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)")


def _decimal(text: str, where: str) -> Decimal:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise StandardsError(f"{where}: not a plain decimal: {text!r}")
    return Decimal(text)


def _comparison(text: str, allowed: tuple[Comparison, ...], where: str) -> Comparison:
    for comparison in allowed:
        if text == comparison:
            return comparison
    raise StandardsError(f"{where}: comparison {text!r} not one of {tuple(map(str, allowed))}")


def _limit(comparison: Comparison, text: str, where: str) -> Limit:
    if comparison in VALUED:
        value = _decimal(text, where)
        # GB/T 14848 writes "不得检出" (must not be detected) as class I of some items; the
        # table transcribes it as 0, which no measured value can meet except a non-detect.
        if comparison == Comparison.MAX and value == 0:
            return Limit(Comparison.NOT_DETECTED)
        return Limit(comparison, value=value)
    if comparison == Comparison.RANGE:
        match = _RANGE.fullmatch(text.strip())
        if not match:
            raise StandardsError(f"{where}: not a range: {text!r}")
        return Limit(Comparison.RANGE, low=Decimal(match[1]), high=Decimal(match[2]))
    if comparison in (Comparison.NOT_DETECTED, Comparison.TEXT):
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
    if better.comparison == Comparison.NOT_DETECTED:
        return worse.comparison != Comparison.NOT_DETECTED
    if worse.comparison != better.comparison:
        return False
    if better.comparison == Comparison.MAX:
        return _num(worse.value) >= _num(better.value)
    if better.comparison == Comparison.MIN:
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
    if limits and limits[-1].comparison == Comparison.NOT_DETECTED:
        raise StandardsError(f"{where}: the worst class cannot be 'not detected'")


def _classed(
    path: Path,
    name: str,
    classes: tuple[WaterClass, ...],
    beyond: WaterClass,
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
        comparison = _comparison(
            raw["comparison"], (Comparison.MAX, Comparison.MIN, Comparison.RANGE), where
        )
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
    for code in DERIVED:
        if code not in params:
            raise StandardsError(f"parameters.csv: derived parameter {code!r} missing")
        p = params.pop(code)  # derived ones last, whatever their place in the file
        params[code] = Parameter(p.code, p.name_zh, p.name_en, p.unit, derived=True)
    parameters = MappingProxyType(params)

    surface = _classed(
        content_dir / "gb3838-2002.csv",
        GB3838,
        CLASS_NAMES,
        WaterClass.WORSE_THAN_V,
        True,
        parameters,
    )
    groundwater = _classed(
        content_dir / "gbt14848-2017.csv",
        GBT14848,
        CLASS_NAMES[:4],
        WaterClass.V,
        False,
        parameters,
    )
    supplement = _limit_rows(
        content_dir / "gb3838-2002-drinking-source-supplement.csv",
        parameters,
        grouped=False,
        allowed=(Comparison.MAX,),
    )
    drinking = _limit_rows(
        content_dir / "gb5749-2022.csv",
        parameters,
        grouped=True,
        allowed=(
            Comparison.MAX,
            Comparison.RANGE,
            Comparison.NOT_DETECTED,
            Comparison.TEXT,
            Comparison.RATIO_SUM,
        ),
    )
    small = _limit_rows(
        content_dir / "gb5749-2022-small-supply.csv",
        parameters,
        grouped=False,
        allowed=(Comparison.MAX,),
    )

    by_code = {r.parameter: r for r in drinking}
    for row in drinking:
        if row.limit.comparison == Comparison.RATIO_SUM and row.parameter != THM_TOTAL:
            raise StandardsError(f"gb5749-2022.csv: no rule to derive {row.parameter!r}")
        if (row.limit.comparison == Comparison.RATIO_SUM) != params[row.parameter].derived:
            raise StandardsError(f"gb5749-2022.csv: {row.parameter!r} derived/measured mismatch")
    for code in THM_COMPONENTS:
        if code not in by_code or by_code[code].limit.comparison != Comparison.MAX:
            raise StandardsError(f"gb5749-2022.csv: trihalomethane {code!r} needs a max limit")
    for row in small:
        base = by_code.get(row.parameter)
        # Note b relaxes limits; a "relaxed" limit stricter than Table 1 is a typo.
        if (
            base is None
            or base.limit.comparison != Comparison.MAX
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
                GB5749,
                "plant_outlet_and_tap",
                None,
                Limit(Comparison.MAX, value=d.max_limit),
                d.note,
            )
        )
        for scope, minimum in (
            ("plant_outlet", d.plant_outlet_min_residual),
            ("tap", d.tap_min_residual),
        ):
            if minimum is not None:
                entries[d.parameter].append(
                    LimitEntry(GB5749, scope, None, Limit(Comparison.MIN, value=minimum), d.note)
                )
    return tuple(
        ParameterLimits(p.code, p.name_zh, p.name_en, p.unit, p.derived, tuple(entries[p.code]))
        for p in std.parameters.values()
    )
