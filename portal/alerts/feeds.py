"""Atom and RSS feeds of warnings; each entry links its CAP document (as alert aggregators
expect: one entry per warning, updated with each message)."""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from lxml import etree

from portal.alerts import documents, queries
from portal.alerts.models import Alert
from portal.alerts.views import fresh
from portal.core.counties import county_name
from portal.core.i18n import html_lang, localized
from portal.core.pagecache import cacheable
from portal.notices.feeds import EPOCH, FORMATS, absolute, agency

bp = Blueprint("alert_feeds", __name__)
ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM = {"a": ATOM_NS}


def entry_title(alert: Alert) -> str:
    headline = localized(alert.headline_zh, alert.headline_en)
    if alert.is_lifted:
        return _("[Lifted] %(title)s", title=headline)
    return f"{alert.level_label}: {headline}"


def build(alerts: list[Alert], fmt: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(absolute("/feeds/alerts.atom"))
    fg.title(_("Water-incident warnings") + " - " + _("Daxing'anling Water Disclosure Portal"))
    fg.subtitle(_("Warnings on drinking water and water pollution incidents, with CAP 1.2."))
    fg.link(href=absolute(f"/feeds/alerts.{fmt}"), rel="self")
    fg.link(href=absolute("/alerts/"), rel="alternate")
    fg.author({"name": agency()})
    fg.language(html_lang())
    fg.generator("Daxing'anling water disclosure portal")
    fg.updated(max((a.revised_at for a in alerts), default=EPOCH))
    for alert in alerts:
        fe = fg.add_entry(order="append")
        page = absolute(f"/alerts/{alert.id}")
        cap_url = absolute(documents.cap_path(alert.id))
        fe.id(page)
        fe.guid(f"{page}#v{alert.version}", permalink=False)
        fe.title(entry_title(alert))
        fe.link(href=page, rel="alternate", type="text/html")
        # Atom: the CAP document as a second link; RSS: as the enclosure readers fetch.
        if fmt == "atom":
            fe.link(href=cap_url, rel="related", type="application/cap+xml")
        else:
            fe.enclosure(cap_url, "0", "application/cap+xml")
        places = ", ".join(county_name(c) for c in alert.county_codes)
        if alert.is_lifted:
            text = _(
                "Lifted: %(reason)s", reason=localized(alert.lift_reason_zh, alert.lift_reason_en)
            )
        else:
            text = localized(alert.instruction_zh, alert.instruction_en)
        summary = f"{alert.kind_label} · {places}. {text}"
        fe.description(summary)
        fe.summary(summary)
        fe.published(alert.published_at)
        fe.updated(alert.revised_at)
        if fmt == "rss":
            fe.load_extension("dc", atom=False, rss=True)
            fe.dc.dc_creator(agency())
        else:
            fe.author({"name": agency()})
        fe.category(term=alert.level, label=alert.level_label, scheme=absolute("/alerts/"))
    return fg


@bp.get("/feeds/alerts.atom")
@cacheable
def atom() -> ResponseReturnValue:
    return _feed("atom")


@bp.get("/feeds/alerts.rss")
@cacheable
def rss() -> ResponseReturnValue:
    return _feed("rss")


def _typed_links(atom: bytes) -> bytes:
    """feedgen 1.0 writes an entry's links without their rel and type (it shadows its loop
    variable); put them back so readers tell the page from the CAP document."""
    root = etree.fromstring(atom)
    for link in root.iterfind("a:entry/a:link", ATOM):
        if link.get("href", "").endswith(".cap"):
            link.set("rel", "related")
            link.set("type", "application/cap+xml")
        else:
            link.set("rel", "alternate")
            link.set("type", "text/html")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _feed(fmt: str) -> Response:
    alerts = queries.recent(50)
    fg = build(alerts, fmt)
    body = fg.rss_str(pretty=True) if fmt == "rss" else _typed_links(fg.atom_str(pretty=True))
    response = Response(body, mimetype=FORMATS[fmt].split(";")[0])
    response.headers["Content-Type"] = FORMATS[fmt]
    response.headers["Vary"] = "Accept-Language, Cookie"
    return fresh(response)
