"""Random inspection draws on the portal: commit (freeze the pools, publish the commitment)
and reveal (enter the public entropy, publish the result). The procedure itself is the pure
core in `draw.py`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.core import audit
from portal.core.clock import CHINA
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.problems import Problems, Refusal
from portal.enforcement import announcements, credit_code
from portal.enforcement import draw as drawing
from portal.enforcement.models import Draw, DrawStatus, Enterprise, Inspector
from portal.enforcement.publication import today
from portal.enforcement.service import actor, require_county, require_text


@dataclass
class DrawPlan:
    """The draw form. Empty code lists mean: the enterprises matching the pool filter, and
    every active inspector of the draw's county (of the region for a region-wide draw)."""

    title: str
    county: str | None
    planned_on: dt.date
    entropy_source: str
    select_count: int
    inspectors_per_entity: int
    # When the named source publishes the entropy (aware UTC; after the commitment), and
    # optionally the form of the value (a regular expression), both fixed at commit time.
    entropy_at: dt.datetime | None = None
    entropy_pattern: str | None = None
    title_en: str | None = None
    pool_county: str | None = None
    pool_industry: str | None = None
    pool_key_only: bool = False
    entity_codes: list[str] = field(default_factory=list)
    inspector_codes: list[str] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)


def next_draw_number(year: int) -> str:
    numbers = db.session.scalars(sa.select(Draw.number).where(Draw.number.like(f"{year}-%"))).all()
    last = max(
        (int(n.split("-", 1)[1]) for n in numbers if n.split("-", 1)[1].isdigit()), default=0
    )
    return f"{year}-{last + 1:03d}"


def _setup(document: Mapping[str, Any]) -> drawing.DrawSetup:
    return drawing.prepare(
        document["entity_pool"],
        document["inspector_pool"],
        [(c["entity"], c["inspector"]) for c in document["conflicts"]],
        select_count=document["select_count"],
        inspectors_per_entity=document["inspectors_per_entity"],
    )


def parse_codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;，；、]+", text or "") if c]


