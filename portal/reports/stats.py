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

* ``mean_days_to_finish``: the mean of the same values.
* ``mean_days_to_accept``, ``median_days_to_accept``: over the cases counted in
  ``accepted`` for the group, the China-calendar days from the case's first ``received``
  record to its first ``accepted`` record (cases without a ``received`` record are left
  out).  None when no case qualifies.
* ``overdue_accept_open``: cases whose first ``accept_deadline_passed`` record falls in the
  group (the month the acceptance limit fell due) and that have no acceptance decision
  (``accepted``, ``not_accepted`` or ``duplicate``) anywhere in the log: still waiting.
* ``overdue_finish_open``: cases whose first ``finish_deadline_passed`` record falls in the
  group and that have no ``finished`` record anywhere in the log: still unfinished.
* ``overdue_open``: the sum of the two (a case is open past at most one limit at a time).
  Summed over the months of the region-wide rows it is the number of reports open past a
  limit today, the number the officials' queue flags.
* ``deadline_passed``: cases whose handling limit has been settled, each case once: a case
  is attributed to its first record, in log order, among its first ``finished`` record and
  its ``*_deadline_passed`` records.  The portal appends a deadline record for every limit
  missed, before the late step itself, so a case lands either at its on-time finish or at
  the first limit it missed.
* ``deadline_met``: of those, the cases settled by a ``finished`` record with ``on_time``
  true (so no limit was missed before).
* ``on_time_rate``: ``deadline_met / deadline_passed``; None when ``deadline_passed`` is 0.
* ``received_mom``, ``received_yoy``: for rows with a month, the relative change of
  ``received`` against the same row (same category, county and channel) one month and
  twelve months earlier: ``(this - before) / before``; None when ``before`` is 0 or the row
  has no month.

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
from dataclasses import asdict, dataclass, field, replace
from datetime import date
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
        EventType.ACCEPT_DEADLINE_PASSED,
        EventType.FINISH_DEADLINE_PASSED,
    }
)
_DEADLINES: Final = frozenset({EventType.ACCEPT_DEADLINE_PASSED, EventType.FINISH_DEADLINE_PASSED})
_DECISIONS: Final = frozenset({EventType.ACCEPTED, EventType.NOT_ACCEPTED, EventType.DUPLICATE})

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
    mean_days_to_finish: float | None = None
    mean_days_to_accept: float | None = None
    median_days_to_accept: float | None = None
    overdue_accept_open: int = 0
    overdue_finish_open: int = 0
    overdue_open: int = 0
    deadline_passed: int = 0
    deadline_met: int = 0
    on_time_rate: float | None = None
    received_mom: float | None = None
    received_yoy: float | None = None

    def as_dict(self) -> dict[str, object]:
        """Plain dict, e.g. for JSON or CSV output (keys in :data:`FIELDS` order)."""
        return asdict(self)


FIELDS: Final = tuple(Row.__dataclass_fields__)


@dataclass(slots=True)
class _Acc:
    counts: dict[str, int] = field(default_factory=dict)
    days: list[int] = field(default_factory=list)
    accept_days: list[int] = field(default_factory=list)
    on_time: int = 0
    disputed: int = 0
    overdue_accept: int = 0
    overdue_finish: int = 0
    settled: int = 0
    met: int = 0


def _rollups(key: _Key) -> Iterable[_Key]:
    # Every combination of "keep this dimension" / "replace it by None (= all)".
    for keep in itertools.product((True, False), repeat=len(key)):
        yield tuple(v if k else None for v, k in zip(key, keep, strict=True))  # type: ignore[misc]


