"""The whole life of a warning in the test client: publish, update, lift; the banner on
every public page from publication until the lift and never after; history and audit."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.alerts import queries
from portal.alerts.models import Alert, AlertMessage
from portal.core.audit import AuditEntry
from portal.core.models import utcnow
from tests import water_support
from tests.alerts_support import china, form, publications, publish
from tests.core_support import count_rows

PAGES = ("/", "/notices/", "/water/", "/reports/new", "/enforcement/", "/alerts/", "/search?q=x")


def banner(html: str) -> str:
    start = html.find('class="alert-banner"')
    return "" if start < 0 else html[start : html.find("</section>", start)]


def test_banner_appears_at_publication_changes_at_update_and_disappears_at_lift(
    client, login_as, db
):
    for path in PAGES:
        assert banner(client.get(path).get_data(as_text=True)) == "", path
    login_as("publisher")
    with publications() as sent:
        response = publish(client)
    assert response.status_code == 302
    alert = db.session.scalar(sa.select(Alert))
    assert [p.source for p in sent] == [f"alert:{alert.id}:v1"]
    assert sent[0].topic == "warnings" and sent[0].urgent and sent[0].counties == ("mohe",)
    assert sent[0].path == f"/alerts/{alert.id}" and sent[0].title_zh.startswith("红色预警")

    for path in PAGES:
        html = client.get(path).get_data(as_text=True)
        strip = banner(html)
        assert "红色预警" in strip and "漠河市城区自来水暂停饮用" in strip, path
        assert "漠河市" in strip and f'href="/alerts/{alert.id}"' in strip, path
    english = banner(client.get("/?lang=en").get_data(as_text=True))
    assert "Red warning" in english and "Mohe town: do not drink tap water" in english
    assert "Mohe City" in english and "alert-red" in english

    with publications() as sent:
        response = client.post(
            f"/admin/alerts/{alert.id}",
            data=form(
                level="orange",
                version="1",
                headline_zh="漠河市城区自来水煮沸后饮用",
                note_zh="污染已控制，降为橙色。",
                note_en="Spill contained: lowered to orange.",
            ),
        )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [p.source for p in sent] == [f"alert:{alert.id}:v2"]
    for path in PAGES:
        strip = banner(client.get(path).get_data(as_text=True))
        assert "橙色预警" in strip and "煮沸后饮用" in strip and "红色预警" not in strip, path

    with publications() as sent:
        response = client.post(
            f"/admin/alerts/{alert.id}/lift",
            data={"reason_zh": "复测合格，恢复正常供水。", "reason_en": "Retests pass."},
        )
    assert response.status_code == 302
    assert [p.source for p in sent] == [f"alert:{alert.id}:v3"]
    assert sent[0].title_zh.startswith("解除")
    for path in PAGES:
        assert banner(client.get(path).get_data(as_text=True)) == "", path


def test_lifted_warning_keeps_its_address_shows_the_lift_and_the_whole_timeline(
    client, login_as, db
):
    login_as("water_officer")
    publish(client)
    alert_id = db.session.scalar(sa.select(Alert.id))
    client.post(f"/admin/alerts/{alert_id}", data=form(
        version="1", instruction_zh="煮沸后饮用。", instruction_en="Boil before drinking.",
        note_zh="改为煮沸后饮用。", note_en="Now: boil before drinking."))  # fmt: skip
    client.post(
        f"/admin/alerts/{alert_id}/lift",
        data={"reason_zh": "水质复测合格。", "reason_en": "Water retested fine."},
    )
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "此预警已解除" in page and "水质复测合格。" in page
    assert page.index("此预警已解除") < page.index("时间线")
    assert "改为煮沸后饮用。" in page and "发布为红色预警" in page
    english = client.get(f"/alerts/{alert_id}?lang=en").get_data(as_text=True)
    assert "This warning has been lifted." in english and "Water retested fine." in english
    assert "Changed: what to do (Chinese), what to do (English)" in english
    listing = client.get("/alerts/").get_data(as_text=True)
    assert "当前没有生效的预警" in listing and "往期预警" in listing

    messages = db.session.scalars(sa.select(AlertMessage).order_by(AlertMessage.version)).all()
    assert [(m.version, m.msg_type) for m in messages] == [
        (1, "Alert"),
        (2, "Update"),
        (3, "Cancel"),
    ]
    # Nothing overwritten: the first message still holds the first text.
    assert messages[0].instruction_zh == "请勿饮用自来水，改用瓶装水。"
    assert messages[1].changed == ["instruction_zh", "instruction_en"]
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == "alert")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["publish", "update", "lift"]


def test_affected_water_pages_say_so_at_the_top_and_others_do_not(app, client, login_as, db):
    water_support.published()
    login_as("publisher")
    assert publish(client, sites=["MH-T1"]).status_code == 302
    county = client.get("/water/counties/mohe").get_data(as_text=True)
    main = county[county.index("<main") :]
    assert 'class="alert-place alert-red"' in main
    assert main.index("alert-place") < main.index("<h1")
    site = client.get("/water/sites/MH-T1").get_data(as_text=True)
    assert 'class="alert-place' in site[site.index("<main") :]
    other = client.get("/water/counties/tahe").get_data(as_text=True)
    assert 'class="alert-place' not in other[other.index("<main") :]


def test_future_effective_time_is_announced_at_once_and_is_the_next_change(client, login_as, db):
    login_as("publisher")
    start = utcnow() + dt.timedelta(hours=5)
    end = start + dt.timedelta(days=1)
    assert publish(client, effective_from=china(start), expected_end=china(end)).status_code == 302
    strip = banner(client.get("/").get_data(as_text=True))
    assert "起生效" in strip, strip
    now = utcnow()
    assert queries.next_change(now) == start.replace(second=0, microsecond=0)
    assert queries.next_change(start + dt.timedelta(minutes=1)) == end.replace(
        second=0, microsecond=0
    )
    assert queries.next_change(end + dt.timedelta(minutes=1)) is None


def test_past_the_expected_end_the_warning_stays_in_force_until_lifted(client, login_as, db):
    login_as("publisher")
    start = utcnow() - dt.timedelta(days=2)
    publish(client, effective_from=china(start), expected_end=china(start + dt.timedelta(days=1)))
    strip = banner(client.get("/?lang=en").get_data(as_text=True))
    assert "Still in force until lifted" in strip


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_banner_costs_one_query(app, client, login_as, db, lang):
    login_as("publisher")
    publish(client)
    publish(client, counties=["tahe"], level="blue", headline_zh="塔河", headline_en="Tahe")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if "alerts" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        html = client.get(f"/pages/about?lang={lang}").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert html.count('class="alert-item') == 2
    # Most severe first.
    assert html.index("alert-red") < html.index("alert-blue")
    assert len(statements) == 1, statements
    assert count_rows(Alert) == 2


def test_demo_has_one_lifted_past_warning_and_no_banner(runner, client, db):
    for _ in range(2):
        result = runner.invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
    alerts = db.session.scalars(sa.select(Alert)).all()
    assert [(a.status, a.version) for a in alerts] == [("lifted", 3)]
    assert banner(client.get("/").get_data(as_text=True)) == ""
    page = client.get(f"/alerts/{alerts[0].id}").get_data(as_text=True)
    assert "此预警已解除" in page and "塔河县" in page


def test_a_page_whose_warnings_cannot_be_read_is_a_503_never_a_page_without_banner(
    client, monkeypatch, db
):
    def broken(*_args, **_kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("database gone"))

    monkeypatch.setattr(queries, "in_force", broken)
    response = client.get("/pages/about")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    # The portal's own translated outage page, footer and all (not the bare fallback).
    assert "暂时无法访问" in page and "site-footer" in page


def test_an_update_sent_from_the_prefilled_form_changes_only_what_was_edited(client, login_as, db):
    import re

    login_as("publisher")
    publish(client)
    alert_id = db.session.scalar(sa.select(Alert.id))
    page = client.get(f"/admin/alerts/{alert_id}").get_data(as_text=True)
    shown = re.search(r'name="effective_from"[^>]*value="([^"]+)"', page)
    shown = shown or re.search(r'value="([^"]+)"[^>]*name="effective_from"', page)
    assert shown, page
    response = client.post(
        f"/admin/alerts/{alert_id}",
        data=form(effective_from=shown.group(1), level="yellow", version="1",
                  note_zh="降级。", note_en="Lowered."),
    )  # fmt: skip
    assert response.status_code == 302
    latest = db.session.scalar(sa.select(AlertMessage).where(AlertMessage.version == 2))
    assert latest.changed == ["level"]
