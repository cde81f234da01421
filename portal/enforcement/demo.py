"""Demo enforcement records (content/demo/enforcement/), loaded through the real services so
the announcements, audit entries and draw documents are exactly what officials would make."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.config import ROOT
from portal.core import urls
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.enforcement import cards, cases, draws, registry
from portal.enforcement.models import (
    Card,
    CardColor,
    Case,
    Draw,
    Enterprise,
    Inspection,
    Inspector,
    Outcome,
)

DEMO = ROOT / "content" / "demo" / "enforcement"


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _enterprise(code: str) -> Enterprise:
    return db.session.scalars(sa.select(Enterprise).where(Enterprise.code == code)).one()


def load() -> int:
    if current_app.config["PRODUCTION"]:
        raise RuntimeError("demo records are never loaded in production")
    with current_app.test_request_context(base_url=urls.base_url()):
        return _load()


def _load() -> int:
    added = 0
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise)) or 0
    with (DEMO / "enterprises.csv").open("rb") as stream:
        report = registry.import_enterprises(stream, "enterprises.csv")
    assert report.ok, report.lines()
    added += (db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise)) or 0) - before
    records: dict[str, Any] = json.loads((DEMO / "records.json").read_text(encoding="utf-8"))

    for code, name, county in records["inspectors"]:
        if db.session.scalar(sa.select(Inspector.id).where(Inspector.code == code)) is None:
            registry.save_inspector(registry.InspectorData(code, name, county))
            added += 1

    for item in records["cards"]:
        if db.session.scalar(sa.select(Card.id).where(Card.number == item["number"])):
            continue
        card = cards.decide_card(_card(item["enterprise"], item))
        added += 1
        if "lift" in item:
            lift = item["lift"]
            cards.lift_card(card, cards.Lifting(_day(lift["on"]), lift["reason"], lift["evidence"]))
        if "escalate" in item:
            red = {**item["escalate"], "color": CardColor.RED}
            cards.decide_card(_card(item["enterprise"], red, escalate_number=card.number))
            added += 1

    for item in records["cases"]:
        if db.session.scalar(sa.select(Case.id).where(Case.number == item["number"])):
            continue
        transfer = item.get("transfer") or {}
        cases.record_case(
            cases.CaseData(
                enterprise_code=item["enterprise"],
                number=item["number"],
                filed_on=_day(item["filed_on"]),
                decided_on=_date(item.get("decided_on")),
                violation_type=item["type"],
                facts=item["facts"],
                legal_basis=item["legal_basis"],
                fine_yuan=Decimal(item["fine"]),
                daily_penalty_yuan=Decimal(item["daily"]),
                seizure=item["seizure"],
                production_measure=item["measure"],
                police_transferred_on=_date(transfer.get("on")),
                police_outcome=transfer.get("outcome"),
                status=item["status"],
                typical=item["typical"],
                serious=item["serious"],
            )
        )
        added += 1

    for item in records["inspections"]:
        enterprise = _enterprise(item["enterprise"])
        on = _day(item["on"])
        if db.session.scalar(
            sa.select(Inspection.id).where(
                Inspection.enterprise_id == enterprise.id, Inspection.inspected_on == on
            )
        ):
            continue
        cases.record_inspection(
            cases.InspectionData(
                enterprise_code=enterprise.code,
                inspected_on=on,
                inspectors=item["inspectors"],
                items_checked=item["items"],
                findings=item["findings"],
                outcome=item["outcome"],
                follow_up=item.get("follow_up"),
                case_number=item.get("case"),
            )
        )
        added += 1

    for item in records["draws"]:
        if db.session.scalar(sa.select(Draw.id).where(Draw.title_zh == item["title"])):
            continue
        planned = _day(item["planned_on"])
        # Sample data only: dated as if committed a week before the draw date, with the
        # entropy published on that date and the draw revealed an hour and a half later.
        committed_at = dt.datetime.combine(planned - dt.timedelta(days=7), dt.time(1), dt.UTC)
        entropy_at = dt.datetime.combine(planned, dt.time(1), dt.UTC)
        if item["entropy"] is None:
            committed_at = utcnow()
            entropy_at = committed_at + dt.timedelta(days=7)
        draw = draws.commit_draw(
            draws.DrawPlan(
                title=item["title"],
                title_en=item["title_en"],
                county=item["county"],
                planned_on=_day(item["planned_on"]),
                entropy_source=item["entropy_source"],
                entity_codes=draws.pool_by_filter(item["county"], None, item["key_only"]),
                inspector_codes=list(
                    db.session.scalars(sa.select(Inspector.code).where(Inspector.active.is_(True)))
                ),
                conflicts=[(a, b) for a, b in item["conflicts"]],
                select_count=item["select_count"],
                inspectors_per_entity=item["per_entity"],
                entropy_at=entropy_at,
            ),
            now=committed_at,
        )
        added += 1
        if item["entropy"] is None:
            continue
        draws.reveal_draw(
            draw, item["entropy"], now=dt.datetime.combine(planned, dt.time(2, 30), dt.UTC)
        )
        names = dict(db.session.execute(sa.select(Inspector.code, Inspector.name)).all())
        day = planned
        for offset, selected in enumerate(draw.revealed_document["selected"]):  # type: ignore[index]
            findings = item["findings"][offset % len(item["findings"])]
            problem = findings != "未发现问题"
            cases.record_inspection(
                cases.InspectionData(
                    enterprise_code=selected["entity"],
                    inspected_on=day + dt.timedelta(days=7 + 3 * offset),
                    inspectors="、".join(names.get(i, i) for i in selected["inspectors"]),
                    items_checked="废水处理设施运行、在线监测、排污许可执行、危险废物管理",
                    findings=findings,
                    outcome=Outcome.RECTIFY if problem else Outcome.NO_PROBLEM,
                    follow_up="已责令限期整改，将于30日内复查" if problem else None,
                    draw_number=draw.number,
                )
            )
            added += 1
    return added


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _card(code: str, item: dict[str, Any], escalate_number: str | None = None) -> Any:
    return cards.CardDecision(
        enterprise_code=code,
        color=item["color"],
        number=item["number"],
        decided_on=_day(item["decided_on"]),
        authority=item["authority"],
        reasons=item["reasons"],
        measures=item["measures"],
        deadline=_date(item.get("deadline")),
        escalate_number=escalate_number,
    )
