"""One error convention for every feature: refusals carry machine codes, words live in one
place per feature.

A refusal the user can act on (a bad cell, a taken number, a step the workflow does not
allow) is raised as a `Refusal`: a stable machine `code`, the `field` (form field or file
column) it concerns, the `row` of an imported file, and `params` for the words. This module
is pure (no Flask, no database), so pure cores raise refusals too. Each feature keeps its
words for every code it raises in one `Messages` table in `<feature>/messages.py` (core's
own in `portal/core/messages.py`); views and the CLI ask it for the translated text.
`Problems` gathers every refusal one submission earns, so the official sees them all at
once, not one per try.

Why codes rather than translated text at the raise site: pure cores cannot translate, APIs
and the CLI need stable identifiers, tests pin codes instead of wording, and one table per
feature is where a translator or a reviewer finds every message. Any other exception is a
bug or an outage, answered by the 500/503 pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


class Refusal(ValueError):
    """One thing the user must change. `code`: snake_case machine identifier; `field`: the
    form field or column ("" for the whole submission); `row`: the spreadsheet row (header
    is row 1); `params`: values for the message's `%(name)s` placeholders (`code` and
    `field` are positional, so a text may name its own `%(code)s`, e.g. a county code)."""

    def __init__(self, code: str, field: str = "", /, *, row: int | None = None, **params: Any):
        super().__init__(code)
        self.code = str(code)
        self.field = field
        self.row = row
        self.params = params

    def on(self, field: str) -> Refusal:
        """The same refusal, said of another field (a check made on one value whose answer
        the form shows beside another)."""
        return Refusal(self.code, field, row=self.row, **self.params)

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (self.field, f"row {self.row}" if self.row else "") if part
        )
        return f"{self.code} ({where})" if where else self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, field={self.field!r}, row={self.row!r})"


class Problems(ValueError):
    """Every refusal of one submission. Collect with `add`, then `check()` raises the
    collection if anything was added (services validate the whole form before refusing)."""

    def __init__(self, refusals: Iterable[Refusal] = ()) -> None:
        self.refusals: list[Refusal] = list(refusals)
        super().__init__(self.refusals)

    def add(self, code: str, field: str = "", /, *, row: int | None = None, **params: Any) -> None:
        self.refusals.append(Refusal(code, field, row=row, **params))

    def append(self, refusal: Refusal) -> None:
        self.refusals.append(refusal)

    def extend(self, refusals: Iterable[Refusal]) -> None:
        self.refusals.extend(refusals)

    def check(self) -> None:
        if self.refusals:
            raise self

    def __contains__(self, field: object) -> bool:
        return any(r.field == field for r in self.refusals)

    def __iter__(self) -> Iterator[Refusal]:
        return iter(self.refusals)

    def __len__(self) -> int:
        return len(self.refusals)

    def __bool__(self) -> bool:
        return bool(self.refusals)

    @property
    def codes(self) -> dict[str, str]:
        """field → code of its first refusal (what tests and APIs compare)."""
        found: dict[str, str] = {}
        for refusal in self.refusals:
            found.setdefault(refusal.field, refusal.code)
        return found

    def __str__(self) -> str:
        return "; ".join(str(r) for r in self.refusals)


def _plain(value: Any) -> Any:
    """Numbers stay numbers (for %(n)d); anything else, lazy labels too, becomes text."""
    return value if isinstance(value, int | float) else str(value)


def refusals_of(error: Refusal | Problems) -> list[Refusal]:
    return list(error) if isinstance(error, Problems) else [error]


class Messages:
    """A feature's words for its codes: `{code: lazy text}`; a text may use `%(name)s`
    placeholders filled from the refusal's `params` (lazy labels are translated when
    filled; a trailing underscore is dropped, so `row_=` fills `%(row)s`). `fallback`:
    another table consulted for codes this one lacks (core's table-reader codes)."""

    def __init__(
        self,
        words: Mapping[str, Any],
        fallback: Messages | None = None,
    ) -> None:
        self.words = dict(words)
        self.fallback = fallback

    def __contains__(self, code: object) -> bool:
        return code in self.words or (self.fallback is not None and code in self.fallback)

    @property
    def codes(self) -> set[str]:
        return set(self.words) | (self.fallback.codes if self.fallback else set())

    def _template(self, code: str) -> Any:
        if code in self.words:
            return self.words[code]
        if self.fallback is not None:
            return self.fallback._template(code)
        raise KeyError(f"no message for refusal code {code!r}")

    def text(self, refusal: Refusal) -> str:
        """The translated sentence for `refusal` (in the request's language)."""
        template = str(self._template(refusal.code))
        if not refusal.params:
            return template
        # `row_=` fills %(row)s: `row` is the refusal's own keyword.
        return template % {k.removesuffix("_"): _plain(v) for k, v in refusal.params.items()}

    def texts(self, error: Refusal | Problems) -> list[str]:
        return [self.text(r) for r in refusals_of(error)]

    def by_field(self, error: Refusal | Problems) -> dict[str, list[str]]:
        """field → its messages, in the order raised ("" holds the whole form's)."""
        found: dict[str, list[str]] = {}
        for refusal in refusals_of(error):
            found.setdefault(refusal.field, []).append(self.text(refusal))
        return found
