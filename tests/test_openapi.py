"""The portal's OpenAPI 3.1 document and how features extend it."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from portal.core import openapi


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_document_is_served_and_describes_the_notices_api(client):
    response = client.get("/api/v1/openapi.json")
    doc = response.get_json()
    assert response.status_code == 200
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert set(doc["paths"]) >= {"/api/v1/notices", "/api/v1/notices/{id}"}
    assert doc["paths"]["/api/v1/notices"]["get"]["responses"]["200"]
    assert doc["servers"][0]["url"] == "https://water.example.gov.cn"


def test_every_reference_in_the_document_resolves(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for ref in _refs(doc):
        assert ref.startswith("#/components/")
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]  # KeyError if dangling


def test_every_documented_path_is_a_real_route(app, client):
    def shape(path: str) -> str:
        return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)

    doc = client.get("/api/v1/openapi.json").get_json()
    rules = {shape(r.rule) for r in app.url_map.iter_rules()}
    assert [p for p in doc["paths"] if shape(p) not in rules] == []


def test_register_merges_paths_and_schemas_from_other_features():
    app = Flask(__name__)
    app.config["BASE_URL"] = "https://x"
    openapi.init_app(app)
    openapi.register(
        app,
        {"/api/v1/sites": {"get": {"responses": {"200": {"description": "ok"}}}}},
        {"Site": {"type": "object"}},
    )
    openapi.register(
        app,
        {"/api/v1/sites": {"post": {"responses": {"201": {"description": "made"}}}}},
        {"schemas": {"Sample": {"type": "object"}}},
    )
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert set(doc["paths"]["/api/v1/sites"]) == {"get", "post"}
    assert set(doc["components"]["schemas"]) == {"ApiError", "Site", "Sample"}


def test_registering_a_conflicting_operation_is_an_error():
    app = Flask(__name__)
    openapi.register(app, {"/a": {"get": {"summary": "one"}}})
    openapi.register(app, {"/a": {"get": {"summary": "one"}}})  # the same again is fine
    with pytest.raises(ValueError):
        openapi.register(app, {"/a": {"get": {"summary": "two"}}})
    openapi.register(app, {}, {"X": {"type": "string"}})
    with pytest.raises(ValueError):
        openapi.register(app, {}, {"X": {"type": "integer"}})


def test_document_answers_conditional_requests(client):
    first = client.get("/api/v1/openapi.json")
    assert (
        client.get(
            "/api/v1/openapi.json", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
