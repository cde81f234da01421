"""The verifiable "double random" (双随机) inspection draw: commit, reveal, verify.

The procedure is public so that anyone can reproduce a draw from its published document:

1. **Commit.**  The agency freezes the enterprise pool and the inspector pool (each a list
   of code strings, sorted by plain string order, no duplicates), the conflict-of-interest
   pairs and the two counts, generates a secret with :func:`new_secret` (64 lowercase hex
   characters from 32 random bytes) and publishes ``commitment = sha256(secret)`` (of its
   ASCII bytes, hex) together with everything frozen.
2. **Draw.**  After the commitment is public, a public entropy text ``E`` is fixed (e.g. a
   lottery result announced later; it may be empty).  Then::

       seed  = sha256(utf8(secret + "|" + E)).hexdigest()
       score(c)    = HMAC-SHA256(key=utf8(seed), msg=utf8("entity|" + c)).hexdigest()
       score(c, i) = HMAC-SHA256(key=utf8(seed), msg=utf8("inspector|" + c + "|" + i)).hexdigest()

   The ``select_count`` enterprises with the lowest ``score(c)`` are selected, in ascending
   score order.  For each, the ``inspectors_per_entity`` inspectors with the lowest
   ``score(c, i)`` among those not in conflict with ``c`` are assigned, ascending.  Scores
   are hex strings of equal length, so comparing them as strings compares them as numbers.
3. **Reveal.**  The secret, ``E``, the seed and the result are published; :func:`verify`
   recomputes every step from the document alone.

Neither side can steer the outcome alone: the secret is fixed before ``E`` is known, and
``E`` is public and outside the agency's control.  The one residual power of the agency is
to refuse to reveal; that is visible, because the commitment stays public.  The commitment
covers only the secret, so the pools must also be checked against the document published
at commit time (``verify(document, published=...)``); otherwise a pool could be edited
before the reveal.

**Binding the entropy.**  The commitment alone does not stop an agency from revealing with
a different ``E`` than the public one (and recomputing the selection to match), so the
document published at commit time also names the entropy's *source* and the *moment* it is
taken (``entropy_source``: the source and event, e.g. "Welfare Lottery 3D, draw 2026235",
an ISO 8601 UTC time ``at`` after ``committed_at``, and optionally a ``pattern`` the value
must fully match, which removes any choice of how to write it).  ``E`` is the value that
source published, in canonical form (:func:`canonical_entropy`: NFKC, runs of whitespace
made one space, trimmed).  The portal cannot know it at commit time, and verification
takes it from the source, not from the document: ``verify(..., published=snapshot,
observed_entropy=value read at the source)`` fails unless the snapshot names a source
and moment after the commitment, the later document keeps them unchanged, and the
document's ``E`` is the canonical form of the observed value.  Without an observed value
the ``entropy`` check fails as "not confirmed": a document is never called verified on the
agency's word for ``E``.

All errors carry machine codes (:class:`DrawError` is a core ``Refusal``); translating them
is the caller's job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, NamedTuple

from portal.core.problems import Refusal

__all__ = [
    "CHECK_ASSIGNMENTS",
    "CHECK_COMMITMENT",
    "CHECK_CONFLICTS",
    "CHECK_DOCUMENT",
    "CHECK_ENTROPY",
    "CHECK_ENTROPY_SOURCE",
    "CHECK_PARAMETERS",
    "CHECK_POOLS",
    "CHECK_PUBLISHED",
    "CHECK_SEED",
    "CHECK_SELECTION",
    "DOCUMENT_FIELDS",
    "STATUS_COMMITTED",
    "STATUS_REVEALED",
    "Check",
    "Conflict",
    "DrawError",
    "DrawResult",
    "DrawSetup",
    "EntropySource",
    "SelectedEntity",
    "VerifyReport",
    "canonical_entropy",
    "commitment",
    "derive_seed",
    "draw",
    "entity_score",
    "entropy_problem",
    "entropy_source_of",
    "freeze_pool",
    "inspector_score",
    "new_secret",
    "prepare",
    "to_document",
    "verify",
]

STATUS_COMMITTED: Final = "committed"
STATUS_REVEALED: Final = "revealed"

# Check codes reported by verify(), in the order they are run.
CHECK_DOCUMENT: Final = "document"  # fields present and of the right types
CHECK_POOLS: Final = "pools"  # pools sorted, unique, codes well-formed
CHECK_PARAMETERS: Final = "parameters"  # counts in range, conflicts known, enough inspectors
CHECK_COMMITMENT: Final = "commitment"  # sha256(secret) == commitment
CHECK_SEED: Final = "seed"  # sha256(secret|entropy) == seed
CHECK_SELECTION: Final = "selection"  # selected enterprises reproduce, in order
CHECK_ASSIGNMENTS: Final = "assignments"  # inspector lists reproduce, in order
CHECK_CONFLICTS: Final = "conflicts"  # no assignment is a declared conflict
CHECK_PUBLISHED: Final = "published"  # frozen fields equal the commit-time document
# With the commit-time document: it names the entropy's source and a moment after the commit.
CHECK_ENTROPY_SOURCE: Final = "entropy_source"
# The entropy is the canonical form of the value observed at the named source.
CHECK_ENTROPY: Final = "entropy"

_HEX64: Final = re.compile(r"[0-9a-f]{64}")
# Codes are opaque strings (credit codes, enforcement certificate numbers...), but "|" is
# the field separator in the HMAC messages, so it is refused to keep messages unambiguous.
# Whitespace and control characters are refused because two codes that print the same
# must not be different pool members.  The length cap keeps documents reasonable.
_MAX_CODE: Final = 64

# Field order of the public document; to_document() emits exactly these keys.
DOCUMENT_FIELDS: Final = (
    "id",
    "status",
    "commitment",
    "secret",
    "entropy",
    "seed",
    "entity_pool",
    "inspector_pool",
    "conflicts",
    "select_count",
    "inspectors_per_entity",
    "selected",
)
# Emitted by to_document() when given; required by the entropy checks (older documents,
# from before the entropy was bound, lack them and fail those checks).
BINDING_FIELDS: Final = ("committed_at", "entropy_source", "revealed_at")


class DrawError(Refusal):
    """Invalid draw input, a :class:`~portal.core.problems.Refusal`.  ``code`` is a stable
    machine identifier; ``subject`` names the offending code (enterprise, inspector) when
    there is one, and is the ``subject`` parameter of the refusal's words (in
    ``portal.enforcement.messages``).

    Codes: ``bad_secret``, ``bad_entropy``, ``bad_code``, ``duplicate_code``,
    ``pool_not_sorted``, ``select_count_not_positive``, ``select_count_too_large``,
    ``inspectors_per_entity_not_positive``, ``conflict_unknown_entity``,
    ``conflict_unknown_inspector``, ``insufficient_inspectors``.
    """

    def __init__(self, code: str, subject: str | None = None) -> None:
        super().__init__(code, subject=subject or "")
        self.subject = subject

    def __str__(self) -> str:
        return self.code if self.subject is None else f"{self.code}: {self.subject!r}"


@dataclass(frozen=True, slots=True, order=True)
class Conflict:
    """A declared conflict of interest: ``inspector`` must never inspect ``entity``."""

    entity: str
    inspector: str


@dataclass(frozen=True, slots=True)
class SelectedEntity:
    """One selected enterprise and its assigned inspectors, in ascending score order."""

    entity: str
    inspectors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DrawResult:
    """Outcome of a draw: the seed and the selected enterprises in ascending score order."""

    seed: str
    selected: tuple[SelectedEntity, ...]


@dataclass(frozen=True, slots=True)
class DrawSetup:
    """Everything frozen at commit time.  Build it with :func:`prepare`; constructing it
    directly also validates (so every instance can be drawn), but does not sort."""

    entity_pool: tuple[str, ...]
    inspector_pool: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    select_count: int
    inspectors_per_entity: int

    def __post_init__(self) -> None:
        for pool in (self.entity_pool, self.inspector_pool):
            problem = _pool_problem(pool)
            if problem is not None:
                raise problem
        problem = _parameter_problem(
            self.entity_pool,
            self.inspector_pool,
            self.conflicts,
            self.select_count,
            self.inspectors_per_entity,
        )
        if problem is not None:
            raise problem


@dataclass(frozen=True, slots=True)
class EntropySource:
    """Where the public entropy will come from, fixed at commit time: ``name`` (the public
    source and event), ``at`` (aware datetime; when the source publishes the value, after
    the commitment) and an optional ``pattern`` (regular expression the canonical value must
    fully match)."""

    name: str
    at: dt.datetime
    pattern: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "at": _iso(self.at), "pattern": self.pattern}


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _moment(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _source(value: object) -> EntropySource | None:
    if not isinstance(value, Mapping):
        return None
    name, at, pattern = value.get("name"), _moment(value.get("at")), value.get("pattern")
    if not isinstance(name, str) or not name.strip() or at is None:
        return None
    if pattern is not None:
        if not isinstance(pattern, str):
            return None
        try:
            re.compile(pattern)
        except re.error:
            return None
    return EntropySource(name, at, pattern)


def entropy_source_of(document: Mapping[str, Any]) -> EntropySource | None:
    """The entropy source a draw document names (None if it names none or is malformed)."""
    return _source(document.get("entropy_source"))


def canonical_entropy(text: str) -> str:
    """The one way to write an entropy value: NFKC-normalised (full-width digits become
    ASCII), each run of whitespace one space, no leading or trailing space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def entropy_problem(source: EntropySource, value: str) -> str | None:
    """Why ``value`` cannot be the entropy from ``source`` (English), or None."""
    if value != canonical_entropy(value):
        return "entropy is not in canonical form"
    if source.pattern is not None and re.fullmatch(source.pattern, value) is None:
        return f"entropy does not have the announced form {source.pattern}"
    return None


