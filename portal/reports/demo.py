"""Demo reports: ~30 cases across counties, categories, channels and states (no real people)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import sqlalchemy as sa

from portal.core.extensions import db
from portal.core.models import utcnow
from portal.reports import service
from portal.reports.eventlog import Channel
from portal.reports.models import Category, Report
from portal.reports.workflow import Action, Outcome, Rating, State

COUNTIES = ("jiagedaqi", "songling", "xinlin", "huzhong", "mohe", "tahe", "huma")
# Weighted: water comes up most often, as on a water portal.
CATEGORIES = (
    Category.WATER,
    Category.WATER,
    Category.WATER,
    Category.AIR,
    Category.NOISE,
    Category.SOLID_WASTE,
    Category.SOIL,
    Category.OTHER,
)
CHANNELS = (Channel.WEB, Channel.WEB, Channel.PHONE, Channel.OPEN311)
PLACES = {
    Category.WATER: ("甘河加格达奇段下游河岸", "呼玛河支流取水口附近", "镇污水处理厂排口"),
    Category.AIR: ("林产品加工厂烟囱", "供热站锅炉房"),
    Category.NOISE: ("夜间施工工地", "木材加工厂车间"),
    Category.SOLID_WASTE: ("河道旁空地", "废弃采石场"),
    Category.SOIL: ("旧加油站地块",),
    Category.OTHER: ("居民区附近作坊",),
}
DESCRIPTIONS = {
    Category.WATER: "河水发黑并有异味，岸边可见死鱼，疑似有企业偷排污水。",
    Category.AIR: "烟囱冒黑烟，附近有刺鼻气味，持续数小时。",
    Category.NOISE: "夜间十点以后仍在施工，噪声很大，影响休息。",
    Category.SOLID_WASTE: "有人倾倒大量生活和建筑垃圾。",
    Category.SOIL: "地块有油污渗出，土壤颜色异常。",
    Category.OTHER: "作坊排出不明液体，气味刺鼻。",
}
# How far each demo case has come: a path of actions from submission.
PATHS: tuple[list[Action], ...] = (
    [],
    [],
    [Action.ACCEPT],
    [Action.ACCEPT, Action.ASSIGN],
    [Action.ACCEPT, Action.ASSIGN, Action.START_INVESTIGATION],
    [Action.ACCEPT, Action.ASSIGN, Action.START_INVESTIGATION, Action.EXTEND],
    [Action.ACCEPT, Action.ASSIGN, Action.START_INVESTIGATION, Action.FINISH],
    [Action.ACCEPT, Action.ASSIGN, Action.START_INVESTIGATION, Action.FINISH, Action.RATE],
    [Action.ACCEPT, Action.ASSIGN, Action.START_INVESTIGATION, Action.FINISH, Action.AUTO_CLOSE],
    [Action.NOT_ACCEPT],
)
NOTES = {
    Action.ACCEPT: "您的举报已受理。",
    Action.NOT_ACCEPT: "该事项不属于生态环境部门职责范围。",
    Action.MARK_DUPLICATE: "与此前举报为同一问题，已合并办理。",
    Action.ASSIGN: "已转县级生态环境分局办理。",
    Action.START_INVESTIGATION: "执法人员已赴现场调查。",
    Action.EXTEND: "需委托第三方检测，办理期限延长。",
    Action.FINISH: "经调查核实，已依法处理。",
    Action.START_REVIEW: "已启动复核。",
    Action.CONCLUDE_REVIEW: "复核后维持原处理结果。",
}
DEMO_PREFIX = "demo-"


def _data(action: Action, county: str, rng: random.Random) -> dict[str, Any]:
    """The step's data, as service._apply takes it."""
    by_action: dict[Action, dict[str, Any]] = {
        Action.NOT_ACCEPT: {
            "reason": "属于住房城乡建设部门职责",
            "refer_to": "12345 政务服务便民热线",
        },
        Action.ASSIGN: {"assignee": county},
        Action.EXTEND: {"days": 30, "reason": "需委托第三方检测机构检测"},
        Action.FINISH: {
            "outcome": rng.choice(list(Outcome)),
            "action_taken": "责令立即停止违法行为，限期整改。",
        },
        Action.CONCLUDE_REVIEW: {"outcome": Outcome.VIOLATION_FOUND, "action_taken": "复核维持"},
        Action.RATE: {"rating": rng.choice(list(Rating))},
    }
    return by_action.get(action, {})


