"""The permission walk by county (issue 15 #1 and "Done means"): every admin route is tried
by an official of another county, with direct addresses of a Mohe record and with forms
replayed against Mohe's records. Nothing of Mohe's may change, and a route added without
saying how it is walked fails the test."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import sqlalchemy as sa

from portal.alerts.models import Alert
from portal.core.extensions import db as _db
from portal.core.models import utcnow
from portal.enforcement import cards, cases, draws, publication, registry
from portal.notices.models import Notice, NoticeAttachment, NoticeComment
from portal.reports.models import Report
from tests.alerts_support import form, publish
from tests.core_support import PASSWORD
from tests.enforcement_support import add_enterprise, card_decision, case_data, credit_code
from tests.reports_support import photo_bytes, submit_report
from tests.water_support import SITES

MOHE = credit_code(1, "232723")
TAHE = credit_code(2, "232722")
# Writes recorded whatever their outcome (logins, the audit of refusals) are not Mohe data.
NOT_RECORDS = {"audit_entries", "users"}
# Routes that hold no county's records: region-wide administration, or the login itself.
REGION_ONLY = {
    ("accounts.login", "GET"),
    ("accounts.login", "POST"),
    ("accounts.logout", "POST"),
    ("admin.audit_log", "GET"),
    ("accounts.users", "GET"),
    ("accounts.users", "POST"),
    ("accounts.set_active", "POST"),
    ("reports_admin.api_keys", "GET"),
    ("reports_admin.api_keys", "POST"),
    ("reports_admin.revoke_key", "POST"),
}


# Walked by their own test below.
ELSEWHERE = {("water_admin.import_file", "POST")}
# Reads of another county's record that stay open: a notice's preview (publishers share one
# list of notices, most of them public anyway); every write from it is refused.
READ_ACROSS = {("notices_admin.preview", "GET")}


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    _db.session.expire_all()
    return {
        table.name: sorted(map(repr, _db.session.execute(sa.select(table)).all()))
        for table in _db.metadata.sorted_tables
        if table.name not in NOT_RECORDS
    }


def _seed(app: Any, client: Any, make_user: Any) -> dict[str, Any]:
    """Mohe's records, made as the system (and one report by a citizen)."""
    add_enterprise(app, MOHE, "mohe", "漠河测试金矿有限公司")
    today = publication.today()
    with app.test_request_context():
        card = cards.decide_card(card_decision(MOHE, number="漠河黄牌1号"))
        case = cases.record_case(case_data(MOHE, number="漠河罚1号"))
        registry.save_inspector(registry.InspectorData("HJ-M01", "漠河检查员", "mohe"))
        draw = draws.commit_draw(
            draws.DrawPlan(
                title="漠河抽查",
                county="mohe",
                planned_on=today,
                entropy_source="福彩3D",
                entropy_at=utcnow() + dt.timedelta(days=1),
                select_count=1,
                inspectors_per_entity=1,
            )
        )
        ids = {"card_id": card.id, "case_id": case.id, "number": draw.number}
    notice = Notice(
        category="eia",
        county="mohe",
        status="published",
        title_zh="漠河环评公示",
        summary_zh="摘要",
        body_zh="正文",
        published_at=utcnow() - dt.timedelta(hours=1),
        comments_close_at=utcnow() + dt.timedelta(days=10),
    )
    _db.session.add(notice)
    _db.session.flush()
    comment = NoticeComment(notice_id=notice.id, body="意见", status="pending")
    attachment = NoticeAttachment(
        notice_id=notice.id,
        filename="a.pdf",
        stored_name="walk-a",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    _db.session.add_all([comment, attachment])
    _db.session.commit()
    ids.update(notice_id=notice.id, comment_id=comment.id, attachment_id=attachment.id)
    app.config.update(REPORT_MIN_SECONDS=0)
    submit_report(client, [(photo_bytes(), "a.jpg")], county="mohe")
    ids["case"] = _db.session.scalar(sa.select(Report.case))
    ids["photo_id"] = "x"
    ids.update(county="mohe", quarter="2026Q3")
    from portal.water import service as water

    with app.test_request_context():
        assert water.import_sites(io.BytesIO(SITES.encode()), "sites.csv").ok
    ids["alert_id"] = _mohe_warning(app, make_user)
    return ids


def _mohe_warning(app: Any, make_user: Any) -> int:
    """A warning for Mohe, published by a Mohe water officer through the real form."""
    mohe = _client_for(app, make_user, "water_officer", county="mohe")
    assert publish(mohe).status_code == 302
    return _db.session.scalar(sa.select(Alert.id))


def _csv(text: str) -> dict[str, Any]:
    return {"file": (io.BytesIO(text.encode()), "replay.csv")}


def _replays(ids: dict[str, Any]) -> dict[tuple[str, str], tuple[dict[str, Any], set[int]]]:
    """Forms without a record in their address, replayed against Mohe's records."""
    today = publication.today().isoformat()
    later = (utcnow() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    return {
        ("enforcement_admin.enterprise_new", "POST"): (
            {"code": MOHE, "name": "塔河金矿", "county": "tahe", "industry": "采矿"},
            {400},
        ),
        ("enforcement_admin.enterprise_import", "POST"): (
            _csv(f"code,name,county,industry,address\n{MOHE},塔河金矿,tahe,采矿,\n"),
            {400},
        ),
        ("enforcement_admin.inspectors", "POST"): (
            {"code": "HJ-M01", "name": "塔河检查员", "county": "tahe"},
            {400},
        ),
        ("enforcement_admin.card_new", "POST"): (
            {
                "enterprise_code": MOHE,
                "color": "red",
                "number": "塔河红牌1号",
                "decided_on": today,
                "authority": "局",
                "reasons": "超标",
                "measures": "停产",
                "escalate_number": "漠河黄牌1号",
            },
            {403},
        ),
        ("enforcement_admin.case_new", "POST"): (
            {
                "enterprise_code": MOHE,
                "number": "塔河罚1号",
                "filed_on": today,
                "violation_type": "other",
                "facts": "事实",
                "legal_basis": "依据",
                "status": "filed",
            },
            {403},
        ),
        ("enforcement_admin.inspection_new", "POST"): (
            {
                "enterprise_code": MOHE,
                "inspected_on": today,
                "items_checked": "废水",
                "findings": "无",
                "outcome": "case",
                "case_number": "漠河罚1号",
            },
            {403},
        ),
        ("enforcement_admin.draw_new", "POST"): (
            {
                "title": "塔河抽查",
                "county": "mohe",
                "planned_on": today,
                "entropy_source": "福彩3D",
                "entropy_at": later,
                "select_count": "1",
                "inspectors_per_entity": "1",
            },
            {403},
        ),
        ("notices_admin.new", "POST"): (
            {
                "category": "announcements",
                "county": "mohe",
                "language": "zh_Hans",
                "title_zh": "冒充漠河的通知",
                "summary_zh": "摘要",
                "body_zh": "正文",
            },
            {403},
        ),
        ("alerts_admin.new", "POST"): (form(headline_zh="冒充漠河的预警"), {403}),
        ("reports_admin.phone", "POST"): (
            {
                "category": "air",
                "county": "mohe",
                "place": "漠河",
                "description": "冒充漠河的电话举报",
                "anonymous": "yes",
            },
            {403},
        ),
    }


# A pool of Mohe enterprises in a Tahe draw is a county check on the pooled records too.
EXTRA_REPLAYS = [
    (
        "/admin/enforcement/draws/new",
        {
            "title": "塔河抽查",
            "county": "tahe",
            "planned_on": "2026-01-01",
            "entropy_source": "福彩3D",
            "select_count": "1",
            "inspectors_per_entity": "1",
            "pool_codes": MOHE,
        },
        {400},
    ),
]

# Officials' work lists that are scoped to their county (notices are public records and
# the publishers' list shows them all; reading is not writing).
LISTINGS = {"enforcement_admin.index", "reports_admin.queue"}
# Lists of public records every writer shares (warnings are public from publication).
SHARED_LISTS = {"alerts_admin.index"}


def _url(rule: Any, ids: dict[str, Any]) -> str:
    url = rule.rule
    values = dict(ids)
    if rule.defaults and "kind" in rule.defaults:  # the one repair/correct pair
        values["item_id"] = ids["card_id" if rule.defaults["kind"] == "cards" else "case_id"]
    for arg in rule.arguments - set(rule.defaults or {}):
        url = url.replace(f"<int:{arg}>", str(values[arg])).replace(f"<{arg}>", str(values[arg]))
    return url


def _client_for(app: Any, make_user: Any, role: str, county: str = "tahe") -> Any:
    client = app.test_client()
    user = make_user(role, county)
    response = client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _phone_token(client: Any) -> str:
    from tests.reports_support import token_of

    return token_of(client.get("/admin/reports/phone").get_data(as_text=True))


def test_every_admin_route_refuses_an_official_of_another_county(app, client, make_user):
    ids = _seed(app, client, make_user)
    before = _snapshot()
    replays = _replays(ids)
    clients: dict[str, Any] = {}
    walked: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            key = (rule.endpoint, method)
            if key in REGION_ONLY or key in ELSEWHERE:
                walked.add(key)
                continue
            roles = app.view_functions[rule.endpoint].required_roles
            role = roles[0].value
            if role not in clients:
                clients[role] = _client_for(app, make_user, role)
            official = clients[role]
            if rule.arguments - set(rule.defaults or {}):
                # A direct address of a Mohe record, read or written.
                response = official.open(_url(rule, ids), method=method, data={"reason": "x"})
                expected = 200 if key in READ_ACROSS else 403
                assert response.status_code == expected, (method, rule.rule, response.status_code)
            elif method == "POST":
                data, expected = replays[key]
                if rule.endpoint == "reports_admin.phone":
                    data = {**data, "token": _phone_token(official)}
                response = official.post(
                    rule.rule, data=data, content_type="multipart/form-data"
                )
                assert response.status_code in expected, (rule.rule, response.status_code)
            else:
                response = official.get(rule.rule)
                assert response.status_code == 200, (rule.rule, response.status_code)
                if rule.endpoint in SHARED_LISTS:
                    assert "漠河市城区自来水暂停饮用" in response.get_data(as_text=True)
                if rule.endpoint in LISTINGS:
                    page = response.get_data(as_text=True)
                    assert "漠河黄牌1号" not in page and "漠河罚1号" not in page, rule.rule
                    assert ids["case"] not in page, rule.rule
            walked.add(key)
    for url, data, expected in EXTRA_REPLAYS:
        response = clients["enforcement_officer"].post(url, data=data)
        assert response.status_code in expected, (url, response.status_code)
    assert _snapshot() == before
    every = {
        (r.endpoint, m)
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/admin")
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    assert walked == every
    assert set(replays) <= every  # no replay for a route that does not exist


def test_a_water_import_replayed_against_mohe_sites_is_refused(app, client, make_user):
    _seed(app, client, make_user)
    before = _snapshot()
    official = _client_for(app, make_user, "water_officer")
    renamed = SITES.replace("漠河额木尔河水源地", "塔河改名的水源地")
    response = official.post(
        "/admin/water/import",
        data={"kind": "sites", **_csv(renamed)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (400, 403, 422)
    assert _snapshot() == before
