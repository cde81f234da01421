"""Demo officials, one per role, for trying the portal locally (never in production)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from portal.accounts import service
from portal.accounts.models import User
from portal.core.permissions import Role

DEMO_PASSWORD = "demo-portal-2026"
DEMO_ACCOUNTS = (
    ("admin@demo.dxal.gov.cn", Role.ADMIN, None, "演示管理员"),
    ("publisher@demo.dxal.gov.cn", Role.PUBLISHER, None, "演示发布员"),
    ("water@demo.dxal.gov.cn", Role.WATER_OFFICER, None, "演示水质监管员"),
    ("enforcement@demo.dxal.gov.cn", Role.ENFORCEMENT_OFFICER, "jiagedaqi", "演示执法人员"),
    ("handler@demo.dxal.gov.cn", Role.REPORT_HANDLER, None, "演示举报办理员"),
)


def in_use() -> bool:
    """Any official's account means the database is in use: no demo data over it."""
    return service.db.session.scalar(sa.select(User.id).limit(1)) is not None


def load() -> int:
    if current_app.config["PRODUCTION"]:
        raise RuntimeError("demo accounts are never created in production")
    added = 0
    for email, role, county, name in DEMO_ACCOUNTS:
        if service.db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            user, errors = service.create_user(email, role, county, DEMO_PASSWORD, name)
            assert user is not None, errors
            added += 1
    return added
