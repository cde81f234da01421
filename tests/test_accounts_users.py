"""The users page and the `users` CLI."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.core.audit import AuditEntry
from tests.core_support import PASSWORD


def test_cli_creates_a_county_scoped_official_reading_the_password_from_stdin(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Officer@Tahe.gov.cn",
            "--role",
            "report_handler",
            "--county",
            "tahe",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User)).one()
    assert (user.email, user.role, user.county) == ("officer@tahe.gov.cn", "report_handler", "tahe")
    assert "a long enough password" not in result.output
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "create")).one()
    assert entry.object_type == "user" and entry.actor == "system"


def test_cli_refuses_unknown_county_and_short_password(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "x@y.cn",
            "--role",
            "admin",
            "--county",
            "atlantis",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "county" in result.output and "password" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_admin_creates_an_account_on_the_users_page(client, login_as, db):
    login_as("admin")
    response = client.post(
        "/admin/users",
        data={
            "email": "new@dxal.cn",
            "name": "王芳",
            "role": "water_officer",
            "county": "mohe",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    page = client.get("/admin/users", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "new@dxal.cn" in page and "漠河市" in page and "水质监管人员" in page
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "create", AuditEntry.object_type == "user")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.after["email"] == "new@dxal.cn" and entry.actor.startswith("admin")


def test_users_page_shows_errors_and_keeps_what_was_typed(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users",
        data={"email": "typed@dxal.cn", "role": "water_officer", "password": "short"},
        headers={"Accept-Language": "en"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "at least 12 characters" in body
    assert 'value="typed@dxal.cn"' in body
    assert 'href="#password"' in body  # error summary links to the field


def test_admin_deactivates_an_account_with_a_reason_and_it_is_logged_out(
    app, client, login_as, make_user, db
):
    login_as("admin")
    other = make_user("publisher")
    other_client = app.test_client()
    other_client.post("/admin/login", data={"email": other.email, "password": PASSWORD})
    assert other_client.get("/admin/").status_code == 200
    response = client.post(
        f"/admin/users/{other.id}/active", data={"active": "0", "reason": "moved to another bureau"}
    )
    assert response.status_code == 302
    assert other_client.get("/admin/").status_code == 302
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert entry.before["active"] is True and entry.after["active"] is False
    assert entry.reason == "moved to another bureau"


def test_form_fields_link_hints_and_mark_only_invalid_fields(client, login_as):
    login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'aria-invalid="None"' not in page and "aria-invalid" not in page
    assert 'aria-describedby="password-hint"' in page
    invalid = client.post(
        "/admin/users", data={"email": "x@dxal.cn", "role": "admin", "password": "short"}
    ).get_data(as_text=True)
    assert 'aria-invalid="true"' in invalid
    assert 'aria-describedby="password-hint password-error"' in invalid
