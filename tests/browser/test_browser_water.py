"""A citizen on a phone finds their county's tap water, opens a site's trend chart and
downloads its measurements as CSV; the same works with JavaScript off."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .browser_support import overflowing_elements, run_axe, screenshot, sideways_overflow

pytestmark = pytest.mark.browser


def find_tap_site(page: Any) -> str:
    """Home → drinking water → the county → its tap-water site; returns the site's name."""
    page.goto("/")
    page.locator("a[href='/water/']").first.click()
    page.wait_for_load_state()
    page.locator("main a[href='/water/counties/jiagedaqi']").first.click()
    page.wait_for_load_state()
    assert sideways_overflow(page) <= 0
    # The chain runs source → plant → tap: the tap is the last stage on the page.
    tap = page.locator("ol.water-chain > li").last
    link = tap.locator("a[href^='/water/sites/']").first
    name = link.inner_text().strip()
    link.click()
    page.wait_for_load_state()
    return name


def show_trend(page: Any, parameter: str = "浑浊度") -> None:
    """Pick a measured (not 'not detected') parameter for the trend, as a citizen would."""
    page.locator("select[name=parameter]").select_option(label=parameter)
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state()


def test_citizen_on_a_phone_finds_county_tap_water_trend_and_downloads_csv(
    new_context: Callable[..., Any],
) -> None:
    page = new_context(phone=True).new_page()
    name = find_tap_site(page)
    assert name in page.locator("main h1").inner_text()
    assert "/water/sites/" in page.url
    show_trend(page)
    chart = page.locator("figure.water-chart svg.water-chart-narrow")
    assert chart.is_visible()
    assert not page.locator("figure.water-chart svg.water-chart-wide").is_visible()
    assert "浑浊度" in (chart.locator("title#phone-chart-title").text_content() or "")
    assert sideways_overflow(page) <= 0

    with page.expect_download() as info:
        page.locator("main a[href$='.csv']").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) >= 2, text[:300]
    screenshot(page, "journey-water-tap-site-phone")


def test_water_trend_parameter_choice_works_without_javascript(
    new_context: Callable[..., Any],
) -> None:
    page = new_context(phone=True, js=False).new_page()
    find_tap_site(page)
    show_trend(page, "pH")
    assert "parameter=" in page.url
    assert page.locator("select[name=parameter] option:checked").inner_text().strip() == "pH"
    assert page.locator("figure.water-chart svg.water-chart-narrow").is_visible()
    assert page.locator(".water-trend table tbody tr").count() >= 2
    screenshot(page, "journey-water-parameter-no-javascript")


# --- a phone user at 360 px: the tap-water verdict, late quarters, a failed sample -------------

WRAPPED = """() => [...document.querySelectorAll('main .nowrap, main .verdict')]
    .filter(el => el.offsetParent !== null && el.getClientRects().length > 1)
    .map(el => el.textContent.trim())"""

CHART_LABEL_PX = """() => {
    const svg = [...document.querySelectorAll('figure.water-chart svg')]
        .find(s => s.getBoundingClientRect().width > 0);
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return Math.min(...[...svg.querySelectorAll('text')].map(
        t => parseFloat(t.getAttribute('font-size')) * scale));
}"""


def _phone(new_context: Callable[..., Any], path: str) -> Any:
    page = new_context(phone=True, bypass_csp=True).new_page()
    page.goto(path)
    page.wait_for_load_state()
    assert sideways_overflow(page) <= 0, overflowing_elements(page)
    assert page.evaluate(WRAPPED) == []  # no quarter, date or verdict wraps mid-value
    assert run_axe(page) == []
    return page


def test_phone_overview_shows_the_tap_water_verdict_first_and_marks_late_quarters(
    new_context: Callable[..., Any],
) -> None:
    page = _phone(new_context, "/water/")
    row = page.locator("table.water-by-county tbody tr").filter(has_text="加格达奇区")
    tap = row.locator("td").first
    assert "末梢水" in (tap.get_attribute("data-label") or "")
    box = tap.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360
    assert "采样于" in tap.inner_text()  # the verdict names its sampling date
    # Mohe's 2026 Q3 was never published (the demo's draft): marked late.
    mohe = page.locator("table.water-by-county tbody tr").filter(has_text="漠河市")
    assert "逾期未公开" in mohe.inner_text()
    screenshot(page, "water-overview-phone-360")


def test_phone_county_page_says_which_quarter_is_late(new_context: Callable[..., Any]) -> None:
    page = _phone(new_context, "/water/counties/mohe")
    late = page.locator(".water-late-panel")
    assert late.is_visible() and "2026年第3季度" in late.inner_text()
    assert "逾期未公开" in late.inner_text()
    # The source's class and its failing supplementary item, in one line.
    assert "Ⅲ类" in page.locator("main").inner_text() or "III" in page.locator("main").inner_text()
    screenshot(page, "water-county-mohe-phone-360")


def test_phone_failed_sample_puts_the_reason_first_and_the_chart_labels_are_readable(
    new_context: Callable[..., Any],
) -> None:
    page = _phone(new_context, "/water/samples/TAH-T1-2026Q2")
    why = page.locator("section.water-exceedance")
    assert why.is_visible()
    text = why.inner_text()
    assert "浑浊度" in text and "超标" in text
    assert "健康提示" in text and "来源" in text
    assert "超标说明应于" in text or "原因" in text
    top = why.bounding_box()
    table = page.locator("table.water-params").bounding_box()
    assert top is not None and table is not None and top["y"] < table["y"]
    first = page.locator("table.water-params tbody tr").first.inner_text()
    assert "浑浊度" in first  # the failing row first
    screenshot(page, "water-failed-sample-phone-360")
    page.locator("main a[href*='parameter=turbidity']").first.click()
    page.wait_for_load_state()
    assert page.locator("select[name=parameter] option:checked").inner_text().strip() == "浑浊度"
    assert page.evaluate(CHART_LABEL_PX) >= 12
    assert sideways_overflow(page) <= 0, overflowing_elements(page)


def test_phone_quarter_page_puts_the_tap_water_first(new_context: Callable[..., Any]) -> None:
    page = _phone(new_context, "/water/quarters/tahe/2026Q2")
    first = page.locator("main table.water-cards").first.locator("tbody tr").first
    assert "末梢水" in first.inner_text() and "不达标" in first.inner_text()
    assert "2026年第2季度" in page.locator("main h1 .nowrap").inner_text()
    screenshot(page, "water-quarter-phone-360")
