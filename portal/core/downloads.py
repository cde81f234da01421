"""One download writer for every table the portal publishes: CSV, JSON and XLSX.

Spreadsheet cells never start with = + - @ (or tab/CR): such text is prefixed with an
apostrophe so Excel and WPS show it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from flask import Response, abort

from portal.core.text import clean

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # plain or lazily translated text


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula; numbers stay numbers.
    Characters XML cannot hold (an XLSX is XML) are dropped."""
    value = clean(value)
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join(str(_plain(v)) for v in value)
    return value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    for row in rows:
        writer.writerow(
            ["" if row.get(c.key) is None else safe_cell(_plain(row.get(c.key))) for c in columns]
        )
    # The BOM makes Excel and WPS on Chinese Windows read UTF-8 correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_json(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> bytes:
    def native(value: Any) -> Any:
        if isinstance(value, Decimal):
            # Lab values have few significant digits: the shortest float repr is exact.
            return float(value)
        return _plain(value) if isinstance(value, (dt.date, dt.datetime)) else value

    data = [{c.key: native(row.get(c.key)) for c in columns} for row in rows]
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def to_xlsx(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "data")
    sheet.append([str(c.header) for c in columns])
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c.key)
            if isinstance(value, Decimal):
                value = float(value)
            elif isinstance(value, dt.datetime):
                value = value.isoformat()
            elif isinstance(value, (list, tuple)):
                value = _plain(value)
            cells.append(safe_cell(value))
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def attachment(filename: str) -> str:
    """RFC 6266/5987: an ASCII fallback plus the UTF-8 name for Chinese file names."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def download(
    fmt: str,
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    filename_stem: str,
) -> Response:
    """The response for `?format=`/`.ext` downloads; unknown formats are a 404."""
    if fmt not in FORMATS:
        abort(404)
    rows = list(rows)
    if fmt == "csv":
        body = to_csv(rows, columns)
    elif fmt == "json":
        body = to_json(rows, columns)
    else:
        body = to_xlsx(rows, columns, filename_stem)
    response = Response(body, mimetype=FORMATS[fmt].split(";")[0])
    if fmt == "csv":
        response.headers["Content-Type"] = FORMATS["csv"]
    response.headers["Content-Disposition"] = attachment(f"{filename_stem}.{fmt}")
    return response
