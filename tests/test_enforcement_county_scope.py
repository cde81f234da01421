"""County scope of writes, checked against the record as stored (issue 15 #1): a county
officer can neither change another county's enterprise nor move one between counties,
through the form, the import or the inspector form, and so cannot reach its cards."""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa

from portal.core.models import utcnow
from portal.enforcement import cards, registry
from portal.enforcement.models import Card, Enterprise, Inspector
from portal.notices.models import Notice
from tests.enforcement_support import add_enterprise, card_decision, credit_code

MOHE = credit_code(1, "232723")
TAHE = credit_code(2, "232722")
HEADER = "code,name,county,industry,address\n"


def _stored(db, code):
    db.session.expire_all()
    return db.session.scalar(sa.select(Enterprise).where(Enterprise.code == code))


def test_a_tahe_officer_cannot_rename_or_move_a_mohe_enterprise_through_the_form(
    app, client, login_as, db
):
    add_enterprise(app, MOHE, "mohe", "漠河金矿")
    login_as("enforcement_officer", "tahe")
    response = client.post(
        "/admin/enforcement/enterprises/new?lang=en",
        data={"code": MOHE, "name": "塔河金矿", "county": "tahe", "industry": "采矿"},
    )
    assert response.status_code == 400
    assert "registered in another county" in response.get_data(as_text=True)
    stored = _stored(db, MOHE)
    assert (stored.name_zh, stored.county) == ("漠河金矿", "mohe")


def test_a_county_officer_cannot_move_their_own_enterprise_to_another_county(
    app, client, login_as, db
):
    add_enterprise(app, MOHE, "mohe", "漠河金矿")
    login_as("enforcement_officer", "mohe")
    response = client.post(
        "/admin/enforcement/enterprises/new?lang=en",
        data={"code": MOHE, "name": "漠河金矿", "county": "tahe", "industry": "采矿"},
    )
    assert response.status_code == 400
    assert "cannot move an enterprise" in response.get_data(as_text=True)
    assert _stored(db, MOHE).county == "mohe"


def test_a_region_wide_officer_may_move_an_enterprise(app, client, login_as, db):
    add_enterprise(app, MOHE, "mohe", "漠河金矿")
    login_as("enforcement_officer")
    response = client.post(
        "/admin/enforcement/enterprises/new",
        data={"code": MOHE, "name": "漠河金矿", "county": "tahe", "industry": "采矿"},
    )
    assert response.status_code == 302
    assert _stored(db, MOHE).county == "tahe"


def test_an_import_row_for_another_countys_enterprise_is_refused_and_nothing_is_imported(
    app, client, login_as, db
):
    add_enterprise(app, MOHE, "mohe", "漠河金矿")
    login_as("enforcement_officer", "tahe")
    body = (HEADER + f"{TAHE},塔河木业,tahe,木材,\n{MOHE},塔河金矿,tahe,采矿,\n").encode()
    response = client.post(
        "/admin/enforcement/enterprises/import?lang=en",
        data={"file": (io.BytesIO(body), "registry.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Nothing was imported" in text and "registered in another county" in text
    assert _stored(db, TAHE) is None
    stored = _stored(db, MOHE)
    assert (stored.name_zh, stored.county) == ("漠河金矿", "mohe")


def test_the_import_refuses_rows_for_another_county_with_the_row_number(app):
    add_enterprise(app, MOHE, "mohe", "漠河金矿")
    from flask_login import login_user

    from portal.accounts import service as accounts

    user, _errors = accounts.create_user(
        "tahe@dxal.example.gov.cn", "enforcement_officer", "tahe", "correct horse battery"
    )
    with app.test_request_context():
        login_user(user)
        report = registry.import_enterprises(
            io.BytesIO((HEADER + f"{MOHE},塔河金矿,tahe,采矿,\n").encode()), "r.csv"
        )
    assert [(r.row, r.field, r.code) for r in report.problems] == [
        (2, "county", "enterprise_of_other_county")
    ]
    assert report.added == report.updated == 0


def test_a_tahe_officer_cannot_take_over_a_mohe_inspector(app, client, login_as, db):
    with app.test_request_context():
        registry.save_inspector(registry.InspectorData("HJ-001", "漠河检查员", "mohe"))
    login_as("enforcement_officer", "tahe")
    response = client.post(
        "/admin/enforcement/inspectors?lang=en",
        data={"code": "HJ-001", "name": "塔河检查员", "county": "tahe"},
    )
    assert response.status_code == 400
    assert "another county" in response.get_data(as_text=True)
    db.session.expire_all()
    inspector = db.session.scalar(sa.select(Inspector))
    assert (inspector.name, inspector.county) == ("漠河检查员", "mohe")


def test_after_a_refused_move_the_mohe_card_stays_out_of_a_tahe_officers_reach(
    app, client, login_as, db
):
    add_enterprise(app, MOHE, "mohe", "漠河金矿")
    with app.test_request_context():
        card = cards.decide_card(card_decision(MOHE, color="red"))
        card_id = card.id
    login_as("enforcement_officer", "tahe")
    client.post(
        "/admin/enforcement/enterprises/new",
        data={"code": MOHE, "name": "漠河金矿", "county": "tahe", "industry": "采矿"},
    )
    response = client.post(
        f"/admin/enforcement/cards/{card_id}/lift",
        data={"lifted_on": "2026-02-01", "reason": "整改完成", "evidence": "报告"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Card, card_id).state == "active"


def _notice(db, title, county):
    notice = Notice(
        category="announcements",
        county=county,
        status="published",
        title_zh=title,
        summary_zh="摘要",
        body_zh="正文",
        published_at=utcnow() - dt.timedelta(hours=1),
    )
    db.session.add(notice)
    db.session.commit()
    return notice.id


def test_a_county_publisher_cannot_change_or_withdraw_another_countys_notice(
    app, client, login_as, db
):
    mohe = _notice(db, "漠河停水通知", "mohe")
    region = _notice(db, "全区通知", None)
    login_as("publisher", "tahe")
    for notice_id in (mohe, region):
        assert (
            client.post(f"/admin/notices/{notice_id}/withdraw", data={"reason": "测试"}).status_code
            == 403
        )
        edit = {
            "category": "announcements",
            "county": "tahe",
            "language": "zh_Hans",
            "title_zh": "改了",
            "summary_zh": "改了",
            "body_zh": "改了",
            "reason": "改",
        }
        assert client.post(f"/admin/notices/{notice_id}/edit", data=edit).status_code == 403
    db.session.expire_all()
    assert [n.title_zh for n in db.session.scalars(sa.select(Notice).order_by(Notice.id))] == [
        "漠河停水通知",
        "全区通知",
    ]
    assert {n.status for n in db.session.scalars(sa.select(Notice))} == {"published"}
