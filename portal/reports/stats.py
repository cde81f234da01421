"""Public statistics on pollution reports, computed only from the published event log.

Because the inputs are exactly the published records (see :mod:`portal.reports.eventlog`),
anyone can download the log and recompute every figure.  The definitions below are the
contract; change them only together with the published methodology.

Definitions
-----------
* Each record is attributed to the **month of its ``date``** (``"YYYY-MM"``, China
  calendar) and to its own ``category``, ``county`` and ``channel``.
* **Each case counts at most once per event type**: only its first record of that type in
  log order is used.  (Guards against an accidental double publication.)
* ``received``, ``accepted``, ``not_accepted``, ``duplicate``: number of cases whose first
  record of that type falls in the group.
* ``finished``: number of cases whose first ``finished`` record falls in the group.
  Re-finishing after a review is published as ``review_finished`` and does not count.
* ``finished_on_time``: of those, how many have ``on_time: true``.
* ``median_days_to_finish``: median of ``days_to_finish`` over those ``finished`` records;
  with an even count, the mean of the two middle values.  None when ``finished`` is 0.
* ``disputed_share``: of the cases counted in ``finished`` for the group, the fraction that
  have at least one ``disputed`` record anywhere in the log (a cohort share, always within
  0..1).  None when ``finished`` is 0.  Since disputes may follow a finish by up to the
  feedback window (15 days), a month's share is final once that window has passed.

Totals: besides the detailed month x category x county x channel rows, a row is produced
for every roll-up (each of the four dimensions either kept or set to None meaning
"all"), so e.g. ``Row(month="2024-03", category=None, county=None, channel=None, ...)``
is the March total and the all-None row is the grand total.  Medians and shares are
recomputed for each roll-up, never averaged from finer rows.  Only groups that contain at
least one counted record appear.  Rows are sorted by the four dimensions, None last.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Final, TypeAlias

from portal.reports.eventlog import EventType, validate_event

__all__ = ["DIMENSIONS", "FIELDS", "Row", "compute"]

DIMENSIONS: Final = ("month", "category", "county", "channel")

# Event types that feed a counter; others (assigned, closed, ...) are published for
# transparency but do not enter these figures.
_COUNTED: Final = frozenset(
    {
        EventType.RECEIVED,
        EventType.ACCEPTED,
        EventType.NOT_ACCEPTED,
        EventType.DUPLICATE,
        EventType.FINISHED,
    }
)

_Key: TypeAlias = tuple[str | None, str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class Row:
    """One published statistics row; a None dimension means "all"."""

    month: str | None
    category: str | None
    county: str | None
    channel: str | None
    received: int
    accepted: int
    not_accepted: int
    duplicate: int
    finished: int
    finished_on_time: int
    median_days_to_finish: float | None
    disputed_share: float | None

    def as_dict(self) -> dict[str, object]:
        """Plain dict, e.g. for JSON or CSV output (keys in :data:`FIELDS` order)."""
        return asdict(self)


FIELDS: Final = tuple(Row.__dataclass_fields__)


@dataclass(slots=True)
class _Acc:
    counts: dict[str, int] = field(default_factory=dict)
    days: list[int] = field(default_factory=list)
    on_time: int = 0
    disputed: int = 0


def _rollups(key: _Key) -> Iterable[_Key]:
    # Every combination of "keep this dimension" / "replace it by None (= all)".
    for keep in itertools.product((True, False), repeat=len(key)):
        yield tuple(v if k else None for v, k in zip(key, keep, strict=True))  # type: ignore[misc]


def _sort_key(row: Row) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, v or "") for v in (row.month, row.category, row.county, row.channel))


def compute(events: Iterable[Mapping[str, object]]) -> list[Row]:
    """Compute all statistics rows from event-log records (see the module docstring).

    ``events`` are records as published (a ``prev`` key is allowed and ignored), in log
    order.  Raises :class:`portal.reports.eventlog.EventError` on a malformed record.
    """
    records = list(events)
    for record in records:
        validate_event(record, allow_prev=True)
    disputed_cases = {r["case"] for r in records if r["event"] == EventType.DISPUTED}

    seen: set[tuple[object, object]] = set()
    groups: dict[_Key, _Acc] = {}
    for r in records:
        kind = r["event"]
        if kind not in _COUNTED or (r["case"], kind) in seen:
            continue
        seen.add((r["case"], kind))
        base: _Key = (
            str(r["date"])[:7],
            str(r["category"]),
            str(r["county"]),
            str(r["channel"]),
        )
        for key in _rollups(base):
            acc = groups.setdefault(key, _Acc())
            acc.counts[str(kind)] = acc.counts.get(str(kind), 0) + 1
            if kind == EventType.FINISHED:
                days = r["days_to_finish"]
                assert isinstance(days, int)  # validate_event guarantees it
                acc.days.append(days)
                acc.on_time += r["on_time"] is True
                acc.disputed += r["case"] in disputed_cases

    rows = []
    for key, acc in groups.items():
        finished = len(acc.days)
        rows.append(
            Row(
                *key,
                received=acc.counts.get(EventType.RECEIVED, 0),
                accepted=acc.counts.get(EventType.ACCEPTED, 0),
                not_accepted=acc.counts.get(EventType.NOT_ACCEPTED, 0),
                duplicate=acc.counts.get(EventType.DUPLICATE, 0),
                finished=finished,
                finished_on_time=acc.on_time,
                median_days_to_finish=float(statistics.median(acc.days)) if finished else None,
                disputed_share=acc.disputed / finished if finished else None,
            )
        )
    rows.sort(key=_sort_key)
    return rows
