"""Every absolute address comes from PORTAL_BASE_URL (never the request's Host), and every
page names its one canonical address per language."""

from __future__ import annotations

import html
import logging
import re

from tests.notices_support import make_notice

BASE = "https://water.example.gov.cn"
EVIL = {"Host": "evil.example"}


def test_the_host_header_never_reaches_cached_absolute_urls(client, db, runner):
    runner.invoke(args=["demo", "load"])
    response = client.get("/api/v1/enforcement/enterprises?per_page=2", headers=EVIL)
    assert response.status_code == 200 and response.cache_control.public
    assert "evil.example" not in response.headers["Link"]
    assert response.headers["Link"].startswith(f"<{BASE}/api/v1/enforcement/enterprises?")
    assert all(i["url"].startswith(BASE) for i in response.get_json()["items"])
    cards = client.get("/api/v1/enforcement/cards", headers=EVIL).get_data(as_text=True)
    assert "evil.example" not in cards
    download = client.get("/enforcement/cards.csv", headers=EVIL)
    assert download.status_code == 200 and b"evil.example" not in download.data
    draws = client.get("/api/v1/enforcement/draws", headers=EVIL).get_data(as_text=True)
    assert "evil.example" not in draws and BASE in draws


def test_every_page_has_one_canonical_address_per_language(client, db):
    notice = make_notice(title_zh="通知", title_en="Notice")
    for path in ("/", f"/notices/{notice.id}", "/notices/?county=mohe"):
        zh = client.get(path, headers={"Accept-Language": "zh-CN", **EVIL}).get_data(True)
        en = client.get(path + ("&" if "?" in path else "?") + "lang=en").get_data(True)
        zh, en = html.unescape(zh), html.unescape(en)
        [canon_zh] = re.findall(r'<link rel="canonical" href="([^"]+)"', zh)
        [canon_en] = re.findall(r'<link rel="canonical" href="([^"]+)"', en)
        assert canon_zh == BASE + path
        assert canon_en == BASE + path + ("&" if "?" in path else "?") + "lang=en"
        alternates = dict(
            re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', zh)
        )
        assert alternates == {"zh-Hans": canon_zh, "en": canon_en, "x-default": canon_zh}


def test_a_request_for_another_host_is_logged_once(app, caplog):
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        client.get("/", headers={"Host": "127.0.0.1:5077"})
        client.get("/", headers={"Host": "127.0.0.1:5077"})
    warnings = [r for r in caplog.records if "PORTAL_BASE_URL" in r.getMessage()]
    assert len(warnings) == 1 and "127.0.0.1:5077" in warnings[0].getMessage()


def test_make_run_on_another_port_links_to_that_port():
    """`PORT=5077 make run` must give feeds, sitemap and API links on :5077."""
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_BASE_URL"}
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "PORT=5077"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    [serve] = [line for line in dry.splitlines() if "bin/gunicorn " in line]
    assert "--bind 127.0.0.1:5077" in serve
    [work] = [line for line in dry.splitlines() if " worker " in line and "flask" in line]
    # Evaluate the environment part of each command the way the shell will: the delivery
    # worker's mails link to the same address as the pages.
    for command, program in ((serve, " .venv/bin/gunicorn"), (work, " .venv/bin/flask")):
        assignments = command.split(program)[0]
        shown = subprocess.run(
            ["bash", "-c", f"{assignments} env"], env=env, capture_output=True, text=True,
            check=True,
        ).stdout  # fmt: skip
        assert "PORTAL_BASE_URL=http://127.0.0.1:5077" in shown.splitlines()


def test_time_elements_carry_valid_html_datetimes(client, db):
    import datetime as dt

    from portal.core.i18n import html_datetime

    moment = dt.datetime(2026, 11, 30, 8, 5, 9, 123456, tzinfo=dt.UTC)
    assert html_datetime(moment) == "2026-11-30T08:05:09Z"
    assert html_datetime(dt.date(2026, 11, 30)) == "2026-11-30"
    notice = make_notice(published_at=moment)
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    values = re.findall(r'<time datetime="([^"]+)"', page)
    assert values and all(re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\dZ)?", v) for v in values)
