"""The open-data registry: features describe their downloads here once, and the catalog
(`/data/`, `/data/catalog.jsonld`, `/data/<id>.csv-metadata.json`) is built from it.

Usage, in a feature's ``init_app`` (registration only stores the description; URLs are built
at request time, absolute on ``app.config["BASE_URL"]``)::

    from portal.data.registry import Column, Dataset, Distribution, register_dataset

    SAMPLES = Dataset(
        id="water-samples",
        title_zh="饮用水水源水质监测结果",
        title_en="Drinking water source monitoring results",
        description_zh="各县区饮用水水源地每季度的监测值、标准限值和评价结论。",
        description_en="Quarterly values per source, with the standard limit and the verdict.",
        keywords=("饮用水", "水质", "drinking water"),
        columns=(
            Column("site_code", "监测点位代码", "Site code"),
            Column("value", "监测值", "Value", "decimal", unit="mg/L"),
            Column("verdict", "评价结论", "Verdict", description_en="meets / exceeds"),
        ),
        distributions=(
            Distribution("csv", "water.samples_download", {"fmt": "csv"}),
            Distribution("json", "water.samples_download", {"fmt": "json"}),
        ),
        update_frequency="quarterly",
        modified=latest_publication_time,     # () -> datetime | None, called per request
    )
    register_dataset(app, SAMPLES)

Rules the catalog relies on:

* ``Column.name`` is exactly the key the CSV header row carries (the ``key`` of
  ``portal.core.downloads.Column``). ``dataset.download_columns()`` gives the list to pass to
  ``downloads.download()``, so the two cannot drift apart.
* Every CSV response should say where its CSVW description is::

      response.headers["Link"] = csvw_link_header("water-samples")

  i.e. ``Link: <https://…/data/water-samples.csv-metadata.json>; rel="describedby";
  type="application/csvm+json"``.

Families (one table per quarter, per county …): set ``parameters`` to the names of the values
the download endpoints need (path or query arguments, e.g. ``("quarter",)``), ``index_endpoint``
to the human page that lists the members (it becomes ``dcat:landingPage`` and the distributions'
``dcat:accessURL``), and optionally ``members`` to a function returning the current members'
values (e.g. ``[{"quarter": "2026Q3"}, …]``, newest first). The catalog lists the family once,
with links to its index page and to each member's downloads; CSVW metadata of a member is
``/data/<id>.csv-metadata.json?quarter=2026Q3`` (``csvw_link_header(id, quarter="2026Q3")``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l

from portal.core import downloads, urls

KEY = "datasets"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Datatype(StrEnum):
    """The CSVW / XML Schema datatypes a column may declare."""

    STRING = "string"
    DECIMAL = "decimal"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


_DATATYPES = frozenset(Datatype)  # a column's datatype may be given as its plain string

#: format → (IANA media type, EU file-type authority code)
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv", "CSV"),
    "json": ("application/json", "JSON"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
}

#: update_frequency → EU frequency authority code (dct:accrualPeriodicity)
FREQUENCIES: dict[str, str] = {
    "continuous": "CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "annual": "ANNUAL",
    "irregular": "IRREG",
}
FREQUENCY_LABELS: dict[str, Any] = {
    "continuous": _l("Continuously"),
    "daily": _l("Daily"),
    "weekly": _l("Weekly"),
    "monthly": _l("Monthly"),
    "quarterly": _l("Quarterly"),
    "annual": _l("Yearly"),
    "irregular": _l("Irregularly"),
}

#: theme → label; the code is an EU data-theme authority code (dcat:theme)
THEMES: dict[str, Any] = {
    "ENVI": _l("Environment"),
    "HEAL": _l("Health"),
    "GOVE": _l("Government and public sector"),
    "JUST": _l("Justice, legal system and public safety"),
    "REGI": _l("Regions and cities"),
}

DATATYPE_LABELS: dict[Datatype, Any] = {
    Datatype.STRING: _l("Text"),
    Datatype.DECIMAL: _l("Decimal number"),
    Datatype.INTEGER: _l("Whole number"),
    Datatype.BOOLEAN: _l("Yes/no"),
    Datatype.DATE: _l("Date"),
    Datatype.DATETIME: _l("Date and time"),
}


class DatasetError(ValueError):
    """A dataset description the catalog cannot publish (a bug in the registering feature)."""


class _Localized:
    """Text that picks Chinese or English when it is rendered (e.g. a download header)."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        from portal.core.i18n import localized

        return localized(self.zh, self.en)


@dataclass(frozen=True)
class Column:
    """One column of a table; `name` is the CSV header / JSON key."""

    name: str
    title_zh: str
    title_en: str
    datatype: str = Datatype.STRING  # a Datatype (or its value)
    unit: str | None = None
    description_zh: str = ""
    description_en: str = ""

    def __post_init__(self) -> None:
        if self.datatype not in _DATATYPES:
            raise DatasetError(f"column {self.name!r}: unknown datatype {self.datatype!r}")

    def download_column(self) -> downloads.Column:
        return downloads.Column(self.name, _Localized(self.title_zh, self.title_en))


@dataclass(frozen=True)
class Distribution:
    """One download of a dataset: a Flask endpoint and its url_for values."""

    format: str
    endpoint: str
    values: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise DatasetError(f"unknown distribution format {self.format!r}")

    @property
    def media_type(self) -> str:
        return FORMATS[self.format][0]