class Check(NamedTuple):
    """One verification step: machine ``code`` (``CHECK_*``), outcome, English detail."""

    code: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Result of :func:`verify`.  ``ok`` is true when every check passed.  For a
    ``committed`` document only the document, pools and parameters can be checked, so
    ``ok`` then means "well-formed", not "draw reproduced"; see ``status``."""

    draw_id: str | int | None
    status: str | None
    checks: tuple[Check, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)


# --- primitives -----------------------------------------------------------------------


def new_secret() -> str:
    """Return a fresh draw secret: 32 bytes from :mod:`secrets` as 64 lowercase hex."""
    return secrets.token_hex(32)


def _check_secret(secret: object) -> str:
    if not isinstance(secret, str) or not _HEX64.fullmatch(secret):
        raise DrawError("bad_secret")
    return secret


def commitment(secret: str) -> str:
    """Return the public commitment to ``secret``: sha256 of its ASCII bytes, hex."""
    return hashlib.sha256(_check_secret(secret).encode("ascii")).hexdigest()


def _utf8(text: str) -> bytes:
    # Lone surrogates (possible in JSON input) cannot be encoded; refuse them explicitly.
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise DrawError("bad_entropy") from None


def derive_seed(secret: str, entropy: str) -> str:
    """Return ``sha256(utf8(secret + "|" + entropy)).hexdigest()``."""
    return hashlib.sha256(_utf8(_check_secret(secret) + "|" + entropy)).hexdigest()


def _hmac_hex(seed: str, message: str) -> str:
    return hmac.new(seed.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def entity_score(seed: str, entity: str) -> str:
    """Score of an enterprise: ``HMAC-SHA256(seed, "entity|" + entity)``, hex."""
    return _hmac_hex(seed, "entity|" + entity)


def inspector_score(seed: str, entity: str, inspector: str) -> str:
    """Score of an inspector for an enterprise: ``HMAC-SHA256(seed, "inspector|" + entity
    + "|" + inspector)``, hex."""
    return _hmac_hex(seed, "inspector|" + entity + "|" + inspector)


def _lowest(scored: Iterable[tuple[str, str]], count: int) -> tuple[str, ...]:
    """The ``count`` codes with the lowest score, ascending.  Ties (a SHA-256 collision on
    the leading bits of all 256, i.e. never) fall back to the code itself so that the
    result is still a deterministic function of the inputs."""
    return tuple(code for _, code in sorted(scored)[:count])


def _code_problem(code: object) -> DrawError | None:
    if (
        not isinstance(code, str)
        or not code
        or len(code) > _MAX_CODE
        or "|" in code
        or any(ch.isspace() or not ch.isprintable() for ch in code)
    ):
        return DrawError("bad_code", code if isinstance(code, str) else repr(code))
    return None


def _pool_problem(pool: Sequence[object]) -> DrawError | None:
    """Codes well-formed and strictly ascending (which also means unique)."""
    for code in pool:
        problem = _code_problem(code)
        if problem is not None:
            return problem
    for before, after in itertools.pairwise(pool):
        assert isinstance(before, str) and isinstance(after, str)  # checked above
        if before == after:
            return DrawError("duplicate_code", after)
        if before > after:
            return DrawError("pool_not_sorted", after)
    return None


def _is_int(value: object) -> bool:
    # bool is an int subclass; True must not count as 1 (JSON true is not a number).
    return isinstance(value, int) and not isinstance(value, bool)


def _parameter_problem(
    entity_pool: Sequence[str],
    inspector_pool: Sequence[str],
    conflicts: Iterable[Conflict],
    select_count: int,
    inspectors_per_entity: int,
) -> DrawError | None:
    """Everything that can be checked before the secret and entropy exist.  Checking that
    *every* enterprise (not just the selected ones) has enough eligible inspectors means a
    committed draw can always be revealed: it never fails depending on the random outcome."""
    if not _is_int(select_count) or select_count <= 0:
        return DrawError("select_count_not_positive")
    if select_count > len(entity_pool):
        return DrawError("select_count_too_large")
    if not _is_int(inspectors_per_entity) or inspectors_per_entity <= 0:
        return DrawError("inspectors_per_entity_not_positive")
    entities, inspectors = set(entity_pool), set(inspector_pool)
    blocked: dict[str, set[str]] = {}
    for conflict in conflicts:
        if conflict.entity not in entities:
            return DrawError("conflict_unknown_entity", conflict.entity)
        if conflict.inspector not in inspectors:
            return DrawError("conflict_unknown_inspector", conflict.inspector)
        blocked.setdefault(conflict.entity, set()).add(conflict.inspector)
    for entity in entity_pool:
        if len(inspectors) - len(blocked.get(entity, ())) < inspectors_per_entity:
            return DrawError("insufficient_inspectors", entity)
    return None


# --- draw -------------------------------------------------------------------------------


def freeze_pool(codes: Iterable[str]) -> tuple[str, ...]:
    """Return ``codes`` sorted by plain string order; :class:`DrawError` ``bad_code`` or
    ``duplicate_code`` if a code is malformed or repeated."""
    pool = list(codes)
    seen: set[str] = set()
    for code in pool:
        problem = _code_problem(code)
        if problem is not None:
            raise problem
        if code in seen:
            raise DrawError("duplicate_code", code)
        seen.add(code)
    return tuple(sorted(pool))


def prepare(
    entity_pool: Iterable[str],
    inspector_pool: Iterable[str],
    conflicts: Iterable[Conflict | tuple[str, str]] = (),
    *,
    select_count: int,
    inspectors_per_entity: int,
) -> DrawSetup:
    """Validate and freeze a draw's inputs (commit time).  Pools are sorted; conflicts are
    de-duplicated and sorted.  Raises :class:`DrawError`."""
    frozen_conflicts = tuple(
        sorted({c if isinstance(c, Conflict) else Conflict(*c) for c in conflicts})
    )
    return DrawSetup(
        entity_pool=freeze_pool(entity_pool),
        inspector_pool=freeze_pool(inspector_pool),
        conflicts=frozen_conflicts,
        select_count=select_count,
        inspectors_per_entity=inspectors_per_entity,
    )


def _compute(
    seed: str,
    entity_pool: Iterable[str],
    inspector_pool: Sequence[str],
    conflicts: Iterable[Conflict],
    select_count: int,
    inspectors_per_entity: int,
) -> tuple[SelectedEntity, ...]:
    blocked = {(c.entity, c.inspector) for c in conflicts}
    chosen = _lowest(((entity_score(seed, e), e) for e in entity_pool), select_count)
    # The same inspector may be assigned to several enterprises: each enterprise draws
    # independently from the whole (non-conflicted) inspector pool.  This is standard
    # 双随机 practice and keeps the per-enterprise assignment unbiased; the agency
    # spreads visits over time if one inspector lands on several.
    return tuple(
        SelectedEntity(
            entity,
            _lowest(
                (
                    (inspector_score(seed, entity, i), i)
                    for i in inspector_pool
                    if (entity, i) not in blocked
                ),
                inspectors_per_entity,
            ),
        )
        for entity in chosen
    )


def draw(setup: DrawSetup, secret: str, entropy: str) -> DrawResult:
    """Run the draw for a committed ``setup`` once ``entropy`` is public.  Raises
    :class:`DrawError` ``bad_secret`` or ``bad_entropy``."""
    seed = derive_seed(secret, entropy)
    return DrawResult(
        seed=seed,
        selected=_compute(
            seed,
            setup.entity_pool,
            setup.inspector_pool,
            setup.conflicts,
            setup.select_count,
            setup.inspectors_per_entity,
        ),
    )


def to_document(
    draw_id: str | int,
    setup: DrawSetup,
    commitment_hex: str,
    *,
    secret: str | None = None,
    entropy: str | None = None,
    result: DrawResult | None = None,
    committed_at: dt.datetime | None = None,
    entropy_source: EntropySource | None = None,
    revealed_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Build the public JSON document of a draw.

    ``committed_at`` and ``entropy_source`` bind the entropy (see the module notes); given,
    they are emitted (with ``revealed_at`` once revealed) after the fields of
    :data:`DOCUMENT_FIELDS`.

    Without ``secret``/``entropy``/``result`` the document has status ``committed`` and
    those fields (and ``seed``) are ``null``.  With all three it is ``revealed``; they are
    checked against ``commitment_hex`` and ``setup`` (:class:`ValueError` if inconsistent),
    so a document this function returns always passes :func:`verify`.
    """
    base: dict[str, Any] = {
        "id": draw_id,
        "status": STATUS_COMMITTED,
        "commitment": commitment_hex,
        "secret": None,
        "entropy": None,
        "seed": None,
        "entity_pool": list(setup.entity_pool),
        "inspector_pool": list(setup.inspector_pool),
        "conflicts": [{"entity": c.entity, "inspector": c.inspector} for c in setup.conflicts],
        "select_count": setup.select_count,
        "inspectors_per_entity": setup.inspectors_per_entity,
        "selected": None,
    }
    if not isinstance(commitment_hex, str) or not _HEX64.fullmatch(commitment_hex):
        raise ValueError("commitment must be 64 lowercase hex characters")
    if committed_at is not None or entropy_source is not None:
        base["committed_at"] = _iso(committed_at) if committed_at else None
        base["entropy_source"] = entropy_source.as_json() if entropy_source else None
        base["revealed_at"] = None
    given = (secret is not None, entropy is not None, result is not None)
    if not any(given):
        return base
    if not all(given):
        raise ValueError("secret, entropy and result must be given together")
    assert secret is not None and entropy is not None and result is not None
    if commitment(secret) != commitment_hex:
        raise ValueError("secret does not match the commitment")
    if draw(setup, secret, entropy) != result:
        raise ValueError("result is not the draw of this setup, secret and entropy")
    base.update(
        status=STATUS_REVEALED,
        secret=secret,
        entropy=entropy,
        seed=result.seed,
        selected=[{"entity": s.entity, "inspectors": list(s.inspectors)} for s in result.selected],
    )
    if "revealed_at" in base and revealed_at is not None:
        base["revealed_at"] = _iso(revealed_at)
    return base


