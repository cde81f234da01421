"""The notices enforcement publishes (portal/notices): one function per kind of record, so
the Chinese and English texts and their links live in one place. Called inside the
caller's transaction (flush only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import url_for

from portal.core.clock import CHINA
from portal.core.extensions import db
from portal.enforcement import publication
from portal.enforcement.models import (
    OUTCOMES,
    VIOLATION_TYPES,
    Card,
    CardColor,
    Case,
    Draw,
    Inspection,
    Outcome,
    ViolationType,
)
from portal.notices import announce as notices

VIOLATION_TYPES_ZH: dict[str, str] = {
    ViolationType.EXCEEDING: "超标排放",
    ViolationType.BYPASS: "不正常运行防治污染设施（偷排）",
    ViolationType.FALSIFIED: "篡改、伪造监测数据",
    ViolationType.NO_EIA: "未批先建",
    ViolationType.NO_PERMIT: "无证排污",
    ViolationType.OTHER: "其他环境违法行为",
}
OUTCOMES_ZH: dict[str, str] = {
    Outcome.NO_PROBLEM: "未发现问题",
    Outcome.RECTIFY: "责令整改",
    Outcome.CASE_OPENED: "立案查处",
}


def announce(category: str, title: str, summary: str, link: str, **kw: Any) -> int:
    return notices.announce(category, title, summary, link, **kw).id


def notice_until(item: Card | Case) -> dt.datetime | None:
    """The moment the item leaves the enforcement pages (China midnight starting its
    `public_until` day, in UTC), which is when its notices must leave public view too."""
    end = publication.public_until(item)
    if end is None:
        return None
    return dt.datetime.combine(end, dt.time(0), CHINA).astimezone(dt.UTC)


def _notice_ids(item: Card | Case) -> list[int | None]:
    if isinstance(item, Card):
        return [item.decision_notice_id, item.lift_notice_id]
    return [item.notice_id]


def period_changed(item: Card | Case) -> None:
    """The item's publication period was fixed or moved (lifted, escalated, published,
    corrected): its notices leave public view at the same moment."""
    until = notice_until(item)
    for notice_id in _notice_ids(item):
        notices.set_public_until(notice_id, until)


def repaired(item: Card | Case) -> None:
    """A credit repair ends publication now: the notices are withdrawn with the reason."""
    day = item.repaired_on.isoformat() if item.repaired_on else ""
    for notice_id in _notice_ids(item):
        notices.withdraw_notice(notice_id, f"信用修复已于{day}获批准，依法停止公示。")


def card_link(card: Card) -> str:
    return url_for("enforcement.enterprise", code=card.enterprise.code) + f"#card-{card.id}"


def card_decided(card: Card) -> int:
    enterprise, number = card.enterprise, card.number
    color_zh = "红牌" if card.color == CardColor.RED else "黄牌"
    return announce(
        "cards",
        f"{enterprise.name_zh}被处以{color_zh}（{number}）",
        f"{card.authority}于{card.decided_on.isoformat()}对{enterprise.name_zh}"
        f"（统一社会信用代码{enterprise.code}）作出{color_zh}决定。"
        f"原因：{card.reasons}。措施：{card.measures}。",
        card_link(card),
        county=enterprise.county,
        source=f"enforcement:card:{number}:decided",
        title_en=f"{'Red' if card.color == CardColor.RED else 'Yellow'} card for "
        f"{enterprise.name_en or enterprise.name_zh} ({number})",
        summary_en=f"Decided on {card.decided_on.isoformat()} by {card.authority}.",
    )


def card_lifted(card: Card) -> int:
    enterprise = card.enterprise
    color_zh = "红牌" if card.color == CardColor.RED else "黄牌"
    lifted_on = card.ended_on.isoformat() if card.ended_on else ""
    return announce(
        "cards",
        f"{enterprise.name_zh}{color_zh}解除（{card.number}）",
        f"{lifted_on}解除{enterprise.name_zh}的{color_zh}。"
        f"理由：{card.lift_reason}。依据：{card.lift_evidence}。",
        card_link(card),
        county=enterprise.county,
        source=f"enforcement:card:{card.number}:lifted",
        title_en=f"Card lifted: {enterprise.name_en or enterprise.name_zh} ({card.number})",
        summary_en=f"Lifted on {lifted_on}.",
    )


def inspection_published(inspection: Inspection) -> int:
    enterprise, outcome = inspection.enterprise, inspection.outcome
    on = inspection.inspected_on.isoformat()
    outcome_zh = OUTCOMES_ZH[outcome]
    return announce(
        "inspections",
        f"{enterprise.name_zh}检查结果：{outcome_zh}",
        f"{on}检查{enterprise.name_zh}。检查事项：{inspection.items_checked}。"
        f"发现问题：{inspection.findings}。处理结果：{outcome_zh}。",
        url_for("enforcement.enterprise", code=enterprise.code) + f"#inspection-{inspection.id}",
        county=enterprise.county,
        source=f"enforcement:inspection:{inspection.id}",
        title_en=f"Inspection result: {enterprise.name_en or enterprise.name_zh}",
        summary_en=f"Inspected on {on}: {OUTCOMES[outcome]}.",
    )


def case_published(case: Case) -> int:
    enterprise, number = case.enterprise, case.number
    type_zh = VIOLATION_TYPES_ZH[case.violation_type]
    summary = f"{enterprise.name_zh}{type_zh}案，罚款{case.fine_yuan:,.2f}元"
    if case.police_transferred_on:
        summary += f"，{case.police_transferred_on.isoformat()}移送公安机关"
    return announce(
        "cases",
        f"环境违法案件：{enterprise.name_zh}{type_zh}（{number}）",
        summary + "。" + case.facts,
        url_for("enforcement.case", slug=case.slug),
        county=enterprise.county,
        source=f"enforcement:case:{number}",
        title_en=f"Violation case: {enterprise.name_en or enterprise.name_zh} ({number})",
        summary_en=f"{VIOLATION_TYPES[case.violation_type]}; fine {case.fine_yuan:,.2f} yuan.",
    )


def draw_committed(draw: Draw) -> int:
    doc, number, title = draw.committed_document, draw.number, draw.title_zh
    pool, select_count = len(doc["entity_pool"]), doc["select_count"]
    return announce(
        "inspections",
        f"双随机抽查承诺公示：{title}（{number}）",
        f"抽查承诺值 {draw.commitment}，企业库 {pool} 家，抽取 {select_count} 家；"
        f"公开随机数来源：{draw.entropy_source}。",
        url_for("enforcement.draw", number=number),
        county=draw.county,
        source=f"enforcement:draw:{number}:committed",
        title_en=f"Inspection draw committed: {draw.title_en or title} ({number})",
        summary_en=f"Commitment {draw.commitment}; {select_count} of {pool} enterprises.",
    )


def draw_revealed(draw: Draw, names: dict[str, str]) -> int:
    selected = [s["entity"] for s in (draw.revealed_document or {}).get("selected", [])]
    return announce(
        "inspections",
        f"双随机抽查结果公示：{draw.title_zh}（{draw.number}）",
        "抽中企业：" + "、".join(names.get(code, code) for code in selected) + "。",
        url_for("enforcement.draw", number=draw.number),
        county=draw.county,
        source=f"enforcement:draw:{draw.number}:revealed",
        title_en=f"Inspection draw revealed: {draw.title_en or draw.title_zh} ({draw.number})",
        summary_en=f"{len(selected)} enterprise(s) selected; anyone can verify the draw.",
    )


def refresh_all() -> int:
    """Set every card's and case's notices to leave with it (for records announced before
    notices had `public_until`); withdraw those of repaired records. Flush only; returns
    how many records were looked at."""
    count = 0
    for item in _cards_and_cases():
        if item.repaired_on is not None:
            repaired(item)
        period_changed(item)
        count += 1
    return count


def _cards_and_cases() -> Iterator[Card | Case]:
    """Every card, then every case; each query runs when the previous one is used up."""
    yield from db.session.scalars(sa.select(Card))
    yield from db.session.scalars(sa.select(Case))
