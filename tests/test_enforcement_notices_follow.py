"""Announcements leave public view with their record (issue 15 #8): a credit repair
withdraws them with the reason at once; the end of a publication period takes them out of
every public list, page, feed, search and API answer at that moment, without a worker."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from portal.core.models import utcnow
from portal.enforcement import announcements, cards, cases, publication
from portal.enforcement.models import Card, Case
from portal.notices import queries as notice_queries
from portal.notices.models import Notice
from tests.enforcement_support import add_enterprise, card_decision, case_data, credit_code

MOHE = credit_code(1)
NAME = "漠河测试金矿有限公司"
PUBLIC_URLS = (
    "/notices/",
    "/feeds/notices.atom",
    "/feeds/cards.rss",
    "/api/v1/notices",
    "/search?q=漠河测试金矿",
    "/sitemaps/notices.xml",
    "/",
)


def _lifted_card(app, lifted_days_ago: int) -> int:
    add_enterprise(app, MOHE, "mohe", NAME)
    lifted_on = publication.today() - dt.timedelta(days=lifted_days_ago)
    with app.test_request_context():
        card = cards.decide_card(
            card_decision(MOHE, decided_on=lifted_on - dt.timedelta(days=30), reasons="尾矿渗漏")
        )
        cards.lift_card(card, cards.Lifting(lifted_on, "整改完成", "监测报告"))
        return card.id


def _texts(client) -> str:
    texts = []
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        data = response.get_json(silent=True)
        texts.append(json.dumps(data, ensure_ascii=False) if data else response.get_data(True))
    return "\n".join(texts)


def test_a_credit_repair_withdraws_the_cards_notices_with_the_reason(app, client, login_as, db):
    card_id = _lifted_card(app, 30)
    texts = _texts(client)
    assert texts.count("尾矿渗漏") >= 5  # feeds, API and search show the reasons
    login_as("enforcement_officer", "mohe")
    response = client.post(
        f"/admin/enforcement/cards/{card_id}/repair",
        data={"repaired_on": publication.today().isoformat(), "reason": "内部审批意见"},
    )
    assert response.status_code == 302
    client.post("/admin/logout")
    card = db.session.get(Card, card_id)
    for notice_id in (card.decision_notice_id, card.lift_notice_id):
        page = client.get(f"/notices/{notice_id}?lang=zh_Hans").get_data(as_text=True)
        assert "信用修复已于" in page and "尾矿渗漏" not in page
        api = client.get(f"/api/v1/notices/{notice_id}").get_json()
        assert api["withdrawn"]["reason"].startswith("信用修复已于")
        assert api["summary_zh"] is None and api["body_zh"] is None
    texts = _texts(client)
    assert "尾矿渗漏" not in texts and "监测报告" not in texts
    assert "内部审批意见" not in texts  # the official's internal reason is not published


def test_a_case_repair_withdraws_its_notice(app, client, login_as, db):
    add_enterprise(app, MOHE, "mohe", NAME)
    with app.test_request_context():
        case = cases.record_case(case_data(MOHE, facts="暗管偷排渗滤液"))
        case_id, notice_id = case.id, case.notice_id
    login_as("enforcement_officer", "mohe")
    client.post(
        f"/admin/enforcement/cases/{case_id}/repair",
        data={"repaired_on": publication.today().isoformat(), "reason": "批准"},
    )
    client.post("/admin/logout")
    assert db.session.get(Notice, notice_id).status == "withdrawn"
    assert "暗管偷排渗滤液" not in _texts(client)


def test_notices_leave_at_the_moment_the_cards_period_ends(app, client, db):
    card_id = _lifted_card(app, 30)
    card = db.session.get(Card, card_id)
    end = publication.public_until(card)
    moment = dt.datetime.combine(end, dt.time(0), dt.timezone(dt.timedelta(hours=8)))
    for notice_id in (card.decision_notice_id, card.lift_notice_id):
        notice = db.session.get(Notice, notice_id)
        assert notice.public_until == moment
        assert notice.is_public(moment - dt.timedelta(seconds=1))
        assert not notice.is_public(moment)
    visible = sa.select(Notice.id).where(notice_queries.public_filter(moment))
    assert db.session.scalars(visible).all() == []
    before = sa.select(Notice.id).where(
        notice_queries.public_filter(moment - dt.timedelta(seconds=1))
    )
    assert len(db.session.scalars(before).all()) == 2
    assert publication.next_change(utcnow()) == moment
    assert notice_queries.next_expiry(utcnow()) == moment


def test_notices_of_a_card_whose_period_has_ended_are_public_nowhere(app, client, db):
    card_id = _lifted_card(app, 400)  # a yellow card is public for a year after its end
    card = db.session.get(Card, card_id)
    texts = _texts(client)
    assert "尾矿渗漏" not in texts
    for notice_id in (card.decision_notice_id, card.lift_notice_id):
        assert f"/notices/{notice_id}" not in texts
        assert client.get(f"/notices/{notice_id}").status_code == 404
        assert client.get(f"/api/v1/notices/{notice_id}").status_code == 404


def test_correcting_a_cases_decision_date_moves_its_notices_end(app, client, login_as, db):
    add_enterprise(app, MOHE, "mohe", NAME)
    today = publication.today()
    with app.test_request_context():
        case = cases.record_case(
            case_data(
                MOHE,
                filed_on=today - dt.timedelta(days=100),
                decided_on=today - dt.timedelta(days=10),
            )
        )
        case_id, notice_id = case.id, case.notice_id
    login_as("enforcement_officer", "mohe")
    response = client.post(
        f"/admin/enforcement/cases/{case_id}/correct",
        data={
            "field": "decided_on",
            "value": (today - dt.timedelta(days=20)).isoformat(),
            "reason": "更正决定日期",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert db.session.get(Notice, notice_id).public_until == announcements.notice_until(case)
    assert announcements.notice_until(case).date() == publication.public_until(
        case
    ) - dt.timedelta(days=1)


def test_the_notices_of_records_announced_before_the_migration_are_brought_in_line(
    app, runner, db
):
    card_id = _lifted_card(app, 400)
    card = db.session.get(Card, card_id)
    for notice_id in (card.decision_notice_id, card.lift_notice_id):
        db.session.get(Notice, notice_id).public_until = None  # as migrated
    db.session.commit()
    visible = sa.select(sa.func.count()).select_from(Notice).where(notice_queries.public_filter())
    assert db.session.scalar(visible) == 2
    result = runner.invoke(args=["enterprises", "refresh-notice-periods"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(visible) == 0
