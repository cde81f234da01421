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
from flask_babel import gettext as _

from portal.core import audit
from portal.core.clock import CHINA
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.enforcement import announcements, credit_code
from portal.enforcement import draw as drawing
from portal.enforcement.models import COMMITTED, REVEALED, Draw, Enterprise, Inspector
from portal.enforcement.publication import today
from portal.enforcement.service import Problems, actor, require_county, require_text


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


def draw_error_message(error: drawing.DrawError) -> str:
    subject = error.subject or ""
    messages = {
        "bad_code": _("A code is malformed: %(subject)s.", subject=subject),
        "duplicate_code": _("%(subject)s is listed twice.", subject=subject),
        "select_count_not_positive": _("At least one enterprise must be selected."),
        "select_count_too_large": _("More enterprises to select than are in the pool."),
        "inspectors_per_entity_not_positive": _("At least one inspector per enterprise."),
        "conflict_unknown_entity": _(
            "Conflict names %(subject)s, which is not in the enterprise pool.", subject=subject
        ),
        "conflict_unknown_inspector": _(
            "Conflict names %(subject)s, which is not in the inspector pool.", subject=subject
        ),
        "insufficient_inspectors": _(
            "Not enough inspectors without a conflict for %(subject)s.", subject=subject
        ),
        "bad_entropy": _("The public entropy is not valid text."),
    }
    return messages.get(error.code, error.code)


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
            raise Problems({"conflicts": _("Each conflict line is: credit code, inspector code.")})
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
        raise Problems({"pool_county": _("A county draw pools only that county's enterprises.")})
    entity_codes = plan.entity_codes or pool_by_filter(
        pool_county, (plan.pool_industry or "").strip() or None, plan.pool_key_only
    )
    inspector_codes = plan.inspector_codes
    if not inspector_codes:
        query = sa.select(Inspector.code).where(Inspector.active.is_(True))
        if county:
            query = query.where(Inspector.county == county)
        inspector_codes = list(db.session.scalars(query))
    errors: dict[str, str] = {}
    title = require_text(errors, "title", plan.title, _("Title"))
    entropy_source = require_text(
        errors, "entropy_source", plan.entropy_source, _("Source of the public entropy")
    )
    now = now or utcnow()
    if plan.entropy_at is None:
        errors["entropy_at"] = _("Give the time the source publishes the entropy.")
    elif plan.entropy_at <= now:
        errors["entropy_at"] = _(
            "The entropy must be published after the commitment: give a time in the future."
        )
    pattern = (plan.entropy_pattern or "").strip() or None
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error:
            errors["entropy_pattern"] = _("This is not a valid regular expression.")
    entities = [credit_code.normalize(c) for c in entity_codes]
    inspectors = list(inspector_codes)
    known = dict(
        db.session.execute(
            sa.select(Enterprise.code, Enterprise.county).where(Enterprise.code.in_(entities))
        ).all()
    )
    unknown = [c for c in entities if c not in known]
    if unknown:
        errors["entities"] = _(
            "Not in the enterprise registry: %(codes)s.", codes=", ".join(unknown[:10])
        )
    elif county and any(known[c] != county for c in entities):
        errors["entities"] = _("Every pooled enterprise must be in the draw's county.")
    elif not entities:
        errors["entities"] = _("The enterprise pool is empty.")
    active = set(
        db.session.scalars(
            sa.select(Inspector.code).where(
                Inspector.code.in_(inspectors), Inspector.active.is_(True)
            )
        )
    )
    missing = [i for i in inspectors if i not in active]
    if missing:
        errors["inspectors"] = _(
            "Not an active inspector: %(codes)s.", codes=", ".join(missing[:10])
        )
    elif not inspectors:
        errors["inspectors"] = _("The inspector pool is empty.")
    if errors:
        raise Problems(errors)
    try:
        setup = drawing.prepare(
            entities,
            inspectors,
            list(plan.conflicts),
            select_count=plan.select_count,
            inspectors_per_entity=plan.inspectors_per_entity,
        )
    except drawing.DrawError as exc:
        raise Problems({"": draw_error_message(exc)}) from exc
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
        status=COMMITTED,
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
    if draw.status != COMMITTED:
        raise Problems({"": _("This draw has already been revealed.")})
    now = now or utcnow()
    entropy = drawing.canonical_entropy(entropy)
    if len(entropy) > 500:
        raise Problems({"entropy": _("The public entropy is longer than 500 characters.")})
    source = drawing.entropy_source_of(draw.committed_document)
    if source is not None and now < source.at:
        raise Problems(
            {
                "entropy": _(
                    "The source publishes the entropy at %(time)s (China time): reveal the "
                    "draw after that.",
                    time=source.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
                )
            }
        )
    if source is not None and drawing.entropy_problem(source, entropy) is not None:
        raise Problems(
            {
                "entropy": _(
                    "The entropy does not have the form announced at commit time (%(pattern)s).",
                    pattern=source.pattern or "",
                )
            }
        )
    committed = draw.committed_document
    setup = _setup(committed)
    try:
        result = drawing.draw(setup, draw.secret, entropy)
    except drawing.DrawError as exc:
        raise Problems({"entropy": draw_error_message(exc)}) from exc
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
    draw.entropy, draw.status, draw.revealed_at = entropy, REVEALED, now
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
