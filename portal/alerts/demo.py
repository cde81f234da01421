"""One past warning, lifted, to show the history (never one in force: it would mark every
page of the demo). Idempotent: keyed by its Chinese headline."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from portal.accounts.models import User
from portal.alerts import service
from portal.alerts.models import Alert, Kind, Level
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.permissions import Role

HEADLINE_ZH = "塔河县城区供水管网浑浊，煮沸后饮用"


def _system_publisher() -> User:
    # The service checks role and county like for anyone; the demo acts as a region-wide
    # publisher that is never stored.
    return User(id=None, email="system", role=Role.PUBLISHER, county=None)


def load() -> int:
    if current_app.config["PRODUCTION"]:
        raise RuntimeError("demo warnings are never created in production")
    if db.session.scalar(sa.select(Alert.id).where(Alert.headline_zh == HEADLINE_ZH)):
        return 0
    start = (utcnow() - dt.timedelta(days=40)).replace(minute=0, second=0, microsecond=0)
    user = _system_publisher()
    data = service.AlertData(
        level=Level.YELLOW,
        kind=Kind.BOIL_WATER,
        counties=("tahe",),
        sites=(),
        headline_zh=HEADLINE_ZH,
        headline_en="Cloudy tap water in Tahe town: boil before drinking",
        instruction_zh="塔河县城区居民饮用自来水前请煮沸；浑浊时请先静置。",
        instruction_en="Residents of Tahe town: boil tap water before drinking; let cloudy water settle first.",  # noqa: E501
        description_zh="因管网维修，部分区域自来水浑浊度升高。",
        description_en="Pipe repairs have made tap water cloudy in parts of the town.",
        effective_from=start,
        expected_end=start + dt.timedelta(days=2),
    )
    alert_id = service.create(data, user, now=start).id
    data.level = Level.BLUE
    data.instruction_zh = "浑浊度已下降，饮用前仍请煮沸。"
    data.instruction_en = "Turbidity is falling; still boil water before drinking."
    service.update(alert_id, data, "浑浊度下降，预警降为蓝色。",
                   "Turbidity falling: warning lowered to blue.", user,
                   now=start + dt.timedelta(days=1))  # fmt: skip
    service.lift(alert_id, "复测浑浊度符合GB 5749-2022，可正常饮用。",
                 "Retests meet GB 5749-2022 for turbidity; tap water is safe again.",
                 user, now=start + dt.timedelta(days=2, hours=3))  # fmt: skip
    return 1
