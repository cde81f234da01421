"""Browser fixtures: one live portal (gunicorn, demo data) and one headless Chromium per
session; a fresh browser context per test. Debian's /usr/bin/chromium, never a download."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .liveserver import LiveServer, portal_server

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
AXE = HERE / "vendor" / "axe.min.js"
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
DEMO_PASSWORD = "demo-portal-2026"


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


def screenshot(page: Any, name: str) -> Path:
    """Keep the journey's last page for a person to look at (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sideways_overflow(page: Any) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it fits)."""
    return int(
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


def overflowing_elements(page: Any, limit: int = 3) -> list[str]:
    """The outermost elements that stick out to the right, to name the culprit."""
    return list(
        page.evaluate(
            """(limit) => {
                const width = document.documentElement.clientWidth, found = [];
                for (const el of document.body.querySelectorAll('*')) {
                    if (el.getBoundingClientRect().right <= width + 1) continue;
                    if (found.some(f => f.el.contains(el))) continue;
                    let name = el.tagName.toLowerCase();
                    if (el.id) name += '#' + el.id;
                    if (el.classList.length) name += '.' + [...el.classList].join('.');
                    const parent = el.parentElement;
                    const where = parent ? parent.tagName.toLowerCase() +
                        (parent.className ? '.' + String(parent.className).split(' ')[0] : '') : '';
                    found.push({el, name: `${where} > ${name} (right=${
                        Math.round(el.getBoundingClientRect().right)})`});
                    if (found.length >= limit) break;
                }
                return found.map(f => f.name);
            }""",
            limit,
        )
    )


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core inside the page (context must bypass the CSP); serious and critical only."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                    (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def log_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/admin/login")
    form = page.locator("main form[action$='/admin/login']")
    form.get_by_label(re.compile("email|邮箱|电子邮件", re.I)).fill(email)
    form.get_by_label(re.compile("password|密码", re.I)).fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
