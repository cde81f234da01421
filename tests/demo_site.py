"""One portal with the demo data set, built once per test session, for the validators that
walk the whole site (schemathesis, the Nu HTML checker, the sitemap walk, SHACL and CSVW).

It reads only (the validators never write), so one database serves every test that uses it.
It is SQLite in both suite runs: what the validators judge is the portal's output, which does
not depend on the database (the per-feature tests run on both).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

BASE_URL = "https://water.example.gov.cn"


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from portal import create_app
    from portal.core.demo import load_all
    from portal.core.extensions import db

    root = tmp_path_factory.mktemp("demo-site")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "demo-site",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'portal.db'}",
            "INSTANCE_PATH": str(root / "instance"),
            "UPLOAD_DIR": str(root / "uploads"),
            "MAIL_DIR": str(root / "mail"),
            "BASE_URL": BASE_URL,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        db.create_all()
        load_all()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()
