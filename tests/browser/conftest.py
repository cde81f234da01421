"""Browser fixtures: one live portal (gunicorn, demo data) and one headless Chromium per
session; a fresh browser context per test. Debian's /usr/bin/chromium, never a download."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .liveserver import LiveServer, portal_server

CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


_SERVERS: list[LiveServer] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and _SERVERS:
        report.sections.append(("live server log (tail)", _SERVERS[-1].log()[-3000:]))


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    # Login limits are proven in tests/faults; here several journeys log in.
    with portal_server(
        "browser",
        PORTAL_LOGIN_RATE_LIMIT="200 per minute",
        PORTAL_REPORT_RATE_LIMIT="200 per minute",
        PORTAL_TRACK_RATE_LIMIT="200 per minute",
    ) as server:
        _SERVERS.append(server)
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """Contexts for a test: `new_context(phone=True, js=False, bypass_csp=True, lang="en")`."""
    made: list[Any] = []

    def make(
        *, phone: bool = False, js: bool = True, bypass_csp: bool = False, lang: str | None = None
    ) -> Any:
        context = chromium.new_context(
            base_url=live_server.url,
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            java_script_enabled=js,
            bypass_csp=bypass_csp,
            accept_downloads=True,
            locale="zh-CN",
        )
        context.set_default_timeout(15_000)
        if lang:
            context.add_cookies([{"name": "lang", "value": lang, "url": live_server.url}])
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., Any]) -> Any:
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context: Callable[..., Any]) -> Any:
    return new_context(phone=True).new_page()
