"""A warning's life under gunicorn with two workers: an official publishes, updates and
lifts it in the browser; after each step BOTH workers show the right banner (one worker is
held busy on a half-sent request, so the other must answer). And how a red banner looks on
a 360 px phone."""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from .browser_support import SCREENSHOTS, log_in, overflowing_elements, run_axe, sideways_overflow
from .liveserver import LiveServer

pytestmark = pytest.mark.browser

HEADLINE = "漠河市城区自来水暂停饮用"


def _banner(html: str) -> str:
    start = html.find('class="alert-banner"')
    return "" if start < 0 else html[start : html.find("</section>", start)]


def from_both_workers(server: LiveServer, path: str, lang: str = "zh-CN") -> list[str]:
    """The page as each of the two workers renders it. A sync worker that has accepted a
    half-sent request blocks reading it, so the second request must go to the other one."""
    port = urlsplit(server.url).port
    held = socket.create_connection(("127.0.0.1", port), timeout=20)
    try:
        held.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: {lang}\r\n".encode()
        )
        time.sleep(0.5)  # a worker accepts it and waits for the rest of the headers
        request = urllib.request.Request(  # noqa: S310 - the local test server
            server.url + path, headers={"Accept-Language": lang}
        )
        with urllib.request.urlopen(request, timeout=20) as resp:  # noqa: S310
            other = resp.read().decode()
        held.sendall(b"Connection: close\r\n\r\n")
        chunks = []
        while chunk := held.recv(65536):
            chunks.append(chunk)
        first = b"".join(chunks).decode(errors="replace")
    finally:
        held.close()
    assert first.startswith("HTTP/1.1 200"), first[:200]
    return [_banner(first), _banner(other)]


def test_warning_life_across_two_gunicorn_workers_and_red_banner_on_a_phone(
    new_context: Callable[..., Any], live_server: LiveServer
) -> None:
    assert live_server.workers == 2
    assert from_both_workers(live_server, "/") == ["", ""]  # the demo's warning is lifted

    official = new_context().new_page()
    log_in(official, "water@demo.dxal.gov.cn")
    official.goto("/admin/")
    official.locator("main a[href='/admin/alerts/']").click()
    official.locator("main a[href='/admin/alerts/new']").click()
    official.locator("select[name=level]").select_option("red")
    official.locator("select[name=kind]").select_option("do_not_drink")
    official.locator("input[name=counties][value=mohe]").check()
    official.locator("input[name=headline_zh]").fill(HEADLINE)
    official.locator("input[name=headline_en]").fill("Mohe town: do not drink tap water")
    official.locator("textarea[name=instruction_zh]").fill("请勿饮用自来水，改用瓶装水。")
    official.locator("textarea[name=instruction_en]").fill("Do not drink tap water.")
    official.locator("main form button[type=submit]").first.click()
    official.wait_for_load_state()
    assert not official.locator(".error-summary").count(), official.content()
    edit_url = official.url

    try:
        for strip in from_both_workers(live_server, "/notices/"):
            assert "红色预警" in strip and HEADLINE in strip and "漠河市" in strip
        for strip in from_both_workers(live_server, "/water/", lang="en"):
            assert "Red warning" in strip and "Mohe City" in strip

        phone = new_context(phone=True, bypass_csp=True).new_page()
        alert_page = edit_url.replace("/admin/alerts/", "/alerts/")
        for path in (alert_page, "/alerts/", "/water/counties/mohe"):
            phone.goto(path)
            assert run_axe(phone) == [], path
            assert sideways_overflow(phone) == 0, overflowing_elements(phone)
        phone.goto("/")
        banner = phone.locator(".alert-banner .alert-red")
        assert banner.is_visible()
        assert "红色预警" in banner.inner_text()
        assert sideways_overflow(phone) == 0, overflowing_elements(phone)
        SCREENSHOTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(SCREENSHOTS / "alerts-red-banner-phone-360.png"))
        colour = banner.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour == "rgb(164, 20, 27)"

        official.goto(edit_url)
        official.locator("select[name=level]").select_option("orange")
        official.locator("input[name=note_zh]").fill("污染已控制，降为橙色预警。")
        official.locator("input[name=note_en]").fill("Spill contained: lowered to orange.")
        official.locator("main form button[type=submit]").first.click()
        official.wait_for_load_state()
        assert not official.locator(".error-summary").count(), official.content()
        for strip in from_both_workers(live_server, "/reports/new"):
            assert "橙色预警" in strip and "红色预警" not in strip
    finally:
        official.goto(edit_url)
        official.locator("textarea[name=reason_zh]").fill("复测合格，恢复正常供水。")
        official.locator("textarea[name=reason_en]").fill("Retests pass; normal supply again.")
        official.locator("form[action$='/lift'] button[type=submit]").click()
        official.wait_for_load_state()
    assert from_both_workers(live_server, "/") == ["", ""]
    assert from_both_workers(live_server, "/alerts/", lang="en") == ["", ""]
