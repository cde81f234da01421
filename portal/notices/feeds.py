"""RSS 2.0 and Atom 1.0 feeds of notices: all of them, or one category."""

from __future__ import annotations

import datetime as dt
import hashlib

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, abort, current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.core import markdown
from portal.core.counties import county_name
from portal.core.http import conditional
from portal.core.i18n import html_lang, localized
from portal.core.pagecache import cacheable
from portal.extensions import db
from portal.notices import queries
from portal.notices.models import CATEGORIES, Notice

bp = Blueprint("notice_feeds", __name__)

FEED_SIZE = 50
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # <updated> of a feed with no entries yet
FORMATS = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}


def absolute(path: str) -> str:
    """Feeds are read elsewhere: every link is absolute on the configured public address."""
    return current_app.config["BASE_URL"] + path


def agency() -> str:
    return _("Daxing'anling Ecology and Environment Bureau")


def entry_title(notice: Notice) -> str:
    title = localized(notice.title_zh, notice.title_en)
    return _("[Withdrawn] %(title)s", title=title) if notice.is_withdrawn else title


def build(name: str, notices: list[Notice], fmt: str) -> FeedGenerator:
    category = CATEGORIES.get(name)
    fg = FeedGenerator()
    page = url_for("notices.index", category=name if category else None)
    title = _("Notices") if category is None else str(category)
    fg.id(absolute(f"/feeds/{name}.atom"))
    site = _("Daxing'anling Water Disclosure Portal")
    fg.title(f"{title} - {site}")
    fg.subtitle(_("Notices published by the Daxing'anling Ecology and Environment Bureau."))
    # feedgen takes RSS's <link> from the last link given: self first, the page last.
    fg.link(href=absolute(f"/feeds/{name}.{fmt}"), rel="self")
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
        link = absolute(f"/notices/{notice.id}")
        fe.id(link)
        fe.guid(link, permalink=True)
        fe.title(entry_title(notice))
        fe.link(href=link, rel="alternate")
        author = agency()
        if notice.county:
            author = f"{author} · {county_name(notice.county)}"
        if fmt == "rss":
            # RSS 2.0 <author> must be an e-mail address; Dublin Core carries a name.
            fe.load_extension("dc", atom=False, rss=True)
            fe.dc.dc_creator(author)
        else:
            fe.author({"name": author})
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
            fe.description(text)
            fe.summary(text)
            continue
        summary = markdown.plain(localized(notice.summary_zh, notice.summary_en), 500) or title
        fe.description(summary)
        fe.summary(summary)
        body = localized(notice.body_zh, notice.body_en)
        if body:
            fe.content(str(markdown.render(body)), type="html")
    return fg


@bp.get("/feeds/<name>.<fmt>")
@cacheable
def feed(name: str, fmt: str) -> ResponseReturnValue:
    if fmt not in FORMATS or (name != "notices" and name not in CATEGORIES):
        abort(404)
    query = queries.public_notices(None if name == "notices" else name).limit(FEED_SIZE)
    # A reader polling an unchanged feed gets its 304 from a few small columns, before any
    # notice body is loaded or any XML or Markdown is built. The validator covers everything
    # the feed shows: which notices, their versions, the language and the site address.
    versions = db.session.execute(
        query.with_only_columns(
            Notice.id, Notice.status, Notice.revised_at, Notice.published_at, Notice.withdrawn_at
        )
    ).all()
    validator = hashlib.sha256(
        repr((name, fmt, html_lang(), current_app.config["BASE_URL"],
              [tuple(v) for v in versions])).encode()
    ).hexdigest()
    if request.if_none_match.contains(validator):
        unchanged = Response(status=304)
        unchanged.set_etag(validator)
        unchanged.cache_control.public = True
        unchanged.cache_control.max_age = 300
        return unchanged
    notices = list(db.session.scalars(query))
    fg = build(name, notices, fmt)
    body = fg.rss_str(pretty=True) if fmt == "rss" else fg.atom_str(pretty=True)
    response = Response(body, mimetype=FORMATS[fmt].split(";")[0])
    response.headers["Content-Type"] = FORMATS[fmt]
    updates = [n.last_modified for n in notices if n.last_modified]
    if updates:
        response.last_modified = max(updates)
    response.set_etag(validator)
    return conditional(response, max_age=300)
