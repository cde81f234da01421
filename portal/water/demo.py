"""Demo water data, loaded through the real import service: every county's source →
plant → tap chain and the six national assessment sections over four quarters, all
published except one draft quarter (Mohe, 2026Q3)."""

from __future__ import annotations

from portal.core.counties import CONTENT
from portal.water import service

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
    return added
