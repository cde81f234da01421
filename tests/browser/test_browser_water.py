"""A citizen on a phone finds their county's tap water, opens a site's trend chart and
downloads its measurements as CSV; the same works with JavaScript off."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import screenshot, sideways_overflow

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
    chart = page.locator("figure.water-chart svg[role=img]")
    assert chart.is_visible()
    assert "浑浊度" in (chart.locator("title#chart-title").text_content() or "")
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
    assert page.locator("figure.water-chart svg[role=img]").is_visible()
    assert page.locator(".water-trend table tbody tr").count() >= 2
    screenshot(page, "journey-water-parameter-no-javascript")
