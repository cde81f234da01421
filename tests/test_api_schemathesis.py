"""schemathesis over the whole OpenAPI document, in process against the WSGI app: no 5xx,
every answer matching its documented schema, every status code documented.

A small example budget and a fixed seed (derandomized) keep the run short and repeatable.
The document is read from an app built at collection (no database needed for it); the
requests go to the session's demo portal, which has data behind every list."""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from portal import create_app
from portal.core import openapi
from tests.demo_site import BASE_URL

pytestmark = pytest.mark.validator


def _document() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "openapi",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "INSTANCE_PATH": tmp,
                "BASE_URL": BASE_URL,
            }
        )
        return openapi.document(app)


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_api_operation_keeps_its_documented_promises(case, demo_app):
    # The in-process WSGI transport does not undo Content-Encoding, so ask for the plain
    # answer; gzipped answers are checked where the portal makes them (test_core_pagecache).
    case.call_and_validate(app=demo_app, headers={"Accept-Encoding": "identity"})