def _sort_key(row: Row) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, v or "") for v in (row.month, row.category, row.county, row.channel))


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _month_before(month: str, months: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _change(now: int, before: Row | None) -> float | None:
    if before is None or before.received == 0:
        return None
    return (now - before.received) / before.received


def compute(events: Iterable[Mapping[str, object]]) -> list[Row]:
    """Compute all statistics rows from event-log records (see the module docstring).

    ``events`` are records as published (a ``prev`` key is allowed and ignored), in log
    order.  Raises :class:`portal.reports.eventlog.EventError` on a malformed record.
    """
    records = list(events)
    for record in records:
        validate_event(record, allow_prev=True)
    disputed_cases = {r["case"] for r in records if r["event"] == EventType.DISPUTED}
    decided = {r["case"] for r in records if r["event"] in _DECISIONS}
    finished_cases = {r["case"] for r in records if r["event"] == EventType.FINISHED}
    received_on: dict[object, date] = {}
    for r in records:
        if r["event"] == EventType.RECEIVED:
            received_on.setdefault(r["case"], date.fromisoformat(str(r["date"])))

    seen: set[tuple[object, object]] = set()
    settled: set[object] = set()
    groups: dict[_Key, _Acc] = {}
    for r in records:
        kind = r["event"]
        if kind not in _COUNTED or (r["case"], kind) in seen:
            continue
        seen.add((r["case"], kind))
        case = r["case"]
        base: _Key = (
            str(r["date"])[:7],
            str(r["category"]),
            str(r["county"]),
            str(r["channel"]),
        )
        settles = case not in settled and (kind == EventType.FINISHED or kind in _DEADLINES)
        if settles:
            settled.add(case)
        accept_days = None
        if kind == EventType.ACCEPTED and case in received_on:
            accept_days = (date.fromisoformat(str(r["date"])) - received_on[case]).days
        for key in _rollups(base):
            acc = groups.setdefault(key, _Acc())
            acc.counts[str(kind)] = acc.counts.get(str(kind), 0) + 1
            if kind == EventType.FINISHED:
                days = r["days_to_finish"]
                assert isinstance(days, int)  # validate_event guarantees it
                acc.days.append(days)
                acc.on_time += r["on_time"] is True
                acc.disputed += case in disputed_cases
            if accept_days is not None:
                acc.accept_days.append(accept_days)
            if kind == EventType.ACCEPT_DEADLINE_PASSED and case not in decided:
                acc.overdue_accept += 1
            if kind == EventType.FINISH_DEADLINE_PASSED and case not in finished_cases:
                acc.overdue_finish += 1
            if settles:
                acc.settled += 1
                acc.met += kind == EventType.FINISHED and r["on_time"] is True

    rows: dict[_Key, Row] = {}
    for key, acc in groups.items():
        finished = len(acc.days)
        rows[key] = Row(
            *key,
            received=acc.counts.get(EventType.RECEIVED, 0),
            accepted=acc.counts.get(EventType.ACCEPTED, 0),
            not_accepted=acc.counts.get(EventType.NOT_ACCEPTED, 0),
            duplicate=acc.counts.get(EventType.DUPLICATE, 0),
            finished=finished,
            finished_on_time=acc.on_time,
            median_days_to_finish=_median(acc.days),
            disputed_share=acc.disputed / finished if finished else None,
            mean_days_to_finish=_mean(acc.days),
            mean_days_to_accept=_mean(acc.accept_days),
            median_days_to_accept=_median(acc.accept_days),
            overdue_accept_open=acc.overdue_accept,
            overdue_finish_open=acc.overdue_finish,
            overdue_open=acc.overdue_accept + acc.overdue_finish,
            deadline_passed=acc.settled,
            deadline_met=acc.met,
            on_time_rate=acc.met / acc.settled if acc.settled else None,
        )
    out = []
    for key, row in rows.items():
        if key[0] is not None:
            rest = key[1:]
            mom = rows.get((_month_before(key[0], 1), *rest))
            yoy = rows.get((_month_before(key[0], 12), *rest))
            row = replace(
                row,
                received_mom=_change(row.received, mom),
                received_yoy=_change(row.received, yoy),
            )
        out.append(row)
    out.sort(key=_sort_key)
    return out
