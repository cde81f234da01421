"""Helpers for the browser journeys (the fixtures are in conftest.py): log in through the
real form, screenshots, sideways overflow and axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from portal.accounts.demo import DEMO_PASSWORD

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
AXE = HERE / "vendor" / "axe.min.js"


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
