"""Which disinfectant a plant uses, as its measurements show it (pure).

Labs report the residual of the disinfectant the plant uses (GB 5749-2022 clause 4.2), so
when a site declares no method the results name it: free chlorine → chlorine; only total
chlorine → chloramine; chlorine dioxide; ozone.  Total chlorine beside free chlorine is the
usual chlorine report, not a second method.  When several methods are measured, those with
a detected residual decide; none, or more than one, leaves the method unknown: the site
must then declare it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from portal.water.values import Measurement

# One code per method: the residual that method leaves (codes of the disinfectants table).
_METHODS: Final = ("free_chlorine", "total_chlorine", "chlorine_dioxide", "ozone")


class Outcome(StrEnum):
    """How a sample's disinfection method was found."""

    DECLARED = "declared"  # the site declares it
    INFERRED = "inferred"  # the one residual measured shows it
    NONE_MEASURED = "none_measured"  # no residual measured
    CONTRADICTORY = "contradictory"  # residuals of several methods


def _detected(m: Measurement) -> bool:
    return m.value is not None and m.value > 0


def infer(measurements: Mapping[str, Measurement]) -> tuple[tuple[str, ...] | None, Outcome]:
    """The method the measurements show, and how it was found (never "declared")."""
    shown = [code for code in _METHODS if code in measurements]
    if "free_chlorine" in shown and "total_chlorine" in shown:
        shown.remove("total_chlorine")  # chlorine disinfection reports both
    if len(shown) > 1:
        shown = [code for code in shown if _detected(measurements[code])]
    if not shown:
        if any(c in measurements for c in _METHODS):
            return None, Outcome.CONTRADICTORY
        return None, Outcome.NONE_MEASURED
    if len(shown) > 1:
        return None, Outcome.CONTRADICTORY
    return (shown[0],), Outcome.INFERRED