def load() -> int:
    if db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Report)
        .where(Report.submission_id.startswith(DEMO_PREFIX))
    ):
        return 0
    rng = random.Random(12369)
    now = utcnow()
    added = 0
    for i in range(30):
        county = COUNTIES[i % len(COUNTIES)]
        category = CATEGORIES[i % len(CATEGORIES)]
        path = PATHS[i % len(PATHS)]
        received = now - dt.timedelta(days=rng.randint(3, 300), hours=rng.randint(0, 23))
        if i in (0, 4, 13):  # some cases left overdue on purpose
            received = now - dt.timedelta(days=rng.randint(20, 40) if not path else 100)
        if Action.AUTO_CLOSE in path:
            received = min(received, now - dt.timedelta(days=120))
        channel = CHANNELS[i % len(CHANNELS)]
        report, _ = service.submit(
            service.Submission(
                category=category,
                county=county,
                place=rng.choice(PLACES[category]),
                description=DESCRIPTIONS[category],
                observed_at=received - dt.timedelta(hours=3),
            ),
            submission_id=f"{DEMO_PREFIX}{i:03d}",
            channel=channel,
            received_at=received,
        )
        at = received
        for action in path:
            if action is Action.AUTO_CLOSE:
                at = max(at + dt.timedelta(days=20), at)
            else:
                at = min(at + dt.timedelta(days=rng.randint(1, 12)), now)
            service._apply(
                report, action, at, public_note=NOTES.get(action, ""), **_data(action, county, rng)
            )
        db.session.commit()
        added += 1
    # One disputed case under review.
    report, _ = service.submit(
        service.Submission(
            category=Category.WATER,
            county="tahe",
            place="塔河县城区排水沟",
            description=DESCRIPTIONS[Category.WATER],
        ),
        submission_id=f"{DEMO_PREFIX}dispute",
        channel=Channel.WEB,
        received_at=now - dt.timedelta(days=80),
    )
    at = report.received_at
    for action in (
        Action.ACCEPT,
        Action.ASSIGN,
        Action.START_INVESTIGATION,
        Action.FINISH,
        Action.DISPUTE,
        Action.START_REVIEW,
    ):
        at += dt.timedelta(days=5)
        data = (
            _data(action, "tahe", rng)
            if action is not Action.DISPUTE
            else {"reason": "排水沟仍有异味，问题没有解决。"}
        )
        service._apply(
            report, action, at, public_note=NOTES.get(action, data.get("reason", "")), **data
        )
    db.session.commit()
    _publish_summaries()
    return added + 1


SUMMARY = {
    Category.WATER: (
        "河道异味举报查处情况",
        "群众反映河水发黑有异味。经现场调查，责令涉事企业停止排放并限期整改。",
        "River odour report: outcome",
        "Residents reported dark, smelly water. The firm "
        "concerned was ordered to stop discharging and to fix its plant.",
    ),
    Category.AIR: (
        "烟囱冒黑烟举报查处情况",
        "经现场检查，锅炉除尘设施故障，已责令停产维修。",
        "Black smoke report: outcome",
        "The boiler's dust filter had failed; the plant was ordered to stop until it was repaired.",
    ),
}


def _publish_summaries() -> None:
    """Redacted case summaries of some handled demo reports, as handlers publish them (so
    /reports/cases/ and Open311 GET requests have content)."""
    handled = db.session.scalars(
        sa.select(Report)
        .where(
            Report.submission_id.startswith(DEMO_PREFIX),
            Report.state.in_([State.FINISHED, State.CLOSED]),
            Report.category.in_(list(SUMMARY)),
        )
        .order_by(Report.received_at.desc())
        .limit(4)
    ).all()
    for report in handled:
        title_zh, summary_zh, title_en, summary_en = SUMMARY[Category(report.category)]
        service.publish_summary(
            report,
            title_zh=title_zh,
            summary_zh=summary_zh,
            title_en=title_en,
            summary_en=summary_en,
        )
