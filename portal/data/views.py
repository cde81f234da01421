"""Public pages of the open-data catalog and its machine-readable documents."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from portal.core.http import conditional
from portal.core.pagecache import cacheable
from portal.data import documents, registry

bp = Blueprint("data", __name__)

MAX_AGE = 300


def _json(doc: dict, mimetype: str) -> Response:
    body = json.dumps(doc, ensure_ascii=False, indent=1)
    response = Response(body, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return conditional(response, max_age=MAX_AGE)


def _entries(datasets: list[registry.Dataset]) -> list[dict]:
    return [
        {
            "dataset": d,
            "modified": d.last_modified(),
            "members": d.member_values(),
            "index_url": registry.index_url(d),
        }
        for d in datasets
    ]


@bp.get("/data/")
@cacheable
def index() -> ResponseReturnValue:
    entries = _entries(registry.all_datasets())
    response = Response(render_template("data/index.html", entries=entries, reg=registry))
    return conditional(response, max_age=MAX_AGE)


@bp.get("/data/catalog.jsonld")
@cacheable
def catalog() -> ResponseReturnValue:
    return _json(documents.catalog(), "application/ld+json")


@bp.get("/data/<dataset_id>.csv-metadata.json")
@cacheable
def csv_metadata(dataset_id: str) -> ResponseReturnValue:
    dataset = registry.get_dataset(dataset_id)
    if dataset is None or dataset.distribution("csv") is None:
        abort(404)
    values = {p: request.args.get(p, "") for p in dataset.parameters}
    if any(not v for v in values.values()):
        abort(404)  # a family's metadata describes one member's table
    if dataset.members is not None and values and values not in dataset.member_values():
        abort(404)
    return _json(documents.csvw(dataset, values), "application/csvm+json")


@bp.get("/data/<dataset_id>")
@cacheable
def dataset(dataset_id: str) -> ResponseReturnValue:
    dataset = registry.get_dataset(dataset_id)
    if dataset is None:
        abort(404)
    entry = _entries([dataset])[0]
    response = Response(render_template("data/dataset.html", entry=entry, reg=registry))
    return conditional(response, max_age=MAX_AGE)