@dataclass(frozen=True, kw_only=True)
class Dataset:
    id: str  # slug, unique: /data/<id>
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    publisher_zh: str = "大兴安岭地区生态环境局"
    publisher_en: str = "Daxing'anling Ecology and Environment Bureau"
    theme: str = "ENVI"
    keywords: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    update_frequency: str = "irregular"
    modified: Callable[[], dt.datetime | None] | None = None
    licence_url_endpoint: str = "pages.page"
    licence_values: dict[str, Any] = field(default_factory=lambda: {"slug": "licence"})
    # Families (see the module docstring):
    parameters: tuple[str, ...] = ()
    index_endpoint: str | None = None
    index_values: dict[str, Any] | None = None
    members: Callable[[], Iterable[Mapping[str, Any]]] | None = None
    # A table whose CSV writer owns its column list (another feature may add columns):
    # the catalog derives the columns from it at request time instead of keeping a copy.
    column_source: Callable[[], Sequence[downloads.Column]] | None = None
    datatypes: Mapping[str, str] = field(default_factory=dict)
    # Coverage: "where" as text (zh, en), and () -> (first day, last day) of the data.
    temporal: Callable[[], tuple[dt.date | None, dt.date | None]] | None = None

    @property
    def is_family(self) -> bool:
        return bool(self.parameters)

    def distribution(self, fmt: str) -> Distribution | None:
        return next((d for d in self.distributions if d.format == fmt), None)

    def table_columns(self) -> tuple[Column, ...]:
        """The table's columns, from `columns` or derived from the CSV writer's list."""
        if self.column_source is None:
            return self.columns
        from flask_babel import force_locale

        derived = []
        for column in self.column_source():
            with force_locale("zh_Hans"):
                zh = str(column.header)
            with force_locale("en"):
                en = str(column.header)
            datatype = self.datatypes.get(column.key, Datatype.STRING)
            derived.append(Column(column.key, zh, en, datatype))
        return tuple(derived)

    def download_columns(self) -> list[downloads.Column]:
        """The columns for `portal.core.downloads.download()`, matching the CSVW schema."""
        if self.column_source is not None:
            return list(self.column_source())
        return [c.download_column() for c in self.columns]

    def last_modified(self) -> dt.datetime | None:
        value = self.modified() if self.modified else None
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value

    def member_values(self) -> list[dict[str, str]]:
        """The current members of a family, keeping only the declared parameters."""
        if not self.is_family or self.members is None:
            return []
        return [{p: str(m[p]) for p in self.parameters} for m in self.members()]

    def validate(self) -> None:
        if not SLUG.match(self.id):
            raise DatasetError(f"dataset id {self.id!r} is not a lowercase slug")
        if self.theme not in THEMES:
            raise DatasetError(f"dataset {self.id!r}: unknown theme {self.theme!r}")
        if self.update_frequency not in FREQUENCIES:
            raise DatasetError(f"dataset {self.id!r}: unknown frequency {self.update_frequency!r}")
        names = [c.name for c in self.columns]
        if self.column_source is None and (not names or len(set(names)) != len(names)):
            raise DatasetError(f"dataset {self.id!r}: columns missing or repeated")
        if not self.distributions:
            raise DatasetError(f"dataset {self.id!r} has no distribution")
        formats = [d.format for d in self.distributions]
        if len(set(formats)) != len(formats):
            raise DatasetError(f"dataset {self.id!r}: one distribution per format")
        if self.is_family and not self.index_endpoint:
            raise DatasetError(f"dataset family {self.id!r} needs an index_endpoint")


def register_dataset(app: Flask, dataset: Dataset) -> None:
    """List `dataset` in the catalog; raises DatasetError on an invalid or duplicate id."""
    dataset.validate()
    registry: dict[str, Dataset] = app.extensions.setdefault(KEY, {})
    if dataset.id in registry:
        raise DatasetError(f"dataset id {dataset.id!r} is already registered")
    registry[dataset.id] = dataset


def all_datasets() -> list[Dataset]:
    """Every registered dataset, in registration order (feature order)."""
    return list(current_app.extensions.get(KEY, {}).values())


def get_dataset(dataset_id: str) -> Dataset | None:
    return current_app.extensions.get(KEY, {}).get(dataset_id)


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on the public BASE_URL (not the Host the request came in on)."""
    return urls.absolute(url_for(endpoint, **values))


def distribution_url(distribution: Distribution, **values: Any) -> str:
    """The absolute download URL; `values` are a family member's parameters."""
    return absolute_url(distribution.endpoint, **{**(distribution.values or {}), **values})


def index_url(dataset: Dataset) -> str | None:
    if not dataset.index_endpoint:
        return None
    return absolute_url(dataset.index_endpoint, **(dataset.index_values or {}))


def licence_url(dataset: Dataset) -> str:
    return absolute_url(dataset.licence_url_endpoint, **dataset.licence_values)


def csvw_metadata_url(dataset_id: str, **values: Any) -> str:
    """Absolute URL of the CSVW description of a dataset's CSV (or of a family member's)."""
    return absolute_url("data.csv_metadata", dataset_id=dataset_id, **values)


def csvw_link_header(dataset_id: str, **values: Any) -> str:
    """The `Link` header value a feature adds to its CSV response (CSVW §5.2)."""
    url = csvw_metadata_url(dataset_id, **values)
    return f'<{url}>; rel="describedby"; type="application/csvm+json"'
