"""Registries that features fill at start-up: admin dashboard links and the main navigation."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_login import current_user

from portal.core.permissions import Role


@dataclass(frozen=True)
class AdminLink:
    endpoint: str
    label: object  # a lazy translated string
    roles: tuple[Role, ...]

    def visible(self) -> bool:
        return current_user.is_authenticated and current_user.has_role(*self.roles)


def add_admin_link(app: Flask, endpoint: str, label: object, *roles: Role) -> None:
    app.extensions.setdefault("admin_links", []).append(AdminLink(endpoint, label, roles))


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    prefix: str  # the path prefix that marks this item as the current section
    order: int  # place in the menu, lowest first


def add_nav_item(app: Flask, endpoint: str, label: object, prefix: str, order: int) -> None:
    """A feature's entry in the main navigation (core names no feature)."""
    app.extensions.setdefault("nav_items", []).append(NavItem(endpoint, label, prefix, order))


def main_nav() -> list[NavItem]:
    items = current_app.extensions.get("nav_items", [])
    return sorted(items, key=lambda item: item.order)


def has_endpoint(endpoint: str) -> bool:
    """Features arrive one by one; links to one not yet installed are left out."""
    return endpoint in current_app.view_functions


def add_home_section(app: Flask, template: str, context: object) -> None:
    """A feature's panel on the home page: `context()` returns the template's variables."""
    app.extensions.setdefault("home_sections", []).append((template, context))


@dataclass(frozen=True)
class AdminTask:
    label: str  # translated, e.g. "Mohe 2026 Q3: explanation of MOH-S1 due 2026-11-10"
    url: str
    overdue: bool = False


def add_admin_tasks(app: Flask, tasks: object) -> None:
    """A feature's to-do list on the officials' dashboard: ``tasks()`` returns the current
    official's :class:`AdminTask` items (it checks role and county itself)."""
    app.extensions.setdefault("admin_tasks", []).append(tasks)


def admin_tasks() -> list[AdminTask]:
    return [t for source in current_app.extensions.get("admin_tasks", []) for t in source()]
