"""Test support shared by every feature (conftest.py's fixtures use it too): the database
under test, the officials' password, and counting rows."""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa

from portal.core.extensions import db as _db

# The PostgreSQL database to test on; SQLite when unset.
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
# The password of every official the `make_user` and `login_as` fixtures create.
PASSWORD = "correct horse battery staple"


def count_rows(model: Any) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))
