"""Test support for enforcement: valid credit codes, registry seeding, and the dataclasses
the services take, with defaults a test can override."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from portal.enforcement import cards, cases, registry
from portal.enforcement.credit_code import check_character
from portal.enforcement.models import Enterprise

# The administrative division code (positions 3-8) of each county's enterprises.
DIVISIONS = {"mohe": "232723", "tahe": "232722", "huma": "232721"}

# The header line of an enterprise registry import file with every column.
REGISTRY_CSV_HEADER = "code,name,county,industry,address,permit_number,key_discharger\n"


def credit_code(n: int, division: str = "232723") -> str:
    """A valid 18-character unified social credit code, distinct for each `n`."""
    first = f"91{division}MA{n:07d}"
    return first + check_character(first)


def add_enterprise(
    app: Any,
    code: str,
    county: str = "mohe",
    name: str = "漠河测试金矿有限公司",
    industry: str = "采矿",
    **extra: str,
) -> Enterprise:
    """Save an enterprise through the registry service (as the system, not an official)."""
    values = {"code": code, "name": name, "county": county, "industry": industry, **extra}
    with app.test_request_context():
        return registry.save_enterprise(values)


def card_decision(code: str, **extra: Any) -> cards.CardDecision:
    values: dict[str, Any] = {
        "enterprise_code": code,
        "color": "yellow",
        "number": "大兴安岭环黄牌〔2026〕1号",
        "decided_on": dt.date(2026, 1, 10),
        "authority": "大兴安岭地区生态环境局",
        "reasons": "废水悬浮物超标排放",
        "measures": "限制生产，限期整改",
    }
    values.update(extra)
    return cards.CardDecision(**values)


def case_data(code: str, **extra: Any) -> cases.CaseData:
    values: dict[str, Any] = {
        "enterprise_code": code,
        "number": "大兴安岭环罚〔2026〕9号",
        "filed_on": dt.date(2026, 2, 10),
        "decided_on": dt.date(2026, 3, 18),
        "violation_type": "exceeding",
        "facts": "超标",
        "legal_basis": "第八十三条",
        "fine_yuan": Decimal(100000),
        "status": "closed",
    }
    values.update(extra)
    return cases.CaseData(**values)
