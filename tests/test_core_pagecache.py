"""The page cache: hits served without the app, never stale after a commit or a scheduled
moment, never across languages, logins or cookies; gzip; Redis shared and survivable."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import socket
import subprocess
import time

import pytest
import sqlalchemy as sa
from flask import make_response

from portal.core import pagecache
from portal.core.extensions import db as _db
from portal.core.models import utcnow
from portal.core.pubversion import PublicationVersion
from portal.notices import service
from portal.notices.models import Notice
from tests.notices_support import make_notice

GZ = {"Accept-Encoding": "gzip"}


def text(response) -> str:
    """What a reader sees: JSON answers decoded (they escape Chinese characters)."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


def version() -> int:
    row = _db.session.get(PublicationVersion, 1)
    _db.session.expire_all()
    return row.n if row else 0


def test_a_second_visit_is_answered_without_running_a_query(client, db, count_queries):
    make_notice(title_zh="第一条公告")
    first = client.get("/notices/")
    assert "第一条公告" in first.get_data(as_text=True)
    with count_queries() as counted:
        again = client.get("/notices/")
    assert again.get_data() == first.get_data()
    assert counted.count == 0


def test_a_notice_published_updated_and_withdrawn_shows_on_the_very_next_request(client, db):
    pages = ["/", "/notices/", "/feeds/notices.rss", "/feeds/notices.atom", "/api/v1/notices"]
    for path in pages:  # warm every page in both languages
        client.get(path)
        client.get(path + ("&" if "?" in path else "?") + "lang=en")
    notice = make_notice(status="draft", title_zh="新发布的通知", title_en="Fresh notice")
    notice.published_at = None
    _db.session.commit()
    service.publish(notice)
    for path in pages:
        assert "新发布的通知" in text(client.get(path)), path
        assert "Fresh notice" in text(client.get(path + "?lang=en")), path
    notice = _db.session.get(Notice, notice.id)
    data = service.NoticeData(
        category=notice.category, county=None, language="zh_Hans", title_zh="更正后的通知",
        title_en="Corrected notice", summary_zh="摘要", summary_en=None, body_zh="正文",
        body_en=None,
    )  # fmt: skip
    assert service.update(notice, data, "错别字")
    for path in pages:
        assert "更正后的通知" in text(client.get(path)), path
        assert "Corrected notice" in text(client.get(path + "?lang=en")), path
    service.withdraw(_db.session.get(Notice, notice.id), "误发")
    detail = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "误发" in detail
    assert "已撤回" in client.get("/").get_data(as_text=True)  # the badge, at once
    assert "Withdrawn" in client.get("/?lang=en").get_data(as_text=True)


def test_a_scheduled_notice_appears_when_its_time_comes_without_any_write(client, db):
    make_notice(title_zh="早先的通知")
    at = utcnow() + dt.timedelta(seconds=2)
    make_notice(title_zh="定时发布的通知", published_at=at)
    assert "定时发布的通知" not in client.get("/notices/").get_data(as_text=True)
    assert "定时发布的通知" not in client.get("/notices/").get_data(as_text=True)  # a hit
    time.sleep(max(0.0, (at - utcnow()).total_seconds()) + 0.05)
    assert "定时发布的通知" in client.get("/notices/").get_data(as_text=True)
    assert "定时发布的通知" in client.get("/feeds/notices.rss").get_data(as_text=True)


