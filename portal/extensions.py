"""Temporary re-export while parallel branches land; removed once all import portal.core."""

from portal.core.extensions import babel, client_address, csrf, db, limiter, login_manager, migrate

__all__ = ["babel", "client_address", "csrf", "db", "limiter", "login_manager", "migrate"]
