"""Who may write warnings: publishers and water officers; a county-scoped officer only for
warnings wholly within their county, checked against the warning as stored."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.alerts.models import Alert, AlertMessage
from tests.alerts_support import form, publications, publish
from tests.core_support import PASSWORD, count_rows


def login(client, user) -> None:
    client.post("/admin/logout")
    response = client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def mohe_warning(client, make_user, db) -> int:
    login(client, make_user("water_officer", "mohe"))
    assert publish(client).status_code == 302
    return db.session.scalar(sa.select(Alert.id))


def test_tahe_officer_can_neither_update_nor_lift_a_mohe_warning(
    client, make_user, db, mohe_warning
):
    login(client, make_user("water_officer", "tahe"))
    assert client.get(f"/admin/alerts/{mohe_warning}").status_code == 403
    with publications() as sent:
        # Even claiming the warning is Tahe's in the form: the stored counties decide.
        changed = form(counties=["tahe"], version="1", headline_zh="改", note_zh="x", note_en="x")
        assert client.post(f"/admin/alerts/{mohe_warning}", data=changed).status_code == 403
        lift = {"reason_zh": "x", "reason_en": "x"}
        assert client.post(f"/admin/alerts/{mohe_warning}/lift", data=lift).status_code == 403
    assert sent == []
    alert = db.session.get(Alert, mohe_warning)
    db.session.refresh(alert)
    assert (alert.version, alert.status, alert.counties) == (1, "active", "mohe")
    assert count_rows(AlertMessage) == 1


def test_county_officer_cannot_publish_for_another_county_or_widen_their_own(
    client, make_user, db, mohe_warning
):
    assert publish(client, counties=["tahe"]).status_code == 403
    assert publish(client, counties=["mohe", "tahe"]).status_code == 403
    widen = form(counties=["mohe", "tahe"], version="1", note_zh="扩大", note_en="Wider")
    assert client.post(f"/admin/alerts/{mohe_warning}", data=widen).status_code == 403
    assert count_rows(Alert) == 1 and count_rows(AlertMessage) == 1


def test_region_wide_publisher_may_write_for_any_county(client, make_user, db, mohe_warning):
    login(client, make_user("publisher"))
    assert publish(client, counties=["tahe", "huma"]).status_code == 302
    lift = {"reason_zh": "已恢复。", "reason_en": "Over."}
    assert client.post(f"/admin/alerts/{mohe_warning}/lift", data=lift).status_code == 302


@pytest.mark.parametrize("role", ["enforcement_officer", "report_handler"])
def test_officials_without_a_warnings_role_get_403(client, make_user, db, mohe_warning, role):
    login(client, make_user(role))
    assert client.get("/admin/alerts/").status_code == 403
    assert client.get("/admin/alerts/new").status_code == 403
    assert publish(client).status_code == 403
    lift = {"reason_zh": "x", "reason_en": "x"}
    assert client.post(f"/admin/alerts/{mohe_warning}/lift", data=lift).status_code == 403
    assert count_rows(Alert) == 1
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/alerts/"' not in dashboard


def test_warnings_are_linked_from_the_officials_home_for_writers(client, make_user, db):
    login(client, make_user("water_officer", "tahe"))
    assert 'href="/admin/alerts/"' in client.get("/admin/").get_data(as_text=True)


def test_the_public_cannot_reach_the_officials_pages(client, db):
    assert client.get("/admin/alerts/").status_code in (302, 401)
    assert publish(client).status_code in (302, 401)
    assert count_rows(Alert) == 0


def test_posts_need_a_csrf_token(app_factory, make_user, db):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    # Logging in needs the token too: take it from the login page.
    import re

    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    user = make_user("publisher")
    client.post(
        "/admin/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert client.post("/admin/alerts/new", data=form()).status_code in (400, 422)
    assert count_rows(Alert) == 0


def test_county_officer_is_offered_only_their_county_and_its_sites(client, make_user, db):
    from tests import water_support

    water_support.published()
    login(client, make_user("water_officer", "tahe"))
    page = client.get("/admin/alerts/new").get_data(as_text=True)
    assert 'value="tahe"' in page and 'value="mohe"' not in page
    assert "MH-T1" not in page
    login(client, make_user("publisher"))
    page = client.get("/admin/alerts/new").get_data(as_text=True)
    assert 'value="tahe"' in page and 'value="mohe"' in page and 'value="MH-T1"' in page
