"""Reading officials' site and lab-result files: row validation (errors as values) and the
two-pass, all-or-nothing, idempotent import of measurements.

Validation functions are plain; :mod:`portal.water.service` runs them inside its
transaction.  A :class:`RowError` carries a machine code that the page or CLI translates.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from portal.core import counties
from portal.core.clock import CHINA
from portal.core.tabular import Row, Table, TableError, read_table
from portal.water.evaluate import Stage, WaterBody
from portal.water.limit_tables import load_standards
from portal.water.standards import CLASS_NAMES, Standards
from portal.water.values import Measurement, WaterDataError, convert_unit, parse_value

SITE_COLUMNS = (
    "code",
    "name_zh",
    "name_en",
    "stage",
    "county",
    "water_body",
    "centralized",
    "supplied_by",
    "latitude",
    "longitude",
)
SITE_OPTIONAL = ("target_class", "disinfectant", "small_supply", "protection_zone")
MEASUREMENT_COLUMNS = (
    "sample_id",
    "site_code",
    "sampled_at",
    "parameter",
    "value",
    "unit",
    "lab",
    "method",
)
# No dots: /water/sites/<code>.csv must stay unambiguous.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_UPSTREAM: dict[str, Stage] = {Stage.PLANT: Stage.SOURCE, Stage.TAP: Stage.PLANT}
_STAGES = frozenset(Stage)
_WATER_BODIES = frozenset(WaterBody)
MAX_ERRORS = 1000  # beyond this the report says "and more"


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet row number (header is row 1); 0 for the file as a whole
    column: str
    code: str
    value: str = ""


@dataclass
class Report:
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False
    count: int = 0  # every error, also those beyond MAX_ERRORS

    def add(self, row: int, column: str, code: str, value: str = "") -> None:
        self.count += 1
        if len(self.errors) >= MAX_ERRORS:
            self.truncated = True
            return
        self.errors.append(RowError(row, column, code, value[:80]))


class _Shield(io.RawIOBase):
    """The caller's stream, which a reader may close without closing it (the import reads
    the file twice)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()


def open_table(stream: IO[bytes], filename: str, report: Report) -> Table | None:
    stream.seek(0)
    try:
        return read_table(io.BufferedReader(_Shield(stream)), filename)
    except TableError as exc:
        report.add(0, "", f"table_{exc.code}")
        return None


def rows_of(table: Table, report: Report) -> Iterator[Row]:
    """The table's rows; a file that turns unreadable midway is one more error."""
    try:
        yield from table
    except TableError as exc:
        report.add(0, "", f"table_{exc.code}")


def check_columns(table: Table, required: Iterable[str], report: Report) -> bool:
    missing = [c for c in required if c not in table.columns]
    for column in missing:
        report.add(1, column, "missing_column")
    return not missing


def china_quarter(when: dt.datetime) -> str:
    local = when.astimezone(CHINA)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def parse_time(text: str) -> dt.datetime | None:
    """ISO 8601; China time when no offset is given.  None if unreadable."""
    text = text.strip().replace(" ", "T", 1) if text else ""
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=CHINA)
    return when.astimezone(dt.UTC)


def _bool(text: str) -> bool | None:
    t = text.strip().casefold()
    if t in ("true", "是", "1", "yes"):
        return True
    if t in ("false", "否", "0", "no", ""):
        return False
    return None


# --- sites ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteRow:
    row: int
    code: str
    name_zh: str
    name_en: str
    stage: str
    county: str
    water_body: str | None
    centralized: bool
    supplied_by: tuple[str, ...]
    latitude: str | None
    longitude: str | None
    target_class: str | None
    disinfectant: str | None
    small_supply: bool
    protection_zone: str | None


def _coordinate(text: str, bound: int, row: int, column: str, report: Report) -> str | None:
    if not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        report.add(row, column, "invalid_coordinate", text)
        return None
    if not value.is_finite() or abs(value) > bound:
        report.add(row, column, "invalid_coordinate", text)
        return None
    return str(value)


