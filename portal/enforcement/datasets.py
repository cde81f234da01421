"""The enforcement downloads as open-data catalog entries; the download views take their
columns from here, so the file and its CSVW schema cannot drift apart."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask

from portal.core.extensions import db
from portal.data.registry import Column, Dataset, Distribution, register_dataset

ENTERPRISE = (
    Column("enterprise_code", "统一社会信用代码", "Unified social credit code"),
    Column("enterprise_name", "企业名称", "Enterprise"),
    Column("county", "县（区）代码", "County code"),
    Column("industry", "行业", "Industry"),
)

CARDS = Dataset(
    id="enforcement-cards",
    title_zh="排污企业红黄牌名单",
    title_en="Red and yellow cards of polluting enterprises",
    description_zh="生效中的红牌、黄牌决定；加 ?list=lifted 为已解除和已升级的红黄牌（公示期内）。",
    description_en=(
        "Card decisions in force; with ?list=lifted, lifted and escalated cards still "
        "within their publication period."
    ),
    theme="GOVE",
    keywords=("红黄牌", "执法", "red card", "yellow card"),
    columns=(
        Column("decision_number", "决定书文号", "Decision number"),
        Column("card", "红黄牌", "Card", description_en="yellow | red"),
        Column("state", "状态", "State", description_en="active | lifted | escalated"),
        *ENTERPRISE,
        Column("decided_on", "决定日期", "Decided on", "date"),
        Column("authority", "决定机关", "Deciding authority"),
        Column("reasons", "事由", "Reasons"),
        Column("measures", "措施", "Measures"),
        Column("rectification_deadline", "整改期限", "Rectification deadline", "date"),
        Column("ended_on", "终止日期", "Ended on", "date"),
        Column("lift_reason", "解除理由", "Reason for lifting"),
        Column("lift_evidence", "解除依据", "Evidence for lifting"),
        Column("escalated_from", "由此黄牌升级", "Escalated from"),
        Column("url", "网址", "Address"),
    ),
    distributions=tuple(
        Distribution(fmt, "enforcement.cards_download", {"fmt": fmt})
        for fmt in ("csv", "xlsx", "json")
    ),
)

# The lifted cards are their own table (another URL), so their CSVW description names it.
CARDS_LIFTED = Dataset(
    **{
        **{f: getattr(CARDS, f) for f in CARDS.__dataclass_fields__},
        "id": "enforcement-cards-lifted",
        "title_zh": "已解除和已升级的红黄牌（公示期内）",
        "title_en": "Lifted and escalated red and yellow cards (within their publication period)",
        "description_zh": "已解除和已升级、仍在公示期内的红黄牌决定。",
        "description_en": "Lifted and escalated card decisions still within their publication "
        "period.",
        "distributions": tuple(
            Distribution(fmt, "enforcement.cards_download", {"fmt": fmt, "list": "lifted"})
            for fmt in ("csv", "xlsx", "json")
        ),
    }
)

INSPECTIONS = Dataset(
    id="enforcement-inspections",
    title_zh="企业检查结果",
    title_en="Inspection results of enterprises",
    description_zh="双随机抽查等检查的检查事项、发现问题、处理结果和整改落实情况。",
    description_en="Items checked, findings, outcome and follow-up of published inspections.",
    theme="GOVE",
    keywords=("双随机", "检查", "inspection"),
    columns=(
        *ENTERPRISE,
        Column("inspected_on", "检查日期", "Inspected on", "date"),
        Column("draw", "抽查编号", "Draw number"),
        Column("inspectors", "执法人员", "Inspectors"),
        Column("items_checked", "检查事项", "Items checked"),
        Column("findings", "发现问题", "Findings"),
        Column("outcome", "处理结果", "Outcome", description_en="no_problem | rectify | case"),
        Column("case_number", "案件决定书文号", "Case decision number"),
        Column("follow_up", "整改落实情况", "Rectification follow-up"),
    ),
    distributions=tuple(
        Distribution(fmt, "enforcement.inspections_download", {"fmt": fmt})
        for fmt in ("csv", "xlsx", "json")
    ),
)

CASES = Dataset(
    id="enforcement-cases",
    title_zh="环境违法案件",
    title_en="Environmental violation cases",
    description_zh="公示期内的环境违法案件：违法事实、处罚依据、罚款、移送公安机关情况。",
    description_en="Violation cases within their publication period: facts, penalties, "
    "fines and transfers to the police.",
    theme="JUST",
    keywords=("行政处罚", "违法案件", "penalty"),
    columns=(
        Column("decision_number", "决定书文号", "Decision number"),
        *ENTERPRISE,
        Column("filed_on", "立案日期", "Filed on", "date"),
        Column("decided_on", "决定日期", "Decided on", "date"),
        Column(
            "violation_type",
            "违法类型",
            "Violation type",
            description_en="exceeding | bypass | falsified | no_eia | no_permit | other",
        ),
        Column("facts", "违法事实", "Facts"),
        Column("legal_basis", "处罚依据", "Legal basis"),
        Column("fine_yuan", "罚款（元）", "Fine", "decimal", unit="yuan"),
        Column("daily_penalty_yuan", "按日连续处罚（元）", "Daily penalty", "decimal", unit="yuan"),
        Column("seizure", "查封扣押", "Seizure", "boolean"),
        Column("production_measure", "限产停产措施", "Production measure"),
        Column("police_transferred_on", "移送公安机关日期", "Transferred to the police on", "date"),
        Column("police_outcome", "公安机关处理结果", "Police outcome"),
        Column("status", "状态", "Status"),
        Column("typical", "典型案例", "Typical case", "boolean"),
        Column("url", "网址", "Address"),
    ),
    distributions=tuple(
        Distribution(fmt, "enforcement.cases_download", {"fmt": fmt})
        for fmt in ("csv", "xlsx", "json")
    ),
)

SUMMARY = Dataset(
    id="enforcement-case-summary",
    title_zh="环境违法案件年度和季度统计",
    title_en="Violation cases per year and quarter",
    description_zh="各年度、季度的案件数、罚款总额和移送公安机关案件数。",
    description_en="Cases, total fines and transfers to the police per year and quarter.",
    theme="JUST",
    keywords=("环境违法案件", "罚款", "统计", "violation cases", "fines"),
    columns=(
        Column("period", "期间", "Period", description_en="2026 or 2026Q3"),
        Column("cases", "案件数", "Cases", "integer"),
        Column("fines_yuan", "罚款总额（元）", "Fines", "decimal", unit="yuan"),
        Column("transfers", "移送公安机关数", "Transfers to the police", "integer"),
    ),
    distributions=tuple(
        Distribution(fmt, "enforcement.cases_summary_download", {"fmt": fmt})
        for fmt in ("csv", "xlsx", "json")
    ),
)


def _latest(column: sa.ColumnExpressionArgument[dt.datetime]) -> dt.datetime | None:
    return db.session.scalar(sa.select(sa.func.max(column)))


def _span(column: sa.ColumnExpressionArgument[dt.date]) -> tuple[dt.date | None, dt.date | None]:
    """The period a table covers: its first and last decision or inspection day."""
    first, last = db.session.execute(sa.select(sa.func.min(column), sa.func.max(column))).one()
    return first, last


def register(app: Flask) -> None:
    from dataclasses import replace

    from portal.enforcement.models import Card, Case, Inspection

    def cards_modified() -> dt.datetime | None:
        return _latest(Card.updated_at)

    def cards_temporal() -> tuple[dt.date | None, dt.date | None]:
        return _span(Card.decided_on)

    def cases_modified() -> dt.datetime | None:
        return _latest(Case.updated_at)

    def cases_temporal() -> tuple[dt.date | None, dt.date | None]:
        return _span(Case.filed_on)

    register_dataset(app, replace(CARDS, modified=cards_modified, temporal=cards_temporal))
    register_dataset(app, replace(CARDS_LIFTED, modified=cards_modified, temporal=cards_temporal))
    register_dataset(
        app,
        replace(
            INSPECTIONS,
            modified=lambda: _latest(Inspection.published_at),
            temporal=lambda: _span(Inspection.inspected_on),
        ),
    )
    register_dataset(app, replace(CASES, modified=cases_modified, temporal=cases_temporal))
    register_dataset(app, replace(SUMMARY, modified=cases_modified, temporal=cases_temporal))
