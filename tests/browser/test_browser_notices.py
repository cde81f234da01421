"""A publisher writes and publishes a notice in the officials' area; citizens find it on the
notice list, on its own page and in the RSS and Atom feeds. Logging in and out, and the
error page, the way a person meets them."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from .browser_support import log_in, screenshot

pytestmark = pytest.mark.browser


def test_publisher_publishes_a_notice_and_it_appears_in_the_feeds(
    new_context: Callable[..., Any],
) -> None:
    page = new_context().new_page()
    log_in(page, "publisher@demo.dxal.gov.cn")
    title = f"关于甘河水源地临时停水的通知 {secrets.token_hex(3)}"
    page.goto("/admin/notices/new")
    page.locator("select[name=county]").select_option("jiagedaqi")
    page.locator("input[name=title_zh]").fill(title)
    page.locator("textarea[name=summary_zh]").fill("因管网检修，加格达奇城区部分区域临时停水。")
    page.locator("textarea[name=body_zh]").fill("## 停水范围\n\n光明街至红旗路一带。\n")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/admin/notices/" in page.url
    page.locator("form[action$='/publish'] button[type=submit]").click()
    page.wait_for_load_state()
    assert not page.locator(".error-summary").count()

    citizen = new_context(phone=True).new_page()
    citizen.goto("/notices/")
    citizen.get_by_role("link", name=title).click()
    citizen.wait_for_load_state()
    assert citizen.locator("main h1").inner_text().strip() == title
    assert "光明街至红旗路一带" in citizen.locator("main").inner_text()
    screenshot(citizen, "journey-notice-published-phone")

    for fmt in ("rss", "atom"):
        response = citizen.request.get(f"/feeds/notices.{fmt}")
        assert response.status == 200
        assert "xml" in response.headers["content-type"]
        assert title in response.text()
    # The list page links its feeds, for feed readers.
    citizen.goto("/notices/")
    assert citizen.locator("link[rel=alternate][type*=rss]").count() >= 1


def test_official_logs_in_sees_the_dashboard_and_logs_out(
    new_context: Callable[..., Any],
) -> None:
    page = new_context(phone=True).new_page()
    page.goto("/")
    page.locator("footer a[href^='/admin/login']").click()
    page.wait_for_load_state()
    log_in(page, "admin@demo.dxal.gov.cn", password="wrong password")
    assert page.locator(".error-summary, .error-message").first.is_visible()
    log_in(page, "admin@demo.dxal.gov.cn")
    assert page.url.rstrip("/").endswith("/admin")
    assert page.locator("main a[href^='/admin/']").count() >= 3
    screenshot(page, "journey-login-dashboard-phone")
    page.locator("form[action$='/logout'] button").click()
    page.wait_for_load_state()
    page.goto("/admin/")
    assert "/admin/login" in page.url


def test_unknown_address_shows_the_friendly_error_page_in_both_languages(
    new_context: Callable[..., Any],
) -> None:
    page = new_context(phone=True).new_page()
    response = page.goto("/no-such-page/ever")
    assert response is not None and response.status == 404
    assert page.locator(".error-code").inner_text().strip().endswith("404")
    assert "12369" in page.locator("main").inner_text()
    page.locator(".lang-switch a[hreflang='en']").click()
    page.wait_for_load_state()
    assert "Page not found" in page.locator("main h1").inner_text()
    page.get_by_role("link", name="Go to the home page").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == page.url.split("/", 3)[0] + "//" + page.url.split("/")[2]
    screenshot(page, "error-page-then-home")
