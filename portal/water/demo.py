"""Demo water data, loaded through the real import service: every county's source →
plant → tap chain and the six national assessment sections over four quarters, all
published except one draft quarter (Mohe, 2026Q3)."""

from __future__ import annotations

import csv

from portal.core.counties import CONTENT
from portal.water import explanations, overdue, service

DEMO = CONTENT / "demo" / "water"
DRAFT_QUARTER = ("mohe", "2026Q3")


def load() -> int:
    added = 0
    with (DEMO / "sites.csv").open("rb") as fh:
        result = service.import_sites(fh, "sites.csv")
    if not result.ok:
        raise RuntimeError(f"demo water sites rejected: {result.errors[:5]}")
    with (DEMO / "measurements.csv").open("rb") as fh:
        result = service.import_measurements(fh, "measurements.csv")
    if not result.ok:
        raise RuntimeError(f"demo water results rejected: {result.errors[:5]}")
    for county, quarter in result.quarters:
        if (county, quarter) == DRAFT_QUARTER:
            continue
        if service.current_publication(county, quarter) is None:
            service.publish(county, quarter)
            added += 1
    _explanations()  # not counted: "added" counts publications
    return added


def _explanations() -> int:
    """One written explanation (the others stay due, as the public pages then say)."""
    with (DEMO / "explanations.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    written = 0
    for r in rows:
        site = overdue.explanation_site(r["county"], r["quarter"], r["site_code"])
        if site is None or overdue.explanation(r["county"], r["quarter"], site) is not None:
            continue
        text = explanations.Text(r["site_code"], r["cause"], r["measures"], r["advice"])
        explanations.write(r["county"], r["quarter"], text, None)
        written += 1
    return written