def test_languages_never_mix_whichever_way_they_are_chosen(app, db):
    make_notice(title_zh="中文标题", title_en="English title")
    zh, en = app.test_client(), app.test_client()
    assert "中文标题" in zh.get("/notices/").get_data(as_text=True)
    assert "English title" in en.get("/notices/?lang=en").get_data(as_text=True)
    header = app.test_client().get("/notices/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "English title" in header.get_data(as_text=True)
    cookie = app.test_client()
    cookie.set_cookie("lang", "en")
    assert "English title" in cookie.get("/notices/").get_data(as_text=True)
    assert "中文标题" in zh.get("/notices/").get_data(as_text=True)
    chinese = app.test_client().get("/notices/", headers={"Accept-Language": "zh-CN"})
    assert "中文标题" in chinese.get_data(as_text=True)
    assert "Accept-Language" in chinese.headers["Vary"] and "Cookie" in chinese.headers["Vary"]


def test_an_official_never_sees_a_cached_page_and_never_fills_one(app, client, db, login_as):
    visitor = app.test_client()
    visitor.get("/")  # the public page is now cached
    login_as("publisher")
    official = client.get("/").get_data(as_text=True)
    assert "Signed in as" in official or "已登录" in official
    for _ in range(2):
        public = visitor.get("/").get_data(as_text=True)
        assert "publisher@" not in public and "csrf_token" not in public
    # and after the official's visits, a fresh visitor still gets the public page
    assert "publisher@" not in app.test_client().get("/").get_data(as_text=True)


def test_an_answer_that_sets_a_cookie_or_is_private_is_never_kept(app_factory, db):
    app = app_factory()
    calls = []

    def cookie_view():
        calls.append(1)
        response = make_response("personal")
        response.set_cookie("visitor", f"secret-{len(calls)}")
        return response

    def private_view():
        calls.append(1)
        return "private", 200, {"Cache-Control": "no-store"}

    app.add_url_rule("/t/cookie", view_func=pagecache.cacheable(cookie_view))
    app.add_url_rule("/t/private", endpoint="private", view_func=pagecache.cacheable(private_view))
    one, two = app.test_client(), app.test_client()
    assert "secret-1" in one.get("/t/cookie").headers["Set-Cookie"]
    assert "secret-2" in two.get("/t/cookie").headers["Set-Cookie"]
    one.get("/t/private")
    two.get("/t/private")
    assert len(calls) == 4


def test_a_conditional_request_is_answered_304_without_rendering(client, db, count_queries):
    make_notice()
    first = client.get("/notices/", headers=GZ)
    with count_queries() as counted:
        again = client.get("/notices/", headers={**GZ, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and counted.count == 0
    make_notice(title_zh="又一条")
    changed = client.get("/notices/", headers={**GZ, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_pages_feeds_and_api_are_gzipped_for_clients_that_accept_it(client, db):
    for i in range(5):
        make_notice(title_zh=f"通知{i}", summary_zh="摘要" * 40, body_zh="正文" * 200)
    for path in ["/", "/notices/", "/feeds/notices.rss", "/api/v1/notices", "/water/"]:
        for _ in range(2):  # the rendered answer and the cached one
            plain = client.get(path)
            packed = client.get(path, headers=GZ)
            assert packed.headers.get("Content-Encoding") == "gzip", path
            assert gzip.decompress(packed.get_data()) == plain.get_data(), path
            assert "Accept-Encoding" in packed.headers["Vary"]
            assert plain.headers.get("Content-Encoding") is None
    # pages holding a secret are not compressed (BREACH) and not cached
    track = client.get("/reports/track", headers=GZ)
    assert track.headers.get("Content-Encoding") is None
    assert "no-store" in track.headers["Cache-Control"]


def test_the_version_moves_with_public_changes_only(app, db, make_user):
    before = version()
    make_user("admin")  # officials' accounts are private
    assert version() == before
    make_notice()
    assert version() == before + 1
    _db.session.execute(sa.update(Notice).values(title_zh="批量"))
    _db.session.commit()
    assert version() == before + 2
    _db.session.rollback()
    assert version() == before + 2


def test_cache_off_renders_every_time_but_still_compresses(app_factory, db, count_queries):
    app = app_factory(PAGE_CACHE=False)
    make_notice(body_zh="正文" * 200)
    client = app.test_client()
    client.get("/notices/")
    with app.app_context():
        engine = _db.engine
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    response = client.get("/notices/", headers=GZ)
    assert statements and response.headers["Content-Encoding"] == "gzip"


# --- shared through Redis, and surviving its outage ----------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own on another port (never the shared one)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed for the shared-cache tests")
    port = _free_port()
    cmd = [binary, "--port", str(port), "--save", "", "--appendonly", "no",
           "--dir", str(tmp_path)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)

    class Handle:
        url = f"redis://127.0.0.1:{port}/0"
        process = proc

        def stop(self) -> None:
            proc.terminate()
            proc.wait(timeout=10)

    yield Handle()
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)


def test_two_apps_share_answers_through_redis_and_survive_its_outage(
    app_factory, db, private_redis, count_queries
):
    one = app_factory(PAGE_CACHE_URL=private_redis.url)
    two = app_factory(PAGE_CACHE_URL=private_redis.url)
    make_notice(title_zh="共享的通知")
    assert "共享的通知" in one.test_client().get("/notices/").get_data(as_text=True)
    with two.app_context():
        engine = _db.engine
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    shared = two.test_client().get("/notices/")
    assert "共享的通知" in shared.get_data(as_text=True) and statements == []
    private_redis.stop()
    make_notice(title_zh="停机后的通知")
    for _ in range(3):
        down = two.test_client().get("/notices/")
        assert down.status_code == 200
        assert "停机后的通知" in down.get_data(as_text=True)


def test_publication_periods_turn_at_midnight_china_time():
    at = dt.datetime(2026, 12, 1, 15, 59, tzinfo=dt.UTC)  # 23:59 in Beijing
    assert pagecache.next_china_midnight(at) == dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC)
    after = dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC)
    assert pagecache.next_china_midnight(after) == dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)


def test_a_head_request_is_answered_from_the_cache_without_a_body(client, db, count_queries):
    make_notice()
    full = client.get("/notices/")
    with count_queries() as counted:
        head = client.head("/notices/")
    assert head.status_code == 200 and head.get_data() == b"" and counted.count == 0
    assert head.headers["Content-Length"] == str(len(full.get_data()))


def test_after_a_change_by_hand_one_command_invalidates_every_cached_page(app, client, db):
    make_notice(title_zh="原标题")
    assert "原标题" in client.get("/notices/").get_data(as_text=True)
    with _db.engine.begin() as conn:  # outside the portal's session: no version bump
        conn.exec_driver_sql("UPDATE notices SET title_zh = '手工改的标题'")
    assert "原标题" in client.get("/notices/").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["pagecache", "bump"])
    assert result.exit_code == 0, result.output
    assert "手工改的标题" in client.get("/notices/").get_data(as_text=True)
