"""The region's counties and districts, keyed everywhere by stable codes (content/counties.csv)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import get_locale

CONTENT = Path(__file__).resolve().parents[2] / "content"

#: Not a county: the regional bureau's triage queue, for a report filed without a county
#: (e.g. by an Open311 app); only region-wide officials see it, and they set the county.
REGION = "region"


@dataclass(frozen=True)
class County:
    code: str
    name_zh: str
    name_en: str

    @property
    def name(self) -> str:
        """The name in the request's language."""
        locale = get_locale()
        return self.name_en if locale is not None and locale.language == "en" else self.name_zh


@cache
def all_counties() -> tuple[County, ...]:
    with (CONTENT / "counties.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(
            County(row["code"], row["name_zh"], row["name_en"]) for row in csv.DictReader(fh)
        )


def codes() -> tuple[str, ...]:
    return tuple(c.code for c in all_counties())


def get(code: str | None) -> County | None:
    return next((c for c in all_counties() if c.code == code), None)


def county_name(code: str | None) -> str:
    if code == REGION:
        from flask_babel import gettext as _

        return _("Daxing'anling region (county not yet set)")
    county = get(code)
    return county.name if county else (code or "")
