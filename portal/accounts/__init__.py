"""Officials' accounts: roles, login, the users page and the `users` CLI."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.accounts import cli, demo, views
    from portal.accounts.models import User
    from portal.core import demo as demo_registry
    from portal.core.extensions import db, login_manager

    @login_manager.user_loader
    def load_user(alternative_id: str) -> User | None:
        # The cookie holds "<id>:<session token>"; logout rotates the token, so a
        # replayed cookie from before the logout no longer finds anyone.
        user_id, _, token = alternative_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_token != token:
            return None
        return user

    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users_cli)
    demo_registry.register(app, "accounts", demo.load)
    demo_registry.register_in_use(app, demo.in_use)