# --- verify -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A document's fields after type checks (pools not yet checked for order)."""

    draw_id: str | int
    status: str
    commitment: str
    entity_pool: tuple[str, ...]
    inspector_pool: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    select_count: int
    inspectors_per_entity: int
    # Only for revealed documents:
    secret: str | None
    entropy: str | None
    seed: str | None
    selected: tuple[SelectedEntity, ...] | None


def _str_list(value: object) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


def _parse(document: object) -> _Parsed | str:
    """Type-check ``document``; return the parsed form or an English problem description.
    Semantic checks (order, counts, hashes) are left to the individual checks."""
    if not isinstance(document, Mapping):
        return "document is not a JSON object"
    missing = [name for name in DOCUMENT_FIELDS if name not in document]
    if missing:
        return "missing field(s): " + ", ".join(missing)
    draw_id, status = document["id"], document["status"]
    if not (isinstance(draw_id, str) or _is_int(draw_id)):
        return "id must be a string or an integer"
    if status not in (STATUS_COMMITTED, STATUS_REVEALED):
        return f"status must be {STATUS_COMMITTED!r} or {STATUS_REVEALED!r}"
    if not isinstance(document["commitment"], str):
        return "commitment must be a string"
    entity_pool = _str_list(document["entity_pool"])
    inspector_pool = _str_list(document["inspector_pool"])
    if entity_pool is None or inspector_pool is None:
        return "entity_pool and inspector_pool must be lists of strings"
    raw_conflicts = document["conflicts"]
    if not isinstance(raw_conflicts, list) or not all(
        isinstance(c, Mapping)
        and isinstance(c.get("entity"), str)
        and isinstance(c.get("inspector"), str)
        for c in raw_conflicts
    ):
        return "conflicts must be a list of {entity, inspector} string pairs"
    conflicts = tuple(Conflict(c["entity"], c["inspector"]) for c in raw_conflicts)
    select_count, per_entity = document["select_count"], document["inspectors_per_entity"]
    if not _is_int(select_count) or not _is_int(per_entity):
        return "select_count and inspectors_per_entity must be integers"
    parsed = _Parsed(
        draw_id=draw_id,
        status=status,
        commitment=document["commitment"],
        entity_pool=entity_pool,
        inspector_pool=inspector_pool,
        conflicts=conflicts,
        select_count=select_count,
        inspectors_per_entity=per_entity,
        secret=None,
        entropy=None,
        seed=None,
        selected=None,
    )
    if status == STATUS_COMMITTED:
        return parsed
    secret, entropy, seed = document["secret"], document["entropy"], document["seed"]
    if not isinstance(secret, str) or not _HEX64.fullmatch(secret):
        return "secret must be 64 lowercase hex characters"
    if not isinstance(entropy, str):
        return "entropy must be a string"
    try:
        entropy.encode("utf-8")
    except UnicodeEncodeError:
        return "entropy is not valid Unicode text"
    if not isinstance(seed, str):
        return "seed must be a string"
    raw_selected = document["selected"]
    if not isinstance(raw_selected, list) or not all(
        isinstance(s, Mapping)
        and isinstance(s.get("entity"), str)
        and _str_list(s.get("inspectors")) is not None
        for s in raw_selected
    ):
        return "selected must be a list of {entity, inspectors: [string]} objects"
    selected = tuple(SelectedEntity(s["entity"], tuple(s["inspectors"])) for s in raw_selected)
    return replace(parsed, secret=secret, entropy=entropy, seed=seed, selected=selected)


