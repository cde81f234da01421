"""The water downloads as open-data catalog entries (families per quarter and per site);
the download views take their columns from here, so file and CSVW schema agree."""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from flask import Flask

from portal.core.extensions import db
from portal.data.registry import Column, Dataset, Distribution

COLUMNS = (
    Column("county", "县（区）代码", "County code"),
    Column("quarter", "季度", "Quarter", description_en="e.g. 2026Q3"),
    Column("site", "点位编码", "Site code"),
    Column("site_name", "点位名称", "Site"),
    Column("stage", "环节", "Stage", description_en="source | plant | tap | section"),
    Column("sample_id", "样品编号", "Sample"),
    Column("sampled_at", "采样时间", "Sampled at", "datetime"),
    Column("standard", "评价标准", "Standard"),
    Column(
        "sample_class",
        "样品水质类别",
        "Sample class",
        description_en="I..V, 'worse than V', empty when not determined or not classed",
    ),
    Column(
        "sample_compliant",
        "样品是否达标",
        "Sample complies",
        "boolean",
        description_en="empty when inconclusive",
    ),
    Column("parameter", "项目代码", "Parameter code"),
    Column("parameter_name", "监测项目", "Parameter"),
    Column("reported", "报告值", "Reported value", description_en="as the laboratory wrote it"),
    Column("value", "数值", "Value", "decimal", description_en="in the canonical unit"),
    Column("qualifier", "标识", "Qualifier", description_en="'<' below detection, ND, text"),
    Column("detection_limit", "检出限", "Detection limit", "decimal"),
    Column("unit", "单位", "Unit"),
    Column("limit", "执行限值", "Limit held to"),
    Column(
        "passed",
        "是否达标",
        "Meets the limit",
        "boolean",
        description_en="empty when inconclusive or not applicable",
    ),
    Column("class", "单项类别", "Item class"),
    Column("exceedance_multiple", "超标倍数", "Exceedance multiple", "decimal"),
)


def _latest() -> dt.datetime | None:
    from portal.water.models import WaterPublication

    return db.session.scalar(sa.select(sa.func.max(WaterPublication.published_at)))


def _quarters() -> list[dict[str, Any]]:
    from portal.water.models import WaterPublication

    rows = db.session.execute(
        sa.select(WaterPublication.county, WaterPublication.quarter)
        .where(WaterPublication.current.is_(True))
        .order_by(WaterPublication.quarter.desc(), WaterPublication.county)
    )
    return [{"county": c, "quarter": q} for c, q in rows]


def _sites() -> list[dict[str, Any]]:
    from portal.water import queries

    return [{"code": s.code} for s in db.session.scalars(queries.public_sites())]


QUARTERS = Dataset(
    id="water-quarters",
    title_zh="饮用水水质季度公开结果",
    title_en="Drinking-water quality by county and quarter",
    description_zh="各县（区）每季度水源水、出厂水、末梢水及河流断面的全部监测结果，"
    "含执行标准、限值、单项评价和样品评价结论。",
    description_en="Every published result of a county's quarter (sources, plant outlets, "
    "taps, river sections) with the standard, the limit, each item's verdict and the sample's.",
    keywords=("饮用水", "水质", "drinking water", "GB 5749-2022", "GB 3838-2002"),
    theme="HEAL",
    columns=COLUMNS,
    distributions=(
        Distribution("csv", "water.quarter_download", {"fmt": "csv"}),
        Distribution("json", "water.quarter_download", {"fmt": "json"}),
        Distribution("xlsx", "water.quarter_download", {"fmt": "xlsx"}),
    ),
    update_frequency="quarterly",
    modified=_latest,
    parameters=("county", "quarter"),
    index_endpoint="water.index",
    members=_quarters,
)

SITES = Dataset(
    id="water-sites",
    title_zh="饮用水监测点位历史监测结果",
    title_en="Drinking-water monitoring results by site",
    description_zh="每个监测点位已公开的全部样品及评价结果。",
    description_en="Every published sample of one monitoring site, with its evaluation.",
    keywords=("饮用水", "水质", "drinking water"),
    theme="HEAL",
    columns=COLUMNS,
    distributions=(
        Distribution("csv", "water.site_download", {"fmt": "csv"}),
        Distribution("json", "water.site_download", {"fmt": "json"}),
    ),
    update_frequency="quarterly",
    modified=_latest,
    parameters=("code",),
    index_endpoint="water.index",
    members=_sites,
)


def register(app: Flask, registry: ModuleType) -> None:
    registry.register_dataset(app, QUARTERS)
    registry.register_dataset(app, SITES)
