"""Route-wide guarantees: every officials' route checks a role; every POST needs CSRF."""

from __future__ import annotations

import pytest

PUBLIC_ADMIN_ENDPOINTS = {"accounts.login", "accounts.logout"}


def _admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]


def test_every_admin_route_declares_the_roles_it_requires(app):
    rules = _admin_rules(app)
    assert len(rules) >= 4
    unguarded = [
        r.rule
        for r in rules
        if r.endpoint not in PUBLIC_ADMIN_ENDPOINTS
        and not getattr(app.view_functions[r.endpoint], "required_roles", None)
    ]
    assert unguarded == []


def test_every_admin_route_turns_away_anonymous_visitors(client, app):
    for rule in _admin_rules(app):
        if rule.endpoint in PUBLIC_ADMIN_ENDPOINTS:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code in (302, 401, 403), (method, url)
            if response.status_code == 302:
                assert "/admin/login" in response.headers["Location"]


def test_no_route_changes_state_on_get(app):
    # State-changing endpoints are registered for POST only; GET routes are reads.
    get_only_writes = [
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in r.methods
        and any(w in r.endpoint for w in ("logout", "delete", "withdraw", "publish", "reveal"))
    ]
    assert get_only_writes == []


@pytest.fixture
def csrf_client(app_factory):
    return app_factory(WTF_CSRF_ENABLED=True).test_client()


def test_every_post_route_rejects_a_request_without_csrf_token(app, csrf_client):
    exempt = app.config.get("CSRF_EXEMPT_ENDPOINTS", set())
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in exempt:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
        response = csrf_client.post(url, data={"anything": "1"})
        assert response.status_code == 400, (url, response.status_code)
        checked += 1
    assert checked >= 3
