"""One reader for every officials' import: CSV (UTF-8 with or without BOM, or GB18030) and
XLSX, streamed row by row so memory does not grow with the file.

Rows carry the number the official sees in the spreadsheet (the header is row 1), so error
reports can point at the exact row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from portal.core.problems import Refusal
from portal.core.text import clean

MAX_COLUMNS = 200


class TableError(Refusal):
    """The file as a whole cannot be read; the words for its codes are in
    `portal.core.messages.CORE`. `detail` is the parser's own message, for logs only."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.detail = detail


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]


class Table:
    """Iterate over `Row`s; `columns` holds the normalised header names."""

    def __init__(self, columns: list[str], rows: Iterator[Row]) -> None:
        self.columns = columns
        self._rows = rows

    def __iter__(self) -> Iterator[Row]:
        return self._rows


def _normalise_header(cells: list[Any]) -> list[str]:
    columns = [str(c or "").strip().lstrip("\ufeff").lower() for c in cells]
    while columns and not columns[-1]:
        columns.pop()
    if not columns:
        raise TableError("no_header")
    if len(columns) > MAX_COLUMNS:
        raise TableError("too_many_columns")
    seen = [c for c in columns if c]
    if len(seen) != len(set(seen)):
        raise TableError("duplicate_columns")
    return columns


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(str(value)).strip()


def _detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (BOM or not) when the whole file decodes as UTF-8, else GB18030."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(1 << 16):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    stream.seek(0)
    return encoding


def _csv_rows(stream: IO[bytes]) -> Table:
    encoding = _detect_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="", errors="strict")
    try:
        reader = csv.reader(text)
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise TableError("unreadable", str(exc)) from exc
    if header is None:
        raise TableError("empty")
    columns = _normalise_header(header)

    def rows() -> Iterator[Row]:
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                yield Row(reader.line_num, _zip(columns, cells))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise TableError("unreadable", str(exc)) from exc

    return Table(columns, rows())


def _zip(columns: list[str], cells: list[Any]) -> dict[str, str]:
    values = {name: _text(cells[i]) if i < len(cells) else "" for i, name in enumerate(columns)}
    extra = [c for c in cells[len(columns) :] if _text(c)]
    if extra:
        values["__extra__"] = ";".join(_text(c) for c in extra)
    values.pop("", None)
    return values


def _xlsx_rows(stream: IO[bytes]) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError("unreadable", str(exc)) from exc
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    header = next(iterator, None)
    if header is None:
        raise TableError("empty")
    columns = _normalise_header(list(header))

    def rows() -> Iterator[Row]:
        for number, cells in enumerate(iterator, start=2):
            if not any(_text(c) for c in cells):
                continue
            yield Row(number, _zip(columns, list(cells)))
        workbook.close()

    return Table(columns, rows())


def read_table(stream: IO[bytes], filename: str) -> Table:
    """Open a CSV or XLSX upload (by extension, confirmed by content)."""
    name = filename.lower()
    head = stream.read(4)
    stream.seek(0)
    if name.endswith(".xlsx"):
        if head != b"PK\x03\x04":
            raise TableError("not_xlsx")
        return _xlsx_rows(stream)
    if name.endswith((".csv", ".txt")):
        if head.startswith(b"PK\x03\x04"):
            raise TableError("not_csv")
        return _csv_rows(stream)
    raise TableError("unsupported_type")