def _problem_detail(problem: DrawError) -> str:
    return problem.code if problem.subject is None else f"{problem.code}: {problem.subject}"


def _short(values: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(values[:limit])
    return f"[{shown}{', …' if len(values) > limit else ''}]"


def _check_pools(doc: _Parsed) -> Check:
    for name, pool in (("entity_pool", doc.entity_pool), ("inspector_pool", doc.inspector_pool)):
        problem = _pool_problem(pool)
        if problem is not None:
            return Check(CHECK_POOLS, False, f"{name}: {_problem_detail(problem)}")
    return Check(
        CHECK_POOLS,
        True,
        f"{len(doc.entity_pool)} enterprises, {len(doc.inspector_pool)} inspectors, "
        "sorted and unique",
    )


def _check_parameters(doc: _Parsed) -> Check:
    problem = _parameter_problem(
        doc.entity_pool,
        doc.inspector_pool,
        doc.conflicts,
        doc.select_count,
        doc.inspectors_per_entity,
    )
    if problem is not None:
        return Check(CHECK_PARAMETERS, False, _problem_detail(problem))
    return Check(
        CHECK_PARAMETERS,
        True,
        f"select {doc.select_count}, {doc.inspectors_per_entity} inspector(s) each, "
        f"{len(doc.conflicts)} declared conflict(s)",
    )


def _check_revealed(doc: _Parsed) -> list[Check]:
    assert doc.secret is not None and doc.entropy is not None
    assert doc.seed is not None and doc.selected is not None
    checks: list[Check] = []

    expected_commitment = commitment(doc.secret)
    checks.append(
        Check(CHECK_COMMITMENT, True, "sha256(secret) equals the commitment")
        if expected_commitment == doc.commitment
        else Check(
            CHECK_COMMITMENT,
            False,
            f"sha256(secret) is {expected_commitment}, document commits to {doc.commitment}",
        )
    )

    # Everything below is recomputed from secret + entropy, not from the document's seed:
    # a forged seed must not be able to "explain" a forged selection.
    seed = derive_seed(doc.secret, doc.entropy)
    checks.append(
        Check(CHECK_SEED, True, "sha256(secret|entropy) equals the seed")
        if seed == doc.seed
        else Check(CHECK_SEED, False, f"sha256(secret|entropy) is {seed}, document has {doc.seed}")
    )

    # Recompute over the pools as given; set semantics make this meaningful even if the
    # pools check failed, so each problem is reported on its own line.
    expected = _compute(
        seed,
        dict.fromkeys(doc.entity_pool),
        tuple(dict.fromkeys(doc.inspector_pool)),
        doc.conflicts,
        min(max(doc.select_count, 0), len(set(doc.entity_pool))),
        max(doc.inspectors_per_entity, 0),
    )
    want = [s.entity for s in expected]
    got = [s.entity for s in doc.selected]
    if want == got:
        checks.append(Check(CHECK_SELECTION, True, f"{len(want)} enterprise(s) reproduced"))
    else:
        checks.append(
            Check(CHECK_SELECTION, False, f"expected {_short(want)}, document has {_short(got)}")
        )

    wrong = [
        f"{w.entity}: expected {_short(w.inspectors)}, document has {_short(g.inspectors)}"
        for w, g in zip(expected, doc.selected, strict=False)
        if w.entity == g.entity and w.inspectors != g.inspectors
    ]
    if want != got:
        # Assignments are only comparable per enterprise; a wrong selection already failed.
        checks.append(
            Check(
                CHECK_ASSIGNMENTS,
                False,
                "; ".join(wrong) if wrong else "not comparable: selection differs",
            )
        )
    elif wrong:
        checks.append(Check(CHECK_ASSIGNMENTS, False, "; ".join(wrong[:3])))
    else:
        checks.append(Check(CHECK_ASSIGNMENTS, True, "every inspector list reproduced"))

    blocked = {(c.entity, c.inspector) for c in doc.conflicts}
    violations = [
        f"{i} on {s.entity}" for s in doc.selected for i in s.inspectors if (s.entity, i) in blocked
    ]
    checks.append(
        Check(CHECK_CONFLICTS, False, "conflicted assignment(s): " + ", ".join(violations[:6]))
        if violations
        else Check(CHECK_CONFLICTS, True, "no assignment is a declared conflict")
    )
    return checks


def _check_published(doc: _Parsed, published: object) -> Check:
    """The fields frozen at commit time must be unchanged in the later document."""
    earlier = _parse(published)
    if isinstance(earlier, str):
        return Check(CHECK_PUBLISHED, False, f"published document malformed: {earlier}")
    differences = [
        name
        for name, now, then in (
            ("id", doc.draw_id, earlier.draw_id),
            ("commitment", doc.commitment, earlier.commitment),
            ("entity_pool", doc.entity_pool, earlier.entity_pool),
            ("inspector_pool", doc.inspector_pool, earlier.inspector_pool),
            ("conflicts", set(doc.conflicts), set(earlier.conflicts)),
            ("select_count", doc.select_count, earlier.select_count),
            ("inspectors_per_entity", doc.inspectors_per_entity, earlier.inspectors_per_entity),
        )
        if now != then
    ]
    if differences:
        return Check(CHECK_PUBLISHED, False, "changed since publication: " + ", ".join(differences))
    return Check(CHECK_PUBLISHED, True, "commitment, pools and parameters match publication")


def _check_binding(
    doc: _Parsed,
    document: Mapping[str, Any],
    published: Mapping[str, Any] | None,
    observed: str | None,
) -> list[Check]:
    """The entropy's source and moment fixed at commit time, and its value as observed."""
    checks: list[Check] = []
    frozen = published if isinstance(published, Mapping) else document
    source = _source(frozen.get("entropy_source"))
    if published is not None:
        committed_at = _moment(frozen.get("committed_at"))
        revealed_at = _moment(document.get("revealed_at"))
        if committed_at is None or source is None:
            checks.append(
                Check(
                    CHECK_ENTROPY_SOURCE,
                    False,
                    "the commit-time document does not name the entropy's source and moment",
                )
            )
        elif source.at <= committed_at:
            checks.append(
                Check(
                    CHECK_ENTROPY_SOURCE,
                    False,
                    f"entropy taken at {_iso(source.at)}, not after the commitment "
                    f"({_iso(committed_at)})",
                )
            )
        elif any(document.get(k) != frozen.get(k) for k in ("entropy_source", "committed_at")):
            checks.append(
                Check(CHECK_ENTROPY_SOURCE, False, "entropy source changed since publication")
            )
        elif doc.status == STATUS_REVEALED and (revealed_at is None or revealed_at < source.at):
            checks.append(
                Check(
                    CHECK_ENTROPY_SOURCE,
                    False,
                    f"revealed before the entropy was public ({_iso(source.at)})",
                )
            )
        else:
            checks.append(
                Check(
                    CHECK_ENTROPY_SOURCE,
                    True,
                    f"{source.name}, taken at {_iso(source.at)}, after the commitment "
                    f"({_iso(committed_at)})",
                )
            )
    if doc.status != STATUS_REVEALED or (published is None and observed is None):
        return checks
    assert doc.entropy is not None
    if source is None:
        checks.append(Check(CHECK_ENTROPY, False, "no entropy source to check the entropy by"))
        return checks
    problem = entropy_problem(source, doc.entropy)
    if problem is not None:
        checks.append(Check(CHECK_ENTROPY, False, problem))
    elif observed is None:
        checks.append(
            Check(
                CHECK_ENTROPY,
                False,
                f"not confirmed: give the value {source.name} published at {_iso(source.at)} "
                "(--entropy)",
            )
        )
    elif canonical_entropy(observed) != doc.entropy:
        checks.append(
            Check(
                CHECK_ENTROPY,
                False,
                f"the source published {canonical_entropy(observed)!r}, "
                f"the document uses {doc.entropy!r}",
            )
        )
    else:
        checks.append(Check(CHECK_ENTROPY, True, "the entropy is the value the source published"))
    return checks


def verify(
    document: Mapping[str, Any],
    *,
    published: Mapping[str, Any] | None = None,
    observed_entropy: str | None = None,
) -> VerifyReport:
    """Recompute a draw from its public document and report each check.

    ``document`` is a parsed JSON object as built by :func:`to_document`; unknown extra
    keys are ignored.  For ``revealed`` documents every check is run; for ``committed``
    ones only ``document``, ``pools`` and ``parameters``.  If ``published`` (the document
    as published at commit time) is given, a ``published`` check compares the frozen
    fields, and the entropy is bound: the ``entropy_source`` check (source and moment named
    at commit time, after the commitment, unchanged) and, for a revealed document, the
    ``entropy`` check against ``observed_entropy``, the value read at the named source
    (failing as "not confirmed" without it).  Never raises on malformed input: that is a
    failed ``document`` check.
    """
    raw_id = document.get("id") if isinstance(document, Mapping) else None
    raw_status = document.get("status") if isinstance(document, Mapping) else None
    doc = _parse(document)
    if isinstance(doc, str):
        return VerifyReport(
            draw_id=raw_id if isinstance(raw_id, str) or _is_int(raw_id) else None,
            status=raw_status if isinstance(raw_status, str) else None,
            checks=(Check(CHECK_DOCUMENT, False, doc),),
        )
    checks = [
        Check(CHECK_DOCUMENT, True, f"well-formed, status {doc.status}"),
        _check_pools(doc),
        _check_parameters(doc),
    ]
    if doc.status == STATUS_REVEALED:
        checks.extend(_check_revealed(doc))
    if published is not None:
        checks.append(_check_published(doc, published))
    checks.extend(_check_binding(doc, document, published, observed_entropy))
    return VerifyReport(draw_id=doc.draw_id, status=doc.status, checks=tuple(checks))
