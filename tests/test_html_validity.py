"""The Nu HTML Checker (vnu-jar from npm, run with Java) over every public page type in
both languages: zero errors. Pages are rendered with the test client from the demo portal,
saved to files and checked in one batch run (one JVM start keeps it fast).

`make html-checker` (part of `make test`) installs what it needs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# One page of each kind; records are taken from the sitemap (the first of each prefix).
FIXED = [
    "/",
    "/water/",
    "/water/sections",
    "/water/counties/mohe",
    "/enforcement/",
    "/enforcement/cards",
    "/enforcement/cards?list=lifted",
    "/enforcement/cases",
    "/enforcement/inspections",
    "/enforcement/draws",
    "/enforcement/enterprises",
    "/reports/new",
    "/reports/track",
    "/reports/stats",
    "/reports/cases/",
    "/notices/",
    "/notices/?county=mohe",
    "/pages/about",
    "/pages/privacy",
    "/data/",
    "/search?q=水",
    "/admin/login",
    "/no-such-page",
]
RECORD_PREFIXES = (
    "/water/sites/",
    "/water/quarters/",
    "/enforcement/enterprises/",
    "/enforcement/draws/",
    "/enforcement/cases/",
    "/reports/cases/",
    "/notices/",
    "/data/",
)


def _record_pages(client) -> list[str]:
    from tests.search_support import site_path, sitemap_entries

    chosen: dict[str, str] = {}
    for entry in sitemap_entries(client):
        path = site_path(entry.find("{http://www.sitemaps.org/schemas/sitemap/0.9}loc").text)
        for prefix in RECORD_PREFIXES:
            if path.startswith(prefix) and path != prefix and prefix not in chosen:
                chosen[prefix] = path
    return list(chosen.values())


def _java() -> str:
    java = shutil.which("java")
    assert java and VNU.is_file(), "run `make html-checker` (Java and vnu-jar from npm)"
    return java


def test_every_public_page_type_is_valid_html_in_both_languages(demo_app, tmp_path):
    java = _java()
    client = demo_app.test_client()
    paths = FIXED + _record_pages(client)
    assert len(paths) > len(FIXED) + 6  # the records were found
    files: dict[str, str] = {}
    for i, path in enumerate(paths):
        for lang in ("zh_Hans", "en"):
            response = client.get(
                path, headers={"Accept-Language": "zh-CN" if lang != "en" else "en"}
            )
            assert response.status_code in (200, 404), (path, response.status_code)
            assert response.mimetype == "text/html", path
            name = f"p{i:02d}-{lang}.html"
            (tmp_path / name).write_bytes(response.data)
            files[name] = f"{path} [{lang}]"
    result = subprocess.run(
        [
            java,
            "-Xss8m",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *sorted(str(tmp_path / n) for n in files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = [
        f"{files[Path(m['url']).name]} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert problems == []


def test_the_checker_itself_finds_an_invalid_time_value(tmp_path):
    """The guard the page test relies on: vnu refuses what the portal used to write."""
    java = _java()
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><title>x</title>'
        '<time datetime="2026-11-30T08:05:09.123456+00:00">x</time></html>',
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            str(page),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert any(re.search("datetime", m["message"]) for m in messages)


pytestmark = [pytest.mark.validator, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