def parse_conflicts(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in (text or "").splitlines():
        parts = parse_codes(line)
        if not parts:
            continue
        if len(parts) != 2:
            raise Refusal("conflict_line_invalid", "conflicts")
        pairs.append((credit_code.normalize(parts[0]), parts[1]))
    return pairs


def pool_by_filter(county: str | None, industry: str | None, key_only: bool) -> list[str]:
    query = sa.select(Enterprise.code)
    if county:
        query = query.where(Enterprise.county == county)
    if industry:
        query = query.where(Enterprise.industry == industry)
    if key_only:
        query = query.where(Enterprise.key_discharger.is_(True))
    return list(db.session.scalars(query))


def commit_draw(plan: DrawPlan, *, now: dt.datetime | None = None) -> Draw:
    """Freeze the pools, generate the secret and publish the commitment, which names the
    entropy's source and the moment it is taken. `now` only for dated sample data."""
    county = plan.county or None
    require_county(county)
    pool_county = plan.pool_county or county
    if county and pool_county != county:
        raise Refusal("pool_county_not_draw_county", "pool_county")
    entity_codes = plan.entity_codes or pool_by_filter(
        pool_county, (plan.pool_industry or "").strip() or None, plan.pool_key_only
    )
    inspector_codes = plan.inspector_codes
    if not inspector_codes:
        query = sa.select(Inspector.code).where(Inspector.active.is_(True))
        if county:
            query = query.where(Inspector.county == county)
        inspector_codes = list(db.session.scalars(query))
    problems = Problems()
    title = require_text(problems, "title", plan.title, _l("Title"))
    entropy_source = require_text(
        problems, "entropy_source", plan.entropy_source, _l("Source of the public entropy")
    )
    now = now or utcnow()
    if plan.entropy_at is None:
        problems.add("entropy_at_missing", "entropy_at")
    elif plan.entropy_at <= now:
        problems.add("entropy_at_not_future", "entropy_at")
    pattern = (plan.entropy_pattern or "").strip() or None
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error:
            problems.add("entropy_pattern_invalid", "entropy_pattern")
    entities = [credit_code.normalize(c) for c in entity_codes]
    inspectors = list(inspector_codes)
    known = dict(
        db.session.execute(
            sa.select(Enterprise.code, Enterprise.county).where(Enterprise.code.in_(entities))
        ).all()
    )
    unknown = [c for c in entities if c not in known]
    if unknown:
        problems.add("entities_unknown", "entities", codes=", ".join(unknown[:10]))
    elif county and any(known[c] != county for c in entities):
        problems.add("entities_outside_county", "entities")
    elif not entities:
        problems.add("entities_empty", "entities")
    active = set(
        db.session.scalars(
            sa.select(Inspector.code).where(
                Inspector.code.in_(inspectors), Inspector.active.is_(True)
            )
        )
    )
    missing = [i for i in inspectors if i not in active]
    if missing:
        problems.add("inspectors_inactive", "inspectors", codes=", ".join(missing[:10]))
    elif not inspectors:
        problems.add("inspectors_empty", "inspectors")
    problems.check()
    # A DrawError here (a Refusal) concerns the whole form: the pools and counts together.
    setup = drawing.prepare(
        entities,
        inspectors,
        list(plan.conflicts),
        select_count=plan.select_count,
        inspectors_per_entity=plan.inspectors_per_entity,
    )
    secret = drawing.new_secret()
    commitment = drawing.commitment(secret)
    number = next_draw_number(today().year)
    assert plan.entropy_at is not None
    source = drawing.EntropySource(entropy_source, plan.entropy_at, pattern)
    document = drawing.to_document(
        number, setup, commitment, committed_at=now, entropy_source=source
    )
    draw = Draw(
        number=number,
        title_zh=title,
        title_en=(plan.title_en or "").strip() or None,
        county=county,
        planned_on=plan.planned_on,
        entropy_source=entropy_source,
        status=DrawStatus.COMMITTED,
        commitment=commitment,
        secret=secret,
        committed_at=now,
        committed_document=document,
        recorded_by=actor(),
    )
    db.session.add(draw)
    db.session.flush()
    audit.record(
        "commit",
        "draw",
        number,
        after={
            "commitment": commitment,
            "entities": len(setup.entity_pool),
            "inspectors": len(setup.inspector_pool),
            "select_count": plan.select_count,
        },
    )
    announcements.draw_committed(draw)
    db.session.commit()
    return draw


def reveal_draw(draw: Draw, entropy: str, *, now: dt.datetime | None = None) -> Draw:
    """Enter the public entropy, run the draw and publish the secret and the result. The
    entropy is written in its one canonical form, and only after the named source has
    published it. `now` only for dated sample data."""
    require_county(draw.county)
    if draw.status != DrawStatus.COMMITTED:
        raise Refusal("draw_already_revealed")
    now = now or utcnow()
    entropy = drawing.canonical_entropy(entropy)
    if len(entropy) > 500:
        raise Refusal("entropy_too_long", "entropy")
    source = drawing.entropy_source_of(draw.committed_document)
    if source is not None and now < source.at:
        raise Refusal(
            "entropy_not_yet_published",
            "entropy",
            time=source.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
        )
    if source is not None and drawing.entropy_problem(source, entropy) is not None:
        raise Refusal("entropy_form_mismatch", "entropy", pattern=source.pattern or "")
    committed = draw.committed_document
    setup = _setup(committed)
    try:
        result = drawing.draw(setup, draw.secret, entropy)
    except drawing.DrawError as exc:
        # The pure core's refusal (its code and subject), on the entropy field.
        raise exc.on("entropy") from exc
    binding: dict[str, Any] = {}
    if source is not None:
        binding = {
            "committed_at": draw.committed_at,
            "entropy_source": source,
            "revealed_at": now,
        }
    document = drawing.to_document(
        draw.number,
        setup,
        draw.commitment,
        secret=draw.secret,
        entropy=entropy,
        result=result,
        **binding,
    )
    draw.entropy, draw.status, draw.revealed_at = entropy, DrawStatus.REVEALED, now
    draw.revealed_document = document
    db.session.flush()
    audit.record(
        "reveal",
        "draw",
        draw.number,
        after={"entropy": entropy, "seed": result.seed, "selected": document["selected"]},
    )
    names = dict(
        db.session.execute(
            sa.select(Enterprise.code, Enterprise.name_zh).where(
                Enterprise.code.in_([s.entity for s in result.selected])
            )
        ).all()
    )
    announcements.draw_revealed(draw, names)
    db.session.commit()
    return draw
