"""Content pages from content/pages: both languages, sanitized, government meta tags."""

from __future__ import annotations

import pytest

from portal.pages import content


@pytest.mark.parametrize("slug", ["about", "duties", "privacy", "licence"])
def test_content_pages_exist_in_both_languages(client, slug):
    zh = client.get(f"/pages/{slug}", headers={"Accept-Language": "zh-CN"})
    en = client.get(f"/pages/{slug}", headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 200
    zh_body, en_body = zh.get_data(as_text=True), en.get_data(as_text=True)
    assert '<html lang="zh-Hans">' in zh_body and '<html lang="en">' in en_body
    assert (
        '<meta name="ArticleTitle"' in zh_body and '<meta name="PubDate" content="2026-' in zh_body
    )
    assert zh_body != en_body


def test_privacy_page_promises_what_the_reports_feature_does(client):
    body = client.get("/pages/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "12369" in body


def test_unknown_or_traversing_slug_is_a_404(client):
    assert client.get("/pages/nope").status_code == 404
    assert client.get("/pages/..%2f..%2fpyproject").status_code == 404


def test_missing_translation_falls_back_to_chinese(tmp_path):
    (tmp_path / "only.zh_Hans.md").write_text("---\ntitle: 只有中文\n---\n正文", encoding="utf-8")
    page = content.load("only", "en", root=tmp_path)
    assert page is not None and page.locale == "zh_Hans" and page.title == "只有中文"


def test_markdown_is_rendered_through_the_sanitizer(tmp_path):
    (tmp_path / "x.en.md").write_text(
        "---\ntitle: X\n---\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) "
        '<img src=x onerror="alert(1)">\n\n**bold**',
        encoding="utf-8",
    )
    html = str(content.load("x", "en", root=tmp_path).body)
    # Raw HTML shows as the text that was written, never as markup.
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert "<strong>bold</strong>" in html


def test_about_redirects_from_the_section_root(client):
    response = client.get("/pages/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/pages/about")


def test_layout_has_landmarks_skip_link_and_government_meta(client):
    body = client.get("/").get_data(as_text=True)
    for needle in (
        '<a class="skip-link" href="#main">',
        '<main id="main"',
        "<header",
        "<footer",
        'aria-label="主导航"',
        '<meta name="SiteName"',
        '<meta name="ColumnName"',
        'href="tel:12369"',
    ):
        assert needle in body, needle
