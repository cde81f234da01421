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
    Datatype,
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
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "dcatap": "http://data.europa.eu/r5r/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
ADMS_PUBLISHER = "http://purl.org/adms/publishertype/RegionalAuthority"
ADMS_LICENCE = "http://purl.org/adms/licencetype/Attribution"
# The CSV downloads follow RFC 4180; the CSVW file describes the table (wdrs:describedby).
CSV_STANDARD = "https://www.rfc-editor.org/rfc/rfc4180"
HOTLINE = "tel:+86-12369"

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


def _typed(url: str, kind: str | list[str], **more: Any) -> dict[str, Any]:
    """A reference that states its class (what the DCAT-AP range shapes check)."""
    return {"@id": url, "@type": kind, **more}


def _licence(dataset: Dataset | None = None) -> dict[str, Any]:
    url = licence_url(dataset) if dataset else absolute_url("pages.page", slug="licence")
    return _typed(url, "dct:LicenseDocument", **{"dct:type": _ref(ADMS_LICENCE)})


def _agency() -> dict[str, Any]:
    """The bureau: one IRI (its about page), an ADMS publisher type, its name."""
    return _typed(
        absolute_url("pages.page", slug="about") + "#bureau",
        "foaf:Agent",
        **{
            "foaf:name": _text(
                "大兴安岭地区生态环境局", "Daxing'anling Ecology and Environment Bureau"
            ),
            "dct:type": _ref(ADMS_PUBLISHER),
        },
    )


def _contact() -> dict[str, Any]:
    return _typed(
        absolute_url("pages.page", slug="about") + "#contact",
        ["vcard:Kind", "vcard:Organization"],
        **{
            "vcard:fn": _text(
                "大兴安岭地区生态环境局", "Daxing'anling Ecology and Environment Bureau"
            ),
            "vcard:hasTelephone": _ref(HOTLINE),
            "vcard:hasURL": _ref(absolute_url("pages.page", slug="about")),
        },
    )


def _spatial() -> list[dict[str, Any]]:
    """The Daxing'anling region, with the bounding box the report form accepts points in.
    It has no EU place or GeoNames IRI the portal could cite with confidence, so it is an
    IRI of the portal's own (the vocabulary shape then warns; see the DCAT-AP test)."""
    from portal.reports.forms import LAT_RANGE, LON_RANGE

    (south, north), (west, east) = LAT_RANGE, LON_RANGE
    wkt = "http://www.opengis.net/ont/geosparql#wktLiteral"
    box = f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))"
    return [
        _typed(
            absolute_url("pages.page", slug="about") + "#region",
            "dct:Location",
            **{
                "skos:prefLabel": _text("大兴安岭地区", "Daxing'anling region"),
                "dcat:bbox": {"@value": box, "@type": wkt},
                "dcat:centroid": {
                    "@value": f"POINT({(west + east) / 2} {(south + north) / 2})",
                    "@type": wkt,
                },
            },
        )
    ]


def _period(first: dt.date | None, last: dt.date | None) -> dict[str, Any] | None:
    if first is None:
        return None
    node: dict[str, Any] = {
        "@type": "dct:PeriodOfTime",
        "dcat:startDate": {"@value": first.isoformat(), "@type": "xsd:date"},
    }
    if last is not None:
        node["dcat:endDate"] = {"@value": last.isoformat(), "@type": "xsd:date"}
    return node


def _quarter_period(values: dict[str, str]) -> tuple[dt.date | None, dt.date | None]:
    """A family member named by a quarter ('2026Q3') covers that quarter."""
    raw = values.get("quarter", "")
    if len(raw) == 6 and raw[:4].isdigit() and raw[4] == "Q" and raw[5] in "1234":
        year, q = int(raw[:4]), int(raw[5])
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
        return start, end
    return None, None


def _datetime(value: dt.datetime) -> dict[str, str]:
    return {"@value": value.astimezone(dt.UTC).isoformat(), "@type": "xsd:dateTime"}


def _suffix(values: dict[str, str]) -> str:
    return ", ".join(values.values())


def _publisher(dataset: Dataset) -> dict[str, Any]:
    return _agency()


