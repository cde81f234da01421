"""The demo data set loads, twice without duplicates, and never in production."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import User


def test_demo_load_is_idempotent(runner, db):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    count = db.session.scalar(sa.select(sa.func.count(User.id)))
    assert count == 5
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert "accounts: 0 added" in second.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == count


def test_demo_officials_can_log_in(client, runner):
    from portal.accounts.demo import DEMO_PASSWORD

    runner.invoke(args=["demo", "load"])
    response = client.post(
        "/admin/login", data={"email": "handler@demo.dxal.gov.cn", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def test_demo_data_is_refused_in_production(app):
    from portal.core.demo import load_all

    app.config["PRODUCTION"] = True
    with app.app_context(), pytest.raises(RuntimeError, match="production"):
        load_all()


def test_demo_mode_marks_every_page_as_sample_data(app_factory):
    app = app_factory(DEMO_MODE=True)
    for path in ("/", "/pages/about", "/admin/login", "/nope"):
        body = app.test_client().get(path, headers={"Accept-Language": "zh-CN"}).get_data(True)
        assert "示例数据" in body, path


def test_without_demo_mode_no_page_claims_sample_data(client):
    assert "示例数据" not in client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(True)


def test_make_runs_demo_load_never_lands_on_a_database_in_use(runner, make_user, db):
    """`make run` calls `demo load --if-empty`: with an official's account the database is in
    use (accounts tells core so), and nothing is loaded over it."""
    from portal.notices.models import Notice

    make_user("publisher")
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "database not empty" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0


def test_demo_load_if_empty_loads_an_empty_database(runner, db):
    from portal.notices.models import Notice

    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "accounts:" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) > 0
