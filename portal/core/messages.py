"""Core's words for the refusals it raises itself (the shared spreadsheet reader); every
feature's `Messages` falls back to this table (see `portal.core.problems`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.problems import Messages

CORE = Messages(
    {
        # portal.core.tabular.TableError: the file as a whole cannot be read.
        "no_header": _l("The file has no header row."),
        "too_many_columns": _l("The file has too many columns."),
        "duplicate_columns": _l("The header names a column twice."),
        "unreadable": _l("The file could not be read."),
        "empty": _l("The file is empty."),
        "not_xlsx": _l("The file is not a real XLSX workbook."),
        "not_csv": _l("The file looks like a workbook, not a CSV file."),
        "unsupported_type": _l("Only CSV and XLSX files can be imported."),
    }
)
