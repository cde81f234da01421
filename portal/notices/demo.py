"""A dozen sample notices in both languages (idempotent: keyed by `source`)."""
# ruff: noqa: E501 - sample texts read better unwrapped

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.core.extensions import db
from portal.core.models import utcnow
from portal.notices.models import Category, Notice, NoticeStatus

# (source, category, county, days ago, title zh, title en, summary zh, summary en, body zh)
SAMPLES = [
    ("demo:notice:1", Category.ANNOUNCEMENTS, None, 1,
     "关于开展2026年第三季度饮用水水源地水质监测的通知",
     "Notice on drinking water source monitoring for the third quarter of 2026",
     "地区生态环境局将于本季度对全区集中式饮用水水源地开展水质监测，结果将在本网站公开。",
     "The bureau will monitor every centralised drinking water source this quarter and publish the results here.",
     "## 监测范围\n\n全区7个县（区）的集中式饮用水水源地。\n\n## 公开方式\n\n监测结果在季度结束后30日内于本网站“饮用水”栏目公开。"),
    ("demo:notice:2", Category.WATER_QUALITY, "mohe", 3,
     "漠河市2026年第二季度饮用水水质状况公告",
     "Mohe drinking water quality, second quarter 2026",
     "漠河市城区水源地及出厂水、管网末梢水各项指标均符合国家标准。",
     "All measured parameters at Mohe's source, treatment works and taps met the national standard.",
     "本季度共采样12次，检测指标109项。详细数据见饮用水栏目。"),
    ("demo:notice:3", Category.WATER_QUALITY, "tahe", 5,
     "塔河县2026年第二季度饮用水水质状况公告",
     "Tahe drinking water quality, second quarter 2026",
     "塔河县水源地一次采样铁超标，已采取处置措施，复测达标。",
     "One sample at Tahe's source exceeded the limit for iron; after treatment the retest met the standard.",
     "超标原因为枯水期地下水铁含量偏高，水厂已调整除铁工艺。"),
    ("demo:notice:4", Category.CARDS, "xinlin", 7,
     "关于对某木材加工企业发放黄牌警示的公告",
     "Yellow card issued to a timber processing company",
     "该企业废水排放超标，责令限期整改。",
     "The company's waste water exceeded discharge limits; it must correct this within a set period.",
     "依据有关规定，对该企业予以黄牌警示，整改期限为三个月。"),
    ("demo:notice:5", Category.INSPECTIONS, "jiagedaqi", 9,
     "2026年第二季度“双随机、一公开”抽查结果公示",
     "Random inspection results, second quarter 2026",
     "本季度随机抽取排污单位15家，发现问题3家，已依法处理。",
     "Fifteen randomly drawn enterprises were inspected this quarter; three had problems, which are being dealt with.",
     "抽查结果明细见执法公开栏目。"),
    ("demo:notice:6", Category.CASES, "songling", 12,
     "松岭区一企业违法排放污染物案行政处罚决定公开",
     "Penalty decision: illegal discharge by a company in Songling",
     "对该企业处以罚款并责令改正。",
     "The company was fined and ordered to correct the violation.",
     "案件详情见执法公开栏目。"),
    ("demo:notice:7", Category.REPORT_HANDLING, None, 14,
     "2026年6月环境污染举报办理情况通报",
     "Pollution reports handled in June 2026",
     "6月共受理群众举报28件，已办结25件，其余正在办理。",
     "28 reports were received in June; 25 are closed and the rest are in progress.",
     "举报人信息依法保密。"),
    ("demo:notice:8", Category.ANNOUNCEMENTS, "huzhong", 16,
     "呼中区开展汛期饮用水安全专项检查",
     "Flood-season drinking water safety checks in Huzhong",
     "汛期期间加密水源地巡查频次。",
     "Source protection zones are patrolled more often during the flood season.",
     "请居民发现水源地周边异常情况及时拨打12369举报。"),
    ("demo:notice:9", Category.ANNOUNCEMENTS, "huma", 20,
     "呼玛县饮用水水源保护区标志设置完成",
     "Source protection signs completed in Huma",
     "呼玛县各饮用水水源保护区边界标志已全部设置。",
     "Boundary signs are now in place around every drinking water protection zone in Huma.",
     "标志设置符合国家标准要求。"),
    ("demo:notice:10", Category.INSPECTIONS, None, 25,
     "2026年度随机抽查计划公示",
     "Random inspection plan for 2026",
     "公布本年度随机抽查事项清单、抽查比例和频次。",
     "The list of inspection items, sampling rates and frequency for this year.",
     "抽查比例不低于5%。"),
]  # fmt: skip


def load() -> int:
    existing = set(
        db.session.scalars(sa.select(Notice.source).where(Notice.source.like("demo:notice:%")))
    )
    now = utcnow()
    added = 0

    def add(source: str, **fields: object) -> Notice | None:
        nonlocal added
        if source in existing:
            return None
        notice = Notice(source=source, author_name="system", **fields)
        notice.refresh_search_text()
        db.session.add(notice)
        added += 1
        return notice

    for source, category, county, days, tzh, ten, szh, sen, body in SAMPLES:
        add(
            source,
            category=category,
            county=county,
            status=NoticeStatus.PUBLISHED,
            title_zh=tzh,
            title_en=ten,
            summary_zh=szh,
            summary_en=sen,
            body_zh=body,
            body_en=None,
            published_at=now - dt.timedelta(days=days, hours=2),
        )
    add(
        "demo:notice:eia",
        category=Category.EIA,
        county="jiagedaqi",
        status=NoticeStatus.PUBLISHED,
        title_zh="加格达奇区污水处理厂提标改造项目环境影响评价公众参与公示",
        title_en="Public consultation: environmental impact of the Jiagedaqi sewage works upgrade",
        summary_zh="现征求公众对该项目环境影响报告书的意见，欢迎在征求意见期内提出。",
        summary_en="We invite comments on the environmental impact report for this project during the comment period.",
        body_zh="## 项目概况\n\n将污水处理厂出水标准由一级B提高到一级A。\n\n## 征求意见范围\n\n项目周边居民及关心本项目的公众。",
        body_en="## The project\n\nRaise the sewage works' effluent standard from class 1B to class 1A.",
        published_at=now - dt.timedelta(days=2),
        comments_close_at=now + dt.timedelta(days=12),
    )
    add(
        "demo:notice:withdrawn",
        category=Category.WATER_QUALITY,
        county="xinlin",
        status=NoticeStatus.WITHDRAWN,
        title_zh="新林区2026年第一季度饮用水水质状况公告",
        title_en="Xinlin drinking water quality, first quarter 2026",
        summary_zh="新林区水源地各项指标符合标准。",
        summary_en="All parameters at Xinlin's source met the standard.",
        body_zh="本公告因数据录入错误已撤回。",
        published_at=now - dt.timedelta(days=40),
        withdrawn_at=now - dt.timedelta(days=30),
        withdrawn_reason="部分检测数据录入有误，更正后将重新发布。",
        revised_at=now - dt.timedelta(days=30),
    )
    db.session.commit()
    return added
