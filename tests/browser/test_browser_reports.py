"""Journeys through pollution reports: a citizen on a phone reports with a photo and tracks
the code; an official accepts, assigns and finishes it while the citizen's tracking page
shows each step; the form works without JavaScript and with the keyboard alone."""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .browser_support import log_in, run_axe, screenshot, sideways_overflow

pytestmark = pytest.mark.browser

CODE = re.compile(r"^DX(-[0-9A-Z]{4}){3}-[0-9A-Z*~$=]$")


def photo(tmp_path: Path) -> Path:
    """A small real JPEG, as a phone camera would send (with the content the cleaner keeps)."""
    image = Image.new("RGB", (320, 240), (90, 130, 80))
    for x in range(0, 320, 8):
        for y in range(100, 140):
            image.putpixel((x, y), (200, 180, 40))
    path = tmp_path / "river.jpg"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    path.write_bytes(buffer.getvalue())
    return path


def fill_report(page: Any, place: str, picture: Path | None) -> None:
    page.locator("input[name=category]").first.check()
    page.locator("select[name=county]").select_option("jiagedaqi")
    page.locator("input[name=place]").fill(place)
    page.locator("textarea[name=description]").fill("河水发黄发臭，岸边有死鱼，已经持续两天。")
    if picture is not None:
        page.locator("input[name=photos]").set_input_files(str(picture))
    page.locator("input[name=anonymous][value=yes]").check()
    page.locator("input[name=consent]").check()


