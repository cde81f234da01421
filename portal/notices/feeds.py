"""RSS 2.0 and Atom 1.0 feeds of notices: all of them, or one category."""

from __future__ import annotations

import datetime as dt
import hashlib

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, abort, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.core import markdown, urls
from portal.core.counties import county_name
from portal.core.extensions import db
from portal.core.http import conditional
from portal.core.i18n import html_lang, localized
from portal.core.pagecache import cacheable
from portal.core.text import clean
from portal.notices import queries
from portal.notices.models import CATEGORY_LABELS, Category, Notice

bp = Blueprint("notice_feeds", __name__)

FEED_SIZE = 50
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # <updated> of a feed with no entries yet
FORMATS = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}


def absolute(path: str) -> str:
    """Feeds are read elsewhere: every link is absolute on the configured public address."""
    return urls.absolute(path)


def feed_path(name: str, fmt: str, county: str | None = None, locale: str | None = None) -> str:
    """The canonical site path of a feed: its county filter, and ?lang=en for English (a
    reader must not merge the two languages, so each has its own address and Atom id)."""
    if locale is None:
        locale = "en" if html_lang() == "en" else "zh_Hans"
    args = [("county", county)] if county else []
    return urls.localized_path(f"/feeds/{name}.{fmt}", args, locale)


def feed_url(name: str, fmt: str, county: str | None = None) -> str:
    """For templates: the feed in the page's language (autodiscovery and visible links)."""
    return feed_path(name, fmt, county)


def agency() -> str:
    return _("Daxing'anling Ecology and Environment Bureau")


def entry_title(notice: Notice) -> str:
    title = localized(notice.title_zh, notice.title_en)
    return _("[Withdrawn] %(title)s", title=title) if notice.is_withdrawn else title


def build(name: str, notices: list[Notice], fmt: str, county: str | None = None) -> FeedGenerator:
    """The feed; every text is passed through portal.core.text.clean, so a character XML
    cannot hold (stored before inputs were cleaned) never makes the feed fail."""
    category = CATEGORY_LABELS.get(Category(name)) if name in frozenset(Category) else None
    fg = FeedGenerator()
    locale = "en" if html_lang() == "en" else "zh_Hans"
    page_args = [("category", name)] if category else []
    if county:
        page_args.append(("county", county))
    page = urls.localized_path(url_for("notices.index"), page_args, locale)
    title = _("Notices") if category is None else str(category)
    if county:
        title = f"{title} · {county_name(county)}"
    fg.id(absolute(feed_path(name, "atom", county, locale)))
    site = _("Daxing'anling Water Disclosure Portal")
    fg.title(f"{title} - {site}")
    fg.subtitle(_("Notices published by the Daxing'anling Ecology and Environment Bureau."))
    # feedgen takes RSS's <link> from the last link given: self first, the page last.
    fg.link(href=absolute(feed_path(name, fmt, county, locale)), rel="self")
    fg.link(href=absolute(page), rel="alternate")
    fg.author({"name": agency()})
    fg.language(html_lang())
    fg.generator("Daxing'anling water disclosure portal")
    updates = [n.last_modified for n in notices if n.last_modified]
    if updates:
        fg.updated(max(updates))
    else:
        fg.updated(EPOCH)
    for notice in notices:
        fe = fg.add_entry(order="append")
        link = absolute(urls.localized_path(f"/notices/{notice.id}", [], locale))
        fe.id(link)
        fe.guid(link, permalink=True)
        fe.title(clean(entry_title(notice)))
        fe.link(href=link, rel="alternate")
        author = agency()
        if notice.county:
            author = f"{author} · {county_name(notice.county)}"
        if fmt == "rss":
            # RSS 2.0 <author> must be an e-mail address; Dublin Core carries a name.
            fe.load_extension("dc", atom=False, rss=True)
            fe.dc.dc_creator(clean(author))
        else:
            fe.author({"name": clean(author)})
        # RSS shows the category's name (its domain names the scheme); Atom the slug + label.
        if fmt == "rss":
            fe.category(term=notice.category_label, scheme=absolute("/notices/"))
        else:
            fe.category(
                term=notice.category, label=notice.category_label, scheme=absolute("/notices/")
            )
        fe.published(notice.published_at)
        fe.updated(notice.last_modified)
        if notice.is_withdrawn:
            text = _(
                "Withdrawn on %(date)s: %(reason)s",
                date=notice.withdrawn_at.strftime("%Y-%m-%d") if notice.withdrawn_at else "",
                reason=notice.withdrawn_reason or "",
            )
            text = clean(text)
            fe.description(text)
            fe.summary(text)
            continue
        summary = clean(
            markdown.plain(localized(notice.summary_zh, notice.summary_en), 500) or title
        )
        fe.description(summary)
        fe.summary(summary)
        body = localized(notice.body_zh, notice.body_en)
        if body:
            fe.content(clean(str(markdown.render(body))), type="html")
    return fg


@bp.get("/feeds/<name>.<fmt>")
@cacheable
def feed(name: str, fmt: str) -> ResponseReturnValue:
    if fmt not in FORMATS or (name != "notices" and name not in frozenset(Category)):
        abort(404)
    county = queries.check_county(request.args.get("county"))
    query = queries.public_notices(None if name == "notices" else name, county).limit(FEED_SIZE)
    # A reader polling an unchanged feed gets its 304 from a few small columns, before any
    # notice body is loaded or any XML or Markdown is built. The validator covers everything
    # the feed shows: which notices, their versions, the language and the site address.
    versions = db.session.execute(
        query.with_only_columns(
            Notice.id, Notice.status, Notice.revised_at, Notice.published_at, Notice.withdrawn_at
        )
    ).all()
    validator = hashlib.sha256(
        repr(
            (
                name,
                fmt,
                county,
                html_lang(),
                urls.base_url(),
                [tuple(v) for v in versions],
            )
        ).encode()
    ).hexdigest()
    if request.if_none_match.contains(validator):
        unchanged = Response(status=304)
        unchanged.set_etag(validator)
        unchanged.cache_control.public = True
        unchanged.cache_control.max_age = 300
        return unchanged
    notices = list(db.session.scalars(query))
    fg = build(name, notices, fmt, county)
    body = fg.rss_str(pretty=True) if fmt == "rss" else fg.atom_str(pretty=True)
    response = Response(body, mimetype=FORMATS[fmt].split(";")[0])
    response.headers["Content-Type"] = FORMATS[fmt]
    updates = [n.last_modified for n in notices if n.last_modified]
    if updates:
        response.last_modified = max(updates)
    response.set_etag(validator)
    return conditional(response, max_age=300)