def _distribution(dataset: Dataset, dist: Distribution, values: dict[str, str] | None) -> dict:
    media_type, code = FORMATS[dist.format]
    node: dict[str, Any] = {
        "@type": "dcat:Distribution",
        "dct:title": dist.format.upper(),
        "dct:description": _text(
            f"{dataset.title_zh}（{dist.format.upper()} 格式）",
            f"{dataset.title_en} ({dist.format.upper()})",
        ),
        "dct:format": _typed(f"{EU}/file-type/{code}", "dct:MediaTypeOrExtent"),
        "dcat:mediaType": _typed(f"{IANA}/{media_type}", "dct:MediaType"),
        "dct:license": _licence(dataset),
        "dcatap:availability": _typed(f"{EU}/planned-availability/STABLE", "skos:Concept"),
    }
    url = distribution_url(dist, **(values or {}))
    node["@id"] = url
    node["dcat:accessURL"] = _ref(url)
    node["dcat:downloadURL"] = _ref(url)
    if dist.format == "csv":
        schema = csvw_metadata_url(dataset.id, **(values or {}))
        node["dct:conformsTo"] = _typed(CSV_STANDARD, "dct:Standard")
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
        "dct:accrualPeriodicity": _typed(
            f"{EU}/frequency/{FREQUENCIES[dataset.update_frequency]}", "dct:Frequency"
        ),
        "dcat:landingPage": _typed(index_url(dataset) or page, "foaf:Document"),
        "dcat:contactPoint": _contact(),
        "dct:spatial": _spatial(),
    }
    # A series has no downloads of its own: its members (one per quarter, per site) do.
    if not (dataset.is_family and not values):
        node["dcat:distribution"] = [
            _distribution(dataset, d, values) for d in dataset.distributions
        ]
    if values:
        node["dcat:inSeries"] = _ref(page)
    first, last = _coverage(dataset, values)
    if (period := _period(first, last)) is not None:
        node["dct:temporal"] = period
    if first is not None:
        node["dct:issued"] = {"@value": first.isoformat(), "@type": "xsd:date"}
    modified = dataset.last_modified()
    if modified is not None and not values:
        node["dct:modified"] = _datetime(modified)
    return node


def _coverage(
    dataset: Dataset, values: dict[str, str] | None
) -> tuple[dt.date | None, dt.date | None]:
    """The period the data cover: a quarter member's quarter; a series from its first
    member's quarter to its last; else what the dataset reports (if it can)."""
    if values:
        return _quarter_period(values)
    if dataset.is_family:
        periods = [_quarter_period(v) for v in dataset.member_values()]
        starts = [p[0] for p in periods if p[0]]
        ends = [p[1] for p in periods if p[1]]
        return (min(starts) if starts else None, max(ends) if ends else None)
    if dataset.temporal is not None:
        return dataset.temporal()
    return None, None


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
        "dct:publisher": _agency(),
        "dct:language": [
            _typed(f"{EU}/language/ZHO", "dct:LinguisticSystem"),
            _typed(f"{EU}/language/ENG", "dct:LinguisticSystem"),
        ],
        "foaf:homepage": _typed(absolute_url("data.index"), "foaf:Document"),
        "dct:license": _licence(),
        "dcat:themeTaxonomy": _ref(f"{EU}/data-theme"),
        "dct:spatial": _spatial(),
        "dcat:dataset": nodes,
    }
    if modified:
        doc["dct:modified"] = _datetime(max(modified))
    issued = [n["dct:issued"]["@value"] for n in nodes if "dct:issued" in n]
    if issued:
        doc["dct:issued"] = {"@value": min(issued), "@type": "xsd:date"}
    return doc


def _column(column: Any) -> dict[str, Any]:
    titles = {"zh-Hans": column.title_zh, "en": column.title_en, "und": column.name}
    node: dict[str, Any] = {"name": column.name, "titles": titles, "datatype": column.datatype}
    if column.datatype == Datatype.BOOLEAN:
        # portal.core.downloads writes Python booleans as True/False.
        node["datatype"] = {"base": Datatype.BOOLEAN, "format": "True|False"}
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
        "tableSchema": {"columns": [_column(c) for c in dataset.table_columns()]},
    }
    modified = dataset.last_modified()
    if modified is not None:
        doc["dc:modified"] = {
            "@value": modified.astimezone(dt.UTC).isoformat(),
            "@type": "xsd:dateTime",
        }
    return doc
