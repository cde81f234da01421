"""Reading officials' site and lab-result files: row validation (errors as values) and the
two-pass, all-or-nothing, idempotent import of measurements.

Validation functions are plain; :mod:`portal.water.service` runs them inside its
transaction.  Every refused cell is a :class:`RowError` (a
:class:`~portal.core.problems.Refusal`) in the file's :class:`Report`; the page and the CLI
word it with :data:`portal.water.messages.MESSAGES`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from portal.core import counties
from portal.core.clock import CHINA
from portal.core.problems import Problems, Refusal
from portal.core.tabular import Row, Table, TableError, read_table
from portal.water.evaluate import Stage, WaterBody
from portal.water.limit_tables import load_standards
from portal.water.messages import TABLE_PREFIX
from portal.water.standards import CLASS_NAMES, Standards
from portal.water.values import (
    Measurement,
    UnknownParameter,
    WaterDataError,
    convert_unit,
    parse_value,
)

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


class RowError(Refusal):
    """One refused cell: ``row`` is the spreadsheet row (header is row 1; 0 for the file as
    a whole), ``column`` (the refusal's ``field``) its column, ``value`` the cell as sent
    (shown beside the words, at most 80 characters)."""

    def __init__(
        self, code: str, column: str = "", *, row: int = 0, value: str = "", **params: Any
    ) -> None:
        super().__init__(code, column, row=row, **params)
        self.row: int = row
        self.value = value[:80]

    @property
    def column(self) -> str:
        return self.field


class Report(Problems):
    """Every refusal of one file: ``count`` counts them all, the first ``MAX_ERRORS`` are
    kept (``truncated`` when more were found)."""

    def __init__(self) -> None:
        super().__init__()
        self.truncated = False
        self.count = 0

    def add(
        self,
        code: str,
        field: str = "",
        /,
        *,
        row: int | None = None,
        value: str = "",
        **params: Any,
    ) -> None:
        self.count += 1
        if len(self.refusals) >= MAX_ERRORS:
            self.truncated = True
            return
        self.refusals.append(RowError(code, field, row=row or 0, value=value, **params))

    @property
    def errors(self) -> list[RowError]:
        return [r for r in self.refusals if isinstance(r, RowError)]


def _table_refused(exc: TableError, report: Report) -> None:
    report.add(TABLE_PREFIX + exc.code)


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
        _table_refused(exc, report)
        return None


def rows_of(table: Table, report: Report) -> Iterator[Row]:
    """The table's rows; a file that turns unreadable midway is one more error."""
    try:
        yield from table
    except TableError as exc:
        _table_refused(exc, report)


def check_columns(table: Table, required: Iterable[str], report: Report) -> bool:
    missing = [c for c in required if c not in table.columns]
    for column in missing:
        report.add("missing_column", column, row=1)
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
        report.add("invalid_coordinate", column, row=row, value=text)
        return None
    if not value.is_finite() or abs(value) > bound:
        report.add("invalid_coordinate", column, row=row, value=text)
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
            report.add("invalid_code", "code", row=n, value=code)
        elif code in seen:
            report.add("duplicate_site", "code", row=n, value=code)
        seen.add(code)
        if not v["name_zh"]:
            report.add("required", "name_zh", row=n)
        stage = v["stage"]
        if stage not in _STAGES:
            report.add("invalid_stage", "stage", row=n, value=stage)
        if v["county"] not in counties.codes():
            report.add("invalid_county", "county", row=n, value=v["county"])
        body = v["water_body"] or None
        if stage in (Stage.SOURCE, Stage.SECTION):
            if body is None:
                report.add("water_body_required", "water_body", row=n)
            elif body not in _WATER_BODIES or (
                stage == Stage.SECTION and body == WaterBody.GROUNDWATER
            ):
                report.add("invalid_water_body", "water_body", row=n, value=body)
        elif body is not None:
            report.add("not_applicable", "water_body", row=n, value=body)
        centralized = _bool(v["centralized"])
        if centralized is None:
            report.add("invalid_boolean", "centralized", row=n, value=v["centralized"])
        target = v["target_class"] or None
        if stage == Stage.SECTION and target not in CLASS_NAMES:
            report.add("invalid_target_class", "target_class", row=n, value=v["target_class"])
        elif stage != Stage.SECTION and target is not None:
            report.add("not_applicable", "target_class", row=n, value=target)
        disinfectant = None
        if v["disinfectant"]:
            codes = tuple(c.strip() for c in v["disinfectant"].split(";") if c.strip())
            if stage not in (Stage.PLANT, Stage.TAP):
                report.add("not_applicable", "disinfectant", row=n, value=v["disinfectant"])
            elif (
                not codes
                or len(set(codes)) != len(codes)
                or any(c not in std.disinfectants for c in codes)
            ):
                report.add("invalid_disinfectant", "disinfectant", row=n, value=v["disinfectant"])
            else:
                disinfectant = ";".join(codes)
        small = _bool(v["small_supply"])
        if small is None:
            report.add("invalid_boolean", "small_supply", row=n, value=v["small_supply"])
        upstream = tuple(c.strip() for c in v["supplied_by"].split(";") if c.strip())
        if upstream and stage not in _UPSTREAM:
            report.add("not_applicable", "supplied_by", row=n, value=v["supplied_by"])
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
            report.add("unknown_site", "supplied_by", row=n, value=supplier)
        elif stages[supplier] != wanted:
            report.add("wrong_upstream_stage", "supplied_by", row=n, value=supplier)
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
            report.add("outside_county", "code", row=r.row, value=r.code)
        elif r.county != scope:
            report.add("outside_county", "county", row=r.row, value=r.county)
        for upstream in r.supplied_by:
            if upstream not in codes and upstream in stored and stored[upstream][1] != scope:
                report.add("outside_county", "supplied_by", row=r.row, value=upstream)


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
        report.add("invalid_code", "sample_id", row=n, value=v["sample_id"])
    if not v["site_code"]:
        report.add("required", "site_code", row=n)
    when = parse_time(v["sampled_at"])
    if when is None:
        report.add("invalid_time", "sampled_at", row=n, value=v["sampled_at"])
    measurement: Measurement | None = None
    unit = ""
    try:
        parsed = parse_value(v["value"], v["parameter"])
        try:
            measurement = convert_unit(parsed, v["unit"], v["parameter"])
            unit = std.parameters[v["parameter"]].unit
        except WaterDataError as exc:
            report.add(exc.code, "unit", row=n, value=v["unit"])
    except WaterDataError as exc:
        column = "parameter" if isinstance(exc, UnknownParameter) else "value"
        report.add(exc.code, column, row=n, value=v[column])
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
