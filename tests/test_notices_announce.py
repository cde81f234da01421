"""announce(): how the water, enforcement and reports modules publish a notice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.notices.announce import announce, withdraw_announcement
from portal.notices.models import Notice, NoticeVersion


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_announcement_is_published_at_once_and_links_back_to_the_record(client, db):
    notice = announce(
        "water-quality",
        "漠河市2026年第三季度饮用水水质公告",
        "各项指标均达标。",
        "/water/quarters/mohe/2026Q3",
        county="mohe",
        source="water:quarter:mohe:2026Q3",
        title_en="Mohe drinking water, 2026 Q3",
        summary_en="Every parameter met the standard.",
    )
    db.session.commit()
    assert notice.status == "published" and notice.author_name == "system"
    page = client.get(f"/notices/{notice.id}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Mohe drinking water, 2026 Q3" in html
    assert 'href="/water/quarters/mohe/2026Q3"' in html
    api = client.get(f"/api/v1/notices/{notice.id}").get_json()
    assert api["record_url"] == "https://water.example.gov.cn/water/quarters/mohe/2026Q3"


def test_announce_only_flushes_so_the_callers_rollback_undoes_it(db):
    announce("cards", "红牌", "摘要", "/enforcement/cards/1", source="enforcement:card:1")
    db.session.rollback()
    assert _count(db, Notice) == 0
    assert _count(db, AuditEntry) == 0


def test_announcing_the_same_source_again_is_a_visible_correction_not_a_duplicate(client, db):
    first = announce(
        "water-quality",
        "塔河水质公告",
        "铁超标。",
        "/water/q/tahe",
        source="water:quarter:tahe:2026Q2",
    )
    db.session.commit()
    again = announce(
        "water-quality",
        "塔河水质公告（更正）",
        "铁未超标。",
        "/water/q/tahe",
        source="water:quarter:tahe:2026Q2",
        reason="更正检测结果录入错误",
    )
    db.session.commit()
    assert again.id == first.id and again.version == 2
    assert _count(db, Notice) == 1
    old = db.session.scalars(sa.select(NoticeVersion)).one()
    assert old.summary_zh == "铁超标。" and old.reason == "更正检测结果录入错误"
    html = client.get(f"/notices/{first.id}", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert "铁未超标。" in html and "更正检测结果录入错误" in html
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["announce", "announce_update"]


def test_announcing_unchanged_text_again_changes_nothing(db):
    announce("cases", "案件", "摘要", "/enforcement/cases/A1", source="enforcement:case:A1")
    db.session.commit()
    notice = announce(
        "cases", "案件", "摘要", "/enforcement/cases/A1", source="enforcement:case:A1"
    )
    db.session.commit()
    assert notice.version == 1 and _count(db, NoticeVersion) == 0


def test_withdrawing_an_announcement_keeps_it_with_the_reason(client, db):
    notice = announce("cards", "黄牌", "摘要", "/enforcement/cards/2", source="enforcement:card:2")
    db.session.commit()
    withdraw_announcement("enforcement:card:2", "处罚决定已撤销")
    db.session.commit()
    html = client.get(f"/notices/{notice.id}", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert "处罚决定已撤销" in html


def test_announce_refuses_unknown_categories_and_off_site_links(db):
    with pytest.raises(ValueError):
        announce("gossip", "t", "s", "/x", source="x:1")
    with pytest.raises(ValueError):
        announce("cards", "t", "s", "https://evil.example/", source="x:2")
    with pytest.raises(ValueError):
        announce("cards", "t", "s", "//evil.example/", source="x:3")


def test_announcement_scheduled_for_later_is_not_public_yet(client, db):
    import datetime as dt

    from portal.core.models import utcnow

    notice = announce(
        "inspections",
        "抽查结果",
        "摘要",
        "/enforcement/draws/2026-07",
        source="enforcement:draw:2026-07",
        published_at=utcnow() + dt.timedelta(hours=2),
    )
    db.session.commit()
    assert client.get(f"/notices/{notice.id}").status_code == 404
