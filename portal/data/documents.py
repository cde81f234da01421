"""The machine-readable catalog documents: DCAT-AP (JSON-LD) and CSVW table descriptions.

Built per request from the registry, with absolute URLs on BASE_URL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.data.registry import (
    FORMATS,
    FREQUENCIES,
    Dataset,
    Distribution,
    absolute_url,
    all_datasets,
    csvw_metadata_url,
    distribution_url,
    index_url,
    licence_url,
)

EU = "http://publications.europa.eu/resource/authority"
IANA = "https://www.iana.org/assignments/media-types"

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wdrs": "http://www.w3.org/2007/05/powder-s#",
}

CATALOG_TITLE = (
    "大兴安岭地区饮用水信息公开平台开放数据目录",
    "Daxing'anling water disclosure portal: open data",
)
CATALOG_DESCRIPTION = (
    "大兴安岭地区生态环境局依法公开的数据表：饮用水水质、执法监管和公众举报统计，"
    "提供 CSV、JSON 等格式下载，可自由使用。",
    "Tables the Daxing'anling Ecology and Environment Bureau publishes by law: drinking-water "
    "quality, enforcement and public-report statistics, as CSV, JSON and other downloads, free "
    "to reuse.",
)


def _text(zh: str, en: str) -> list[dict[str, str]]:
    return [{"@value": zh, "@language": "zh-Hans"}, {"@value": en, "@language": "en"}]


def _ref(url: str) -> dict[str, str]:
    return {"@id": url}


def _datetime(value: dt.datetime) -> dict[str, str]:
    return {"@value": value.astimezone(dt.UTC).isoformat(), "@type": "xsd:dateTime"}


def _suffix(values: dict[str, str]) -> str:
    return ", ".join(values.values())


def _publisher(dataset: Dataset) -> dict[str, Any]:
    return {"@type": "foaf:Agent", "foaf:name": _text(dataset.publisher_zh, dataset.publisher_en)}


def _distribution(dataset: Dataset, dist: Distribution, values: dict[str, str] | None) -> dict:
    media_type, code = FORMATS[dist.format]
    node: dict[str, Any] = {
        "@type": "dcat:Distribution",
        "dct:title": dist.format.upper(),
        "dct:format": _ref(f"{EU}/file-type/{code}"),
        "dcat:mediaType": _ref(f"{IANA}/{media_type}"),
        "dct:license": _ref(licence_url(dataset)),
    }
    if dataset.is_family and values is None:
        # A family's downloads need a member (e.g. a quarter): point to the page listing them.
        node["dcat:accessURL"] = _ref(index_url(dataset) or "")
        return node
    url = distribution_url(dist, **(values or {}))
    node["@id"] = url
    node["dcat:accessURL"] = _ref(url)
    node["dcat:downloadURL"] = _ref(url)
    if dist.format == "csv":
        schema = csvw_metadata_url(dataset.id, **(values or {}))
        node["dct:conformsTo"] = _ref(schema)
        node["wdrs:describedby"] = _ref(schema)
    return node


def dataset_node(dataset: Dataset, values: dict[str, str] | None = None) -> dict[str, Any]:
    """One dcat:Dataset; a family is a dcat:DatasetSeries and each member a dcat:Dataset in it."""
    page = absolute_url("data.dataset", dataset_id=dataset.id)
    title = (dataset.title_zh, dataset.title_en)
    if values:
        title = (f"{title[0]}（{_suffix(values)}）", f"{title[1]} ({_suffix(values)})")
    node: dict[str, Any] = {
        "@id": absolute_url("data.dataset", dataset_id=dataset.id, **values) if values else page,
        "@type": "dcat:DatasetSeries" if dataset.is_family and not values else "dcat:Dataset",
        "dct:identifier": dataset.id,
        "dct:title": _text(*title),
        "dct:description": _text(dataset.description_zh, dataset.description_en),
        "dct:publisher": _publisher(dataset),
        "dcat:theme": _ref(f"{EU}/data-theme/{dataset.theme}"),
        "dcat:keyword": list(dataset.keywords),
        "dct:accrualPeriodicity": _ref(f"{EU}/frequency/{FREQUENCIES[dataset.update_frequency]}"),
        "dcat:landingPage": _ref(index_url(dataset) or page),
        "dcat:distribution": [_distribution(dataset, d, values) for d in dataset.distributions],
    }
    if values:
        node["dcat:inSeries"] = _ref(page)
    modified = dataset.last_modified()
    if modified is not None and not values:
        node["dct:modified"] = _datetime(modified)
    return node


def catalog() -> dict[str, Any]:
    datasets = all_datasets()
    nodes: list[dict[str, Any]] = []
    modified: list[dt.datetime] = []
    for dataset in datasets:
        nodes.append(dataset_node(dataset))
        nodes.extend(dataset_node(dataset, values) for values in dataset.member_values())
        if (when := dataset.last_modified()) is not None:
            modified.append(when)
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": absolute_url("data.index"),
        "@type": "dcat:Catalog",
        "dct:title": _text(*CATALOG_TITLE),
        "dct:description": _text(*CATALOG_DESCRIPTION),
        "dct:publisher": {
            "@type": "foaf:Agent",
            "foaf:name": _text(
                "大兴安岭地区生态环境局", "Daxing'anling Ecology and Environment Bureau"
            ),
        },
        "dct:language": [_ref(f"{EU}/language/ZHO"), _ref(f"{EU}/language/ENG")],
        "foaf:homepage": _ref(absolute_url("data.index")),
        "dct:license": _ref(absolute_url("pages.page", slug="licence")),
        "dcat:dataset": nodes,
    }
    if modified:
        doc["dct:modified"] = _datetime(max(modified))
    return doc


def _column(column: Any) -> dict[str, Any]:
    titles = {"zh-Hans": column.title_zh, "en": column.title_en, "und": column.name}
    node: dict[str, Any] = {"name": column.name, "titles": titles, "datatype": column.datatype}
    if column.datatype == "boolean":
        # portal.core.downloads writes Python booleans as True/False.
        node["datatype"] = {"base": "boolean", "format": "True|False"}
    descriptions = []
    for text, lang in ((column.description_zh, "zh-Hans"), (column.description_en, "en")):
        if column.unit:
            text = f"{text} ({column.unit})" if text else column.unit
        if text:
            descriptions.append({"@value": text, "@language": lang})
    if descriptions:
        node["dc:description"] = descriptions
    if column.unit:
        node["schema:unitText"] = column.unit
    return node


def csvw(dataset: Dataset, values: dict[str, str]) -> dict[str, Any]:
    """CSVW metadata for the dataset's CSV (for a family: the member given by `values`)."""
    dist = dataset.distribution("csv")
    assert dist is not None
    title = (dataset.title_zh, dataset.title_en)
    if values:
        title = (f"{title[0]}（{_suffix(values)}）", f"{title[1]} ({_suffix(values)})")
    doc: dict[str, Any] = {
        "@context": "http://www.w3.org/ns/csvw",
        "@id": csvw_metadata_url(dataset.id, **values),
        "url": distribution_url(dist, **values),
        "dc:title": _text(*title),
        "dc:description": _text(dataset.description_zh, dataset.description_en),
        "dc:publisher": _text(dataset.publisher_zh, dataset.publisher_en),
        "dc:license": _ref(licence_url(dataset)),
        "dcat:keyword": list(dataset.keywords),
        "dialect": {"encoding": "utf-8", "header": True, "lineTerminators": ["\r\n", "\n"]},
        "tableSchema": {"columns": [_column(c) for c in dataset.columns]},
    }
    modified = dataset.last_modified()
    if modified is not None:
        doc["dc:modified"] = {
            "@value": modified.astimezone(dt.UTC).isoformat(),
            "@type": "xsd:dateTime",
        }
    return doc
