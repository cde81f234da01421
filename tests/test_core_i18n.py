"""Languages: Chinese first, English complete; choice remembered; China time formatting."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


def _lang(response) -> str:
    body = response.get_data(as_text=True)
    return "en" if '<html lang="en">' in body else "zh" if '<html lang="zh-Hans">' in body else "?"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh"),
        ("zh-CN,zh;q=0.9", "zh"),
        ("en-GB,en;q=0.8", "en"),
        ("fr-FR", "zh"),
        ("fr, en;q=0.5", "en"),
        ("zh-TW", "zh"),
    ],
)
def test_first_visit_honours_accept_language_and_defaults_to_chinese(client, header, expected):
    headers = {"Accept-Language": header} if header else {}
    assert _lang(client.get("/", headers=headers)) == expected


def test_language_switch_is_remembered_in_a_cookie(client):
    response = client.get("/lang/en?next=/pages/about")
    assert response.status_code == 302 and response.headers["Location"] == "/pages/about"
    assert "lang=en" in response.headers["Set-Cookie"]
    assert _lang(client.get("/", headers={"Accept-Language": "zh-CN"})) == "en"
    client.get("/lang/zh_Hans")
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "zh"


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/lang/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_every_page_offers_the_other_language_and_keeps_the_address(client):
    body = client.get("/pages/privacy", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert 'href="/lang/en?next=/pages/privacy"' in body
    assert 'hreflang="en" href="https://water.example.gov.cn/pages/privacy?lang=en"' in body


def test_lang_query_parameter_gives_a_shareable_english_twin(client):
    assert _lang(client.get("/?lang=en")) == "en"
    assert _lang(client.get("/?lang=zh_Hans", headers={"Accept-Language": "en"})) == "zh"


def test_home_page_in_both_languages(client):
    zh = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    en = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "大兴安岭地区水环境信息公开平台" in zh and "12369" in zh
    assert "Daxing'anling Water Disclosure Portal" in en and "12369" in en
    assert "跳到正文" in zh and "Skip to main content" in en


def test_every_message_has_a_chinese_translation(tmp_path):
    """Babel's own extraction over the sources (as `make messages` runs it): every message
    the portal can show has a Chinese translation in the one catalog (English is the
    source language, so the msgid is the English text)."""
    pot = tmp_path / "messages.pot"
    keywords = ["-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2"]
    with contextlib.chdir(ROOT):
        CommandLineInterface().run(
            ["pybabel", "-q", "extract", "-F", ".babel.cfg", *keywords, "-o", str(pot), "."]
        )
    with pot.open("rb") as fh:
        wanted = [m for m in read_po(fh) if m.id]
    with (ROOT / "portal/translations/zh_Hans/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    untranslated = []
    for message in wanted:
        found = catalog.get(message.id, context=message.context)
        strings = (
            []
            if found is None
            else (list(found.string) if isinstance(found.string, tuple) else [found.string])
        )
        if not strings or not all(strings) or (found is not None and found.fuzzy):
            untranslated.append(message.id)
    assert len(wanted) > 1000  # the extraction really read the sources
    assert untranslated == []


def test_times_are_shown_in_china_time_as_yyyy_mm_dd_hh_mm(app):
    from portal.core.i18n import china_date, china_time

    with app.test_request_context("/"):
        moment = dt.datetime(2026, 3, 31, 17, 5, tzinfo=dt.UTC)
        assert china_time(moment) == "2026-04-01 01:05"
        assert china_date(moment) == "2026-04-01"


def test_numbers_follow_the_locale(app):
    from portal.core.i18n import number

    with app.test_request_context("/?lang=en"):
        assert number(1234567.5, 1) == "1,234,567.5"
    with app.test_request_context("/?lang=zh_Hans"):
        assert number(1234567.5, 1) == "1,234,567.5"
