"""Pure calculations over an enterprise's record: the 12-quarter strip, case summaries and
the end of a publication period. Plain data in, plain data out; no Flask, no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class QuarterStatus(StrEnum):
    """The mark of one quarter in the strip (what the API's `quarters[].status` holds)."""

    CLEAN = "clean"
    INSPECTED = "inspected"
    VIOLATION = "violation"
    CARD = "card"


# A quarter shows its worst mark: an active card outranks a violation, which outranks a
# clean inspection.
RANK = {
    QuarterStatus.CLEAN: 0,
    QuarterStatus.INSPECTED: 1,
    QuarterStatus.VIOLATION: 2,
    QuarterStatus.CARD: 3,
}


@dataclass(frozen=True)
class Quarter:
    year: int
    q: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = self.next()
        return nxt.start - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)


def last_quarters(today: dt.date, count: int = 12) -> list[Quarter]:
    """The `count` quarters ending with today's, oldest first."""
    quarters = [Quarter.of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return list(reversed(quarters))


@dataclass(frozen=True)
class CardSpan:
    start: dt.date
    end: dt.date | None  # None: still in force


@dataclass(frozen=True)
class Mark:
    quarter: Quarter
    status: QuarterStatus


def quarter_strip(
    today: dt.date,
    card_spans: Iterable[CardSpan],
    inspections: Iterable[tuple[dt.date, bool]],
    violations: Iterable[dt.date],
    count: int = 12,
) -> list[Mark]:
    """Mark each of the last `count` quarters.

    `inspections` are (date, found_a_problem); `violations` are case filing dates. A card
    marks every quarter in which it was in force for at least one day.
    """
    quarters = last_quarters(today, count)
    status = dict.fromkeys(quarters, QuarterStatus.CLEAN)

    def raise_to(q: Quarter, mark: QuarterStatus) -> None:
        if q in status and RANK[mark] > RANK[status[q]]:
            status[q] = mark

    for day, problem in inspections:
        raise_to(Quarter.of(day), QuarterStatus.VIOLATION if problem else QuarterStatus.INSPECTED)
    for day in violations:
        raise_to(Quarter.of(day), QuarterStatus.VIOLATION)
    for span in card_spans:
        end = span.end or today
        for q in quarters:
            if span.start <= q.end and end >= q.start:
                raise_to(q, QuarterStatus.CARD)
    return [Mark(q, status[q]) for q in quarters]


@dataclass(frozen=True)
class CaseFact:
    day: dt.date  # decision date, or filing date while undecided
    fine: Decimal
    transferred: bool


@dataclass
class SummaryRow:
    period: str  # "2026" or "2026Q3"
    cases: int = 0
    fines: Decimal = Decimal(0)
    transfers: int = 0


def summarize(facts: Iterable[CaseFact]) -> tuple[list[SummaryRow], list[SummaryRow]]:
    """(per year, per quarter), each in chronological order; quarters without cases between
    the first and last one are included with zeros so a chart's axis has no gaps."""
    years: dict[int, SummaryRow] = {}
    quarters: dict[Quarter, SummaryRow] = {}
    for fact in facts:
        q = Quarter.of(fact.day)
        for row in (
            years.setdefault(q.year, SummaryRow(str(q.year))),
            quarters.setdefault(q, SummaryRow(q.label)),
        ):
            row.cases += 1
            row.fines += fact.fine
            row.transfers += int(fact.transferred)
    if quarters:
        first, last = min(quarters, key=_qkey), max(quarters, key=_qkey)
        q = first
        while q != last:
            q = q.next()
            quarters.setdefault(q, SummaryRow(q.label))
    return (
        [years[y] for y in sorted(years)],
        [quarters[q] for q in sorted(quarters, key=_qkey)],
    )


def _qkey(q: Quarter) -> tuple[int, int]:
    return (q.year, q.q)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def public_until(start: dt.date | None, years: int, repaired_on: dt.date | None) -> dt.date | None:
    """Last day an item is public: `years` after `start` (the decision or the lifting),
    earlier if a credit repair ended it. None: no end yet (e.g. a card still in force)."""
    end = None if start is None else add_years(start, years)
    if repaired_on is not None:
        end = repaired_on if end is None else min(end, repaired_on)
    return end
