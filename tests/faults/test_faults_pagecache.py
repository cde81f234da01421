"""The page cache under gunicorn with two workers: every change made in another process (a
notice through the services, a water quarter through the CLI, a card) is on the very next
request to every affected page, feed and API answer, in both languages; officials and
visitors' cookies never leak; a Redis outage means rendering, not errors."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser.liveserver import FLASK, ROOT, LiveServer, free_port, portal_server

from .harness import Citizen, log_in

PAGES_PER_CHANGE = 4  # requests per page after a change: both workers answer some of them


def run_in_portal(server: LiveServer, code: str) -> str:
    """Python in a separate process on the server's database (as a CLI command would)."""
    prelude = (
        "from portal import create_app\nfrom portal.core.extensions import db\n"
        "app = create_app()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=ROOT, env=server.env,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def flask_cli(server: LiveServer, *args: str) -> None:
    done = subprocess.run(
        [str(FLASK), "--app", "portal", *args], cwd=ROOT, env=server.env,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def get(server: LiveServer, path: str, headers: dict[str, str] | None = None):
    req = urllib.request.Request(server.url + path, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
            body = resp.read().decode("utf-8", "replace")
            return resp.status, dict(resp.headers), body
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace")


def readable(body: str) -> str:
    """JSON answers escape Chinese characters; decode them for the check."""
    try:
        return json.dumps(json.loads(body), ensure_ascii=False)
    except ValueError:
        return body


def warm(server: LiveServer, paths: list[str]) -> None:
    for path in paths:
        for _ in range(PAGES_PER_CHANGE):
            get(server, path)


def assert_everywhere(server: LiveServer, paths: list[str], text: str) -> None:
    for path in paths:
        for _ in range(PAGES_PER_CHANGE):
            status, _h, body = get(server, path)
            assert status == 200, (path, status)
            assert text in readable(body), f"{path} does not show {text!r} yet"


NOTICE_PAGES = ["/", "/notices/", "/feeds/notices.rss", "/feeds/notices.atom", "/api/v1/notices"]


def both_languages(paths: list[str]) -> tuple[list[str], list[str]]:
    return paths, [p + ("&" if "?" in p else "?") + "lang=en" for p in paths]


@pytest.fixture(scope="module")
def server():
    with portal_server("pagecache", demo=False, workers=2) as live:
        yield live


def test_notice_publish_update_withdraw_and_schedule_show_on_the_next_request(server):
    zh, en = both_languages(NOTICE_PAGES)
    warm(server, zh + en)
    notice_id = run_in_portal(server, """
from portal.notices import service
with app.app_context():
    n = service.create_draft(service.NoticeData(
        category="announcements", county=None, language="zh_Hans", title_zh="实时发布的公告",
        title_en="Live notice", summary_zh="摘要", summary_en=None, body_zh="正文", body_en=None))
    service.publish(n)
    print(n.id)
""")
    detail_zh, detail_en = both_languages([f"/notices/{notice_id}", f"/api/v1/notices/{notice_id}"])
    assert_everywhere(server, zh + detail_zh, "实时发布的公告")
    assert_everywhere(server, en + detail_en, "Live notice")

    run_in_portal(server, f"""
from portal.notices import service
from portal.notices.models import Notice
with app.app_context():
    n = db.session.get(Notice, {notice_id})
    service.update(n, service.NoticeData(
        category="announcements", county=None, language="zh_Hans", title_zh="更正后的公告",
        title_en="Corrected notice", summary_zh="摘要", summary_en=None, body_zh="正文",
        body_en=None), "更正标题")
""")
    assert_everywhere(server, zh + detail_zh, "更正后的公告")
    assert_everywhere(server, en + detail_en, "Corrected notice")

    run_in_portal(server, f"""
from portal.notices import service
from portal.notices.models import Notice
with app.app_context():
    service.withdraw(db.session.get(Notice, {notice_id}), "发布有误")
""")
    assert_everywhere(server, [f"/notices/{notice_id}"], "发布有误")
    assert_everywhere(server, ["/notices/"], "已撤回")
    assert_everywhere(server, ["/notices/?lang=en"], "Withdrawn")

    at = run_in_portal(server, """
import datetime as dt
from portal.notices import service
with app.app_context():
    n = service.create_draft(service.NoticeData(
        category="announcements", county=None, language="zh_Hans", title_zh="定时公告",
        title_en="Scheduled notice", summary_zh="摘要", summary_en=None, body_zh="正文",
        body_en=None))
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    service.publish(n, at)
    print(at.isoformat())
""")
    for path in zh:
        assert "定时公告" not in readable(get(server, path)[2])
    time.sleep(max(0.0, (dt.datetime.fromisoformat(at) - dt.datetime.now(dt.UTC)).total_seconds()))
    time.sleep(0.05)
    assert_everywhere(server, zh, "定时公告")
    assert_everywhere(server, en, "Scheduled notice")


def test_a_water_quarter_published_through_the_cli_shows_on_the_next_request(server, tmp_path):
    from tests.water_support import GOOD_Q3, SITES

    sites, results = tmp_path / "sites.csv", tmp_path / "q3.csv"
    sites.write_text(SITES)
    results.write_text(GOOD_Q3)
    flask_cli(server, "water", "import-sites", str(sites))
    flask_cli(server, "water", "import", str(results))
    pages = ["/water/", "/water/counties/mohe", "/api/v1/water/sites"]
    warm(server, pages + [p + "?lang=en" for p in pages])
    for path in pages:
        assert "MH-T1" not in get(server, path)[2]
    flask_cli(server, "water", "publish", "mohe", "2026Q3")
    assert_everywhere(server, ["/water/counties/mohe", "/api/v1/water/sites"], "MH-T1")
    assert_everywhere(server, ["/water/", "/water/?lang=en"], "/water/quarters/mohe/2026Q3")
    assert_everywhere(server, ["/water/counties/mohe?lang=en"], "Mohe town tap")
    assert_everywhere(server, ["/api/v1/water/quarters/mohe/2026Q3"], "MH-T1")


def test_a_card_recorded_in_another_process_shows_on_the_next_request(server):
    pages = ["/enforcement/cards", "/api/v1/enforcement/cards"]
    warm(server, [*pages, "/enforcement/", "/enforcement/?lang=en"])
    overview = get(server, "/enforcement/")[2]
    code = run_in_portal(server, """
from portal.enforcement import cards, publication, registry
from portal.enforcement.credit_code import check_character
first = "91232723MA0000077"
code = first + check_character(first)
with app.test_request_context():
    registry.save_enterprise({"code": code, "name": "实时黄牌测试企业", "county": "mohe",
        "industry": "采矿", "address": "", "key_discharger": "1"})
    cards.decide_card(cards.CardDecision(enterprise_code=code, color="yellow",
        number="大兴安岭环黄牌〔2026〕77号", decided_on=publication.today(),
        authority="大兴安岭地区生态环境局", reasons="废水超标", measures="限期整改"))
print(code)
""")
    assert_everywhere(server, [*pages, f"/enforcement/enterprises/{code}"], "实时黄牌测试企业")
    assert_everywhere(server, ["/enforcement/cards?lang=en"], "77")
    for _ in range(PAGES_PER_CHANGE):  # the overview's card count moved too
        assert get(server, "/enforcement/")[2] != overview


def test_an_official_never_sees_a_cached_page_and_never_leaks_into_one(server):
    visitor = Citizen(server.url)
    for _ in range(PAGES_PER_CHANGE):
        assert visitor.request("/notices/").status == 200
    official = Citizen(server.url)
    run_in_portal(server, """
from portal.accounts import service
with app.app_context():
    service.create_user("cache-official@dxal.example.gov.cn", "publisher", None,
                        "a long enough password 2026", name="Cache Official")
""")
    password = "a long enough password 2026"
    assert log_in(official, "cache-official@dxal.example.gov.cn", password) == 200
    for _ in range(PAGES_PER_CHANGE):
        page = official.request("/notices/")
        assert "cache-official@" in page.body, "an official was served the public copy"
    for _ in range(PAGES_PER_CHANGE):
        assert "cache-official@" not in Citizen(server.url).request("/notices/").body
        assert "cache-official@" not in visitor.request("/").body


def test_a_visitors_cookie_never_reaches_another_visitor(server):
    first = Citizen(server.url)
    assert first.request("/reports/new").status == 200  # a session cookie with a CSRF token
    for _ in range(PAGES_PER_CHANGE):
        first.request("/notices/")
        status, headers, _body = get(server, "/notices/")
        assert status == 200
        assert not any(k.lower() == "set-cookie" for k in headers), headers


# --- shared Redis, and its outage -----------------------------------------------------------


def _private_redis(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed"
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, port


def test_the_shared_cache_survives_a_redis_outage_by_rendering(tmp_path):
    proc, port = _private_redis(tmp_path)
    try:
        with portal_server(
            "pagecache-redis", demo=False, workers=2,
            PORTAL_CACHE_URL=f"redis://127.0.0.1:{port}/0",
        ) as live:  # fmt: skip
            warm(live, ["/notices/", "/"])
            proc.terminate()
            proc.wait(timeout=10)
            run_in_portal(live, """
from portal.notices import service
with app.app_context():
    n = service.create_draft(service.NoticeData(
        category="announcements", county=None, language="zh_Hans", title_zh="停机期间的公告",
        title_en=None, summary_zh="摘要", summary_en=None, body_zh="正文", body_en=None))
    service.publish(n)
""")
            assert_everywhere(live, ["/notices/", "/", "/feeds/notices.rss"], "停机期间的公告")
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
