"""Why a published sample failed or was inconclusive, in plain data (pure): the items that
decided it and since when a parameter has been failing at the site."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SUPPLEMENT = "drinking_source_supplement"


@dataclass(frozen=True)
class Reason:
    parameter: str
    name_zh: str
    name_en: str
    value: str | None
    text: str
    unit: str
    limit: str | None  # as the standard writes it ("≤0.3")
    limit_value: str | None
    comparison: str | None
    multiple: str | None  # (value − limit) / limit, for maxima
    kind: str  # "supplement" | "class" | "limit" | "inconclusive"
    notes: tuple[str, ...]


def reasons(doc: Mapping[str, Any]) -> list[Reason]:
    """The failing items of a published sample document, then the undecided ones."""
    out: list[Reason] = []
    for passed in (False, None):
        for p in doc["parameters"]:
            if not p["counts_for_verdict"] or p["passed"] is not passed:
                continue
            if passed is None:
                kind = "inconclusive"
            elif SUPPLEMENT in p["notes"]:
                kind = "supplement"
            elif p.get("class") is not None:
                kind = "class"
            else:
                kind = "limit"
            out.append(
                Reason(
                    p["parameter"],
                    p["name_zh"],
                    p["name_en"],
                    p["value"],
                    p["text"],
                    p["unit"],
                    p["limit"],
                    p["limit_value"],
                    p["comparison"],
                    p["exceedance_multiple"],
                    kind,
                    tuple(p["notes"]),
                )
            )
    return out


def since(history: Iterable[Mapping[str, Any]], parameter: str) -> str | None:
    """``history``: a site's published sample documents, newest first.  The sampling time
    of the first sample of the unbroken run, ending with the newest, in which
    ``parameter`` did not pass; None when the newest sample passed it."""
    start = None
    for doc in history:
        item = next((p for p in doc["parameters"] if p["parameter"] == parameter), None)
        if item is None or item["passed"] is True or not item["counts_for_verdict"]:
            break
        start = doc["sampled_at"]
    return start


def failing_first(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Failures, then undecided items, then the rest (stable): the reason comes first."""

    def rank(p: dict[str, Any]) -> int:
        if not p["counts_for_verdict"]:
            return 2
        return {False: 0, None: 1}.get(p["passed"], 2)

    return sorted(parameters, key=rank)
