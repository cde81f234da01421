"""Every public page type in a real browser: both languages, a 360 px phone, no JavaScript,
and axe-core with zero serious or critical violations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from .browser_support import overflowing_elements, run_axe, screenshot, sideways_overflow
from .liveserver import LiveServer
from .pages import PAGE_TYPES, PageType, resolve

pytestmark = pytest.mark.browser

LANGS = {"zh_Hans": "zh-Hans", "en": "en"}
by_type = pytest.mark.parametrize("page_type", PAGE_TYPES, ids=[p.name for p in PAGE_TYPES])


def expected_status(page_type: PageType) -> int:
    return 404 if page_type.name == "not-found" else 200


def html_lang(page: Any) -> str:
    return str(page.locator("html").get_attribute("lang"))


@by_type
def test_language_switch_changes_the_page_language_and_keeps_the_address(
    page: Any, live_server: LiveServer, page_type: PageType
) -> None:
    path = resolve(live_server.url, page_type)
    page.goto(path)
    assert html_lang(page) == "zh-Hans"
    chinese_title = page.title()
    shown = urlsplit(page.url)

    page.locator(".lang-switch a[hreflang='en']").click()
    page.wait_for_load_state()
    assert html_lang(page) == "en"
    assert urlsplit(page.url)[2:4] == shown[2:4]
    assert page.title() != chinese_title

    # The choice is remembered on the next page, and switching back works the same way.
    page.goto(path)
    assert html_lang(page) == "en"
    page.locator(".lang-switch a[hreflang='zh-Hans']").click()
    page.wait_for_load_state()
    assert html_lang(page) == "zh-Hans"
    assert page.title() == chinese_title


@by_type
@pytest.mark.parametrize("lang", LANGS)
def test_page_fits_a_360px_phone_without_sideways_scrolling(
    new_context: Callable[..., Any], live_server: LiveServer, page_type: PageType, lang: str
) -> None:
    page = new_context(phone=True, lang=lang).new_page()
    path = resolve(live_server.url, page_type)
    page.goto(path)
    page.wait_for_load_state("load")
    overflow = sideways_overflow(page)
    culprits = overflowing_elements(page) if overflow > 0 else []
    if overflow > 0:
        screenshot(page, f"overflow-{page_type.name}-{lang}")
    assert overflow <= 0, f"{path} ({lang}) scrolls {overflow}px sideways at 360px: {culprits}"


@by_type
def test_page_works_without_javascript(
    new_context: Callable[..., Any], live_server: LiveServer, page_type: PageType
) -> None:
    page = new_context(js=False).new_page()
    path = resolve(live_server.url, page_type)
    response = page.goto(path)
    assert response is not None and response.status == expected_status(page_type)
    assert page.locator("main h1").first.is_visible()
    # Navigation and the language switch are plain links.
    assert page.locator("nav a[href]").count() > 0
    page.locator(".lang-switch a[hreflang='en']").click()
    page.wait_for_load_state()
    assert html_lang(page) == "en"


@by_type
@pytest.mark.parametrize("lang", LANGS)
def test_page_has_no_serious_accessibility_violations(
    new_context: Callable[..., Any], live_server: LiveServer, page_type: PageType, lang: str
) -> None:
    page = new_context(bypass_csp=True, lang=lang).new_page()
    path = resolve(live_server.url, page_type)
    page.goto(path)
    page.wait_for_load_state("load")
    violations = run_axe(page)
    assert not violations, f"{path} ({lang}): " + "; ".join(
        f"{v['id']} [{v['impact']}] {v['help']}: {v['nodes']}" for v in violations
    )