def send_report(page: Any) -> str:
    """From the filled form to the tracking code shown on the receipt page."""
    page.locator("form.rp-form button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("button[name=go][value=send]").click()
    page.wait_for_load_state()
    code = page.locator(".rp-code").inner_text().strip()
    assert CODE.match(code), code
    return code


def track(page: Any, code: str) -> list[str]:
    """Look the code up as the reporter would and return the timeline's steps."""
    page.goto("/reports/track")
    page.locator("input[name=code]").fill(code.lower().replace("-", ""))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return [t.strip() for t in page.locator(".rp-timeline li").all_inner_texts()]


def test_citizen_on_a_phone_reports_pollution_with_a_photo_and_tracks_it(
    new_context: Callable[..., Any], tmp_path: Path
) -> None:
    page = new_context(phone=True).new_page()
    page.goto("/")
    page.locator("a[href='/reports/new']").first.click()
    page.wait_for_load_state()
    assert sideways_overflow(page) <= 0
    place = f"甘河大桥下游 {secrets.token_hex(3)}"
    fill_report(page, place, photo(tmp_path))
    page.locator("form.rp-form button[type=submit]").click()
    page.wait_for_load_state()
    # The answers are shown back for checking, the photo counted, before anything is stored.
    main = page.locator("main")
    assert place in main.inner_text()
    page.locator("button[name=go][value=send]").click()
    page.wait_for_load_state()
    code = page.locator(".rp-code").inner_text().strip()
    assert CODE.match(code), code

    steps = track(page, code)
    assert len(steps) == 1, steps
    assert page.locator("main h1").is_visible()
    assert sideways_overflow(page) <= 0
    screenshot(page, "journey-report-tracked-phone")


def test_official_handles_the_report_and_the_tracking_page_shows_each_step(
    new_context: Callable[..., Any], tmp_path: Path
) -> None:
    citizen = new_context(phone=True).new_page()
    citizen.goto("/reports/new")
    place = f"林业局后山小溪 {secrets.token_hex(3)}"
    fill_report(citizen, place, photo(tmp_path))
    code = send_report(citizen)
    assert len(track(citizen, code)) == 1

    official = new_context().new_page()
    log_in(official, "handler@demo.dxal.gov.cn")
    official.goto("/admin/reports/?state=submitted")
    row = official.locator("tbody tr", has_text=place[-6:])
    row.locator("a").first.click()
    official.wait_for_load_state()

    notes = {
        "accept": "已受理，将转交属地处理。",
        "assign": "已交加格达奇区生态环境分局办理。",
        "start_investigation": "执法人员已到现场调查。",
        "finish": "已责令企业停止排放并立案查处。",
    }
    for number, (action, note) in enumerate(notes.items(), start=2):
        form = official.locator(f"form:has(input[name=action][value={action}])")
        form.locator("xpath=ancestor::details").locator("summary").click()
        if action == "assign":
            form.locator(f"select[name={action}-assignee]").select_option("jiagedaqi")
        if action == "finish":
            outcome = form.locator(f"select[name={action}-outcome] option:not([value=''])")
            form.locator(f"select[name={action}-outcome]").select_option(
                outcome.first.get_attribute("value")
            )
            form.locator(f"textarea[name={action}-action_taken]").fill("责令整改，罚款。")
        form.locator(f"textarea[name={action}-public_note]").fill(note)
        form.locator("button[type=submit]").click()
        official.wait_for_load_state()
        assert not official.locator(".error-summary").count(), official.locator("main").inner_text()

        steps = track(citizen, code)
        assert len(steps) == number, steps
        assert note in steps[-1]

    screenshot(official, "journey-report-handled-official")
    screenshot(citizen, "journey-report-finished-citizen")


def test_report_form_works_without_javascript(
    new_context: Callable[..., Any], tmp_path: Path
) -> None:
    page = new_context(js=False).new_page()
    page.goto("/reports/new")
    fill_report(page, f"松岭区小古里河 {secrets.token_hex(3)}", photo(tmp_path))
    code = send_report(page)
    assert len(track(page, code)) == 1
    screenshot(page, "journey-report-no-javascript")


def test_report_form_errors_are_summarised_and_linked_to_their_fields(
    new_context: Callable[..., Any],
) -> None:
    page = new_context(bypass_csp=True).new_page()
    page.goto("/reports/new")
    page.locator("form.rp-form button[type=submit]").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary").first
    assert summary.is_visible()
    links = summary.locator("a[href^='#']")
    assert links.count() >= 3
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")[1:]
        assert page.locator(f"[id='{target}']").count() == 1, target
    assert not run_axe(page)
    screenshot(page, "report-form-errors")


def test_report_form_can_be_completed_with_the_keyboard_alone(
    new_context: Callable[..., Any],
) -> None:
    page = new_context().new_page()
    page.goto("/reports/new")
    keyboard = page.keyboard
    place = f"呼中区呼玛河 {secrets.token_hex(3)}"

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    # The skip link comes first and jumps to the main content.
    keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    tab_to("input[name=category]")
    keyboard.press("Space")
    tab_to("select[name=county]")
    keyboard.press("ArrowDown")  # first county (selects without opening in headless Chromium)
    tab_to("input[name=place]")
    keyboard.type(place)
    tab_to("textarea[name=description]")
    keyboard.type("水面漂浮大量油污，气味刺鼻。")
    tab_to("input[name=anonymous]")
    keyboard.press("Space")
    tab_to("input[name=consent]")
    keyboard.press("Space")
    tab_to("form.rp-form button[type=submit]")
    keyboard.press("Enter")
    page.wait_for_load_state()
    assert place in page.locator("main").inner_text()
    tab_to("button[name=go][value=send]")
    keyboard.press("Enter")
    page.wait_for_load_state()
    code = page.locator(".rp-code").inner_text().strip()
    assert CODE.match(code), code
    screenshot(page, "journey-report-keyboard-only")


def test_phone_reporter_goes_from_the_code_straight_to_a_bookmarkable_status(
    new_context: Callable[..., Any], tmp_path: Path
) -> None:
    """Issue 13: the confirmation page links to the status, whose address holds no code and
    survives a reload; the code itself is shown once (a reload of the receipt shows it no
    more)."""
    page = new_context(phone=True, bypass_csp=True).new_page()
    page.goto("/reports/new")
    fill_report(page, f"新林区塔源 {secrets.token_hex(3)}", photo(tmp_path))
    code = send_report(page)
    link = page.locator(".rp-link a")
    assert link.is_visible()
    address = link.get_attribute("href")
    assert "/reports/status/" in address and code not in address
    assert code.replace("-", "") not in address.replace("-", "")
    assert sideways_overflow(page) <= 0
    assert not run_axe(page)
    shot = screenshot(page, "report-confirmation-status-link-phone")
    assert shot.stat().st_size > 10_000

    page.locator("main a.button", has_text=re.compile(".")).first.click()
    page.wait_for_load_state()
    assert "/reports/status/" in page.url and code not in page.url
    assert page.locator(".rp-timeline li").count() == 1
    assert code not in page.locator("main").inner_text()
    page.reload()
    assert page.locator(".rp-timeline li").count() == 1  # a bookmark, not a POST result
    assert sideways_overflow(page) <= 0
    screenshot(page, "report-status-by-link-phone")
    # Back on the receipt address: the code is not shown a second time.
    page.goto("/reports/new/received")
    assert code not in page.locator("main").inner_text()


def test_report_statistics_read_on_a_phone_with_the_late_figures_first(
    new_context: Callable[..., Any],
) -> None:
    page = new_context(phone=True, bypass_csp=True).new_page()
    page.goto("/reports/stats")
    figures = page.locator(".rp-figures")
    assert figures.is_visible()
    text = figures.inner_text()
    assert "按期办结率" in text and "逾期未办" in text
    # The figures sit above the fold, before the chart and the tables.
    assert figures.bounding_box()["y"] < 780
    assert sideways_overflow(page) == 0
    assert page.locator("dl.rp-defs dt").count() >= 6  # every figure says what it counts
    assert not run_axe(page)
    screenshot(page, "report-statistics-phone")
