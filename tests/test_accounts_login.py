"""Officials' login: good and bad passwords, rate limits, sessions, redirects, roles, CSRF."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from tests.core_support import PASSWORD


def test_good_login_opens_the_officials_area_and_is_audited(client, make_user, db):
    user = make_user("publisher")
    response = client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert user.email in page.get_data(as_text=True)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "login")).one()
    assert entry.actor == user.email and entry.object_id == str(user.id)


def test_bad_password_is_refused_with_a_translated_message_and_audited(client, make_user, db):
    user = make_user("publisher")
    response = client.post(
        "/admin/login",
        data={"email": user.email, "password": "wrong password!"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 400
    assert "电子邮箱或密码不正确" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # still not logged in
    failed = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "login_failed"))
    assert [(e.object_id, e.after) for e in failed] == [(str(user.id), {"account": "known"})]


def test_a_password_typed_into_the_email_field_never_reaches_the_audit_log(client, db):
    typed = "Secret-Passw0rd-typed-in-the-wrong-box"
    for _ in range(2):
        client.post("/admin/login", data={"email": typed, "password": "x"})
    failed = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "login_failed")
    ).all()
    assert len(failed) == 2
    stored = " ".join(str(e.payload()) for e in failed).lower()
    assert typed.lower() not in stored and "secret-passw0rd" not in stored
    # Repeated attempts with the same text can still be seen together.
    assert failed[0].after == failed[1].after and failed[0].object_id is None


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    response = client.post(
        "/admin/login",
        data={"email": "nobody@x.cn", "password": "whatever"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "The e-mail address or password is not correct." in response.get_data(as_text=True)


def test_deactivated_official_cannot_log_in(client, make_user, db):
    from portal.accounts import service

    user = make_user("publisher")
    service.set_active(user, False, "left the bureau")
    response = client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_passwords_are_stored_with_a_modern_kdf(make_user):
    user = make_user("admin")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_login_attempts_are_rate_limited_per_client(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert (
            client.post("/admin/login", data={"email": "a@b.cn", "password": "x"}).status_code
            == 400
        )
    limited = client.post(
        "/admin/login", data={"email": "a@b.cn", "password": "x"}, headers={"Accept-Language": "en"}
    )
    assert limited.status_code == 429
    assert "Too many requests" in limited.get_data(as_text=True)
    # another client address is not affected
    other = client.post(
        "/admin/login",
        data={"email": "a@b.cn", "password": "x"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert other.status_code == 400


def test_forged_x_forwarded_for_does_not_escape_the_limit_without_a_trusted_proxy(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=0)
    client = app.test_client()
    codes = [
        client.post(
            "/admin/login",
            data={"email": "a@b.cn", "password": "x"},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        ).status_code
        for i in range(3)
    ]
    assert codes == [400, 400, 429]


def test_behind_a_trusted_proxy_the_real_client_address_is_limited(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()

    def attempt(xff: str) -> int:
        return client.post(
            "/admin/login",
            data={"email": "a@b.cn", "password": "x"},
            headers={"X-Forwarded-For": xff},
        ).status_code

    assert [attempt("198.51.100.7"), attempt("198.51.100.7"), attempt("198.51.100.7")] == [
        400,
        400,
        429,
    ]
    # a different real client behind the same proxy still gets through
    assert attempt("198.51.100.8") == 400
    # a client cannot pose as another by prepending a forged address
    assert attempt("198.51.100.9, 198.51.100.7") == 429


def test_session_cookie_is_renewed_at_login(client, make_user):
    user = make_user("publisher")
    client.get("/admin/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"].startswith(f"{user.id}:")


def test_session_cookie_attributes(client, make_user):
    user = make_user("publisher")
    response = client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_kills_the_session_even_if_the_old_cookie_is_replayed(app, make_user):
    user = make_user("publisher")
    client = app.test_client()
    client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    stolen = client.get_cookie("portal_session").value
    assert client.post("/admin/logout").status_code == 302
    assert client.get("/admin/").status_code == 302

    attacker = app.test_client()
    attacker.set_cookie("portal_session", stolen)
    response = attacker.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_logout_is_not_possible_with_get(client, login_as):
    login_as("publisher")
    assert client.get("/admin/logout").status_code == 405
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "\\\\evil.example",
        "/\tevil",
    ],
)
def test_next_redirects_only_within_the_site(client, make_user, target):
    user = make_user("publisher")
    response = client.post(
        "/admin/login", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_next_redirect_to_a_local_page_is_followed(client, make_user):
    user = make_user("admin")
    response = client.post(
        "/admin/login", data={"email": user.email, "password": PASSWORD, "next": "/admin/audit"}
    )
    assert response.headers["Location"] == "/admin/audit"


def test_admin_pages_require_login_and_are_never_cached(client, login_as):
    anonymous = client.get("/admin/")
    assert anonymous.status_code == 302 and "/admin/login?next=" in anonymous.headers["Location"]
    login_as("publisher")
    page = client.get("/admin/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert client.get("/admin/login").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "role", ["publisher", "water_officer", "enforcement_officer", "report_handler"]
)
def test_only_admins_manage_accounts_and_read_the_audit_log(client, login_as, role):
    login_as(role)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    assert client.post("/admin/users", data={"email": "x@y.cn"}).status_code == 403


def test_csrf_token_is_required_for_login(app_factory, make_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post(
        "/admin/login", data={"email": "a@b.cn", "password": "x"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)


def test_login_form_with_its_csrf_token_works(app_factory):
    import re

    from portal.accounts import service

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        service.create_user("csrf@dxal.cn", "admin", None, PASSWORD)
    client = app.test_client()
    form = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post(
        "/admin/login", data={"email": "csrf@dxal.cn", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