def validate_sites(table: Table, known: dict[str, str], report: Report) -> list[SiteRow]:
    """Every site row checked; ``known`` maps existing site codes to their stage."""
    std = load_standards()
    rows: list[SiteRow] = []
    stages = dict(known)
    seen: set[str] = set()
    pending: list[tuple[int, str, str]] = []  # (row, code, upstream) checked at the end
    for raw in rows_of(table, report):
        v = {k: (raw.values.get(k) or "").strip() for k in (*SITE_COLUMNS, *SITE_OPTIONAL)}
        n, before = raw.number, report.count
        code = v["code"]
        if not _CODE.fullmatch(code):
            report.add(n, "code", "invalid_code", code)
        elif code in seen:
            report.add(n, "code", "duplicate_site", code)
        seen.add(code)
        if not v["name_zh"]:
            report.add(n, "name_zh", "required")
        stage = v["stage"]
        if stage not in _STAGES:
            report.add(n, "stage", "invalid_stage", stage)
        if v["county"] not in counties.codes():
            report.add(n, "county", "invalid_county", v["county"])
        body = v["water_body"] or None
        if stage in (Stage.SOURCE, Stage.SECTION):
            if body is None:
                report.add(n, "water_body", "water_body_required")
            elif body not in _WATER_BODIES or (
                stage == Stage.SECTION and body == WaterBody.GROUNDWATER
            ):
                report.add(n, "water_body", "invalid_water_body", body)
        elif body is not None:
            report.add(n, "water_body", "not_applicable", body)
        centralized = _bool(v["centralized"])
        if centralized is None:
            report.add(n, "centralized", "invalid_boolean", v["centralized"])
        target = v["target_class"] or None
        if stage == Stage.SECTION and target not in CLASS_NAMES:
            report.add(n, "target_class", "invalid_target_class", v["target_class"])
        elif stage != Stage.SECTION and target is not None:
            report.add(n, "target_class", "not_applicable", target)
        disinfectant = None
        if v["disinfectant"]:
            codes = tuple(c.strip() for c in v["disinfectant"].split(";") if c.strip())
            if stage not in (Stage.PLANT, Stage.TAP):
                report.add(n, "disinfectant", "not_applicable", v["disinfectant"])
            elif (
                not codes
                or len(set(codes)) != len(codes)
                or any(c not in std.disinfectants for c in codes)
            ):
                report.add(n, "disinfectant", "invalid_disinfectant", v["disinfectant"])
            else:
                disinfectant = ";".join(codes)
        small = _bool(v["small_supply"])
        if small is None:
            report.add(n, "small_supply", "invalid_boolean", v["small_supply"])
        upstream = tuple(c.strip() for c in v["supplied_by"].split(";") if c.strip())
        if upstream and stage not in _UPSTREAM:
            report.add(n, "supplied_by", "not_applicable", v["supplied_by"])
        else:
            pending.extend((n, code, u) for u in upstream)
        latitude = _coordinate(v["latitude"], 90, n, "latitude", report)
        longitude = _coordinate(v["longitude"], 180, n, "longitude", report)
        stages[code] = stage
        if report.count == before:
            rows.append(
                SiteRow(
                    n,
                    code,
                    v["name_zh"][:200],
                    v["name_en"][:200],
                    stage,
                    v["county"],
                    body,
                    bool(centralized),
                    upstream,
                    latitude,
                    longitude,
                    target,
                    disinfectant,
                    bool(small),
                    v["protection_zone"][:100] or None,
                )
            )
    for n, code, supplier in pending:
        wanted = _UPSTREAM.get(stages.get(code, ""))
        if supplier not in stages:
            report.add(n, "supplied_by", "unknown_site", supplier)
        elif stages[supplier] != wanted:
            report.add(n, "supplied_by", "wrong_upstream_stage", supplier)
    return rows


def check_site_scope(
    rows: list[SiteRow],
    stored: dict[str, tuple[str, str]],
    scope: str | None,
    report: Report,
) -> None:
    """A county-scoped official's file: every row in their county, as sent AND as stored
    (no writing another county's site, no moving one between counties), and no supply
    link to another county's site (it would change that site's public page)."""
    if scope is None:
        return
    codes = {r.code for r in rows}
    for r in rows:
        before = stored.get(r.code)
        if before is not None and before[1] != scope:
            report.add(r.row, "code", "outside_county", r.code)
        elif r.county != scope:
            report.add(r.row, "county", "outside_county", r.county)
        for upstream in r.supplied_by:
            if upstream not in codes and upstream in stored and stored[upstream][1] != scope:
                report.add(r.row, "supplied_by", "outside_county", upstream)


# --- measurements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementRow:
    row: int
    sample_id: str
    site_code: str
    sampled_at: dt.datetime
    parameter: str
    value_text: str
    unit_given: str
    measurement: Measurement
    unit: str
    lab: str
    method: str


def measurement_rows(table: Table, report: Report) -> Iterator[MeasurementRow]:
    """Parse each row; bad cells go to ``report``, good rows are yielded."""
    std = load_standards()
    for raw in rows_of(table, report):
        yield from _measurement_row(raw, report, std)


def _measurement_row(raw: Row, report: Report, std: Standards) -> Iterator[MeasurementRow]:
    v = {k: (raw.values.get(k) or "").strip() for k in MEASUREMENT_COLUMNS}
    n, before = raw.number, report.count
    if not _CODE.fullmatch(v["sample_id"]):
        report.add(n, "sample_id", "invalid_code", v["sample_id"])
    if not v["site_code"]:
        report.add(n, "site_code", "required")
    when = parse_time(v["sampled_at"])
    if when is None:
        report.add(n, "sampled_at", "invalid_time", v["sampled_at"])
    measurement: Measurement | None = None
    unit = ""
    try:
        parsed = parse_value(v["value"], v["parameter"])
        try:
            measurement = convert_unit(parsed, v["unit"], v["parameter"])
            unit = std.parameters[v["parameter"]].unit
        except WaterDataError as exc:
            report.add(n, "unit", exc.code, v["unit"])
    except WaterDataError as exc:
        column = "parameter" if exc.code in ("unknown_parameter", "derived_parameter") else "value"
        report.add(n, column, exc.code, v[column])
    if report.count == before and when is not None and measurement is not None:
        yield MeasurementRow(
            n,
            v["sample_id"],
            v["site_code"],
            when,
            v["parameter"],
            v["value"][:200],
            v["unit"][:20],
            measurement,
            unit,
            v["lab"][:200],
            v["method"][:200],
        )
