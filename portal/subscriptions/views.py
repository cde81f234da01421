"""Public subscription pages: subscribe, confirm, change choices, unsubscribe (one click).

The links carry secrets, so these pages are never cached and send no Referer. The one-click
POST (RFC 8058) comes from mail clients without a CSRF token: it is exempt, and protected by
the unguessable link token instead (an HMAC only the portal can make).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from portal.core import counties as county_registry
from portal.core.extensions import limiter
from portal.core.problems import Problems, Refusal
from portal.core.publications import Topic
from portal.notices.models import CATEGORY_LABELS, Category
from portal.subscriptions import choices, service
from portal.subscriptions.forms import ButtonForm, ChoicesForm, SubscribeForm
from portal.subscriptions.messages import MESSAGES

bp = Blueprint("subscriptions", __name__, url_prefix="/subscribe")


def _limit() -> str:
    return current_app.config["SUBSCRIBE_RATE_LIMIT"]


def topic_labels() -> list[tuple[str, Any]]:
    base: dict[str, Any] = {
        Topic.WARNINGS: _l("Warnings (drinking water and pollution incidents)"),
        Topic.WATER: _l("Quarterly drinking-water results"),
        Topic.ENFORCEMENT: _l("Red and yellow cards, inspections and cases"),
    }
    keys = choices.topic_keys(Category)
    return [(k, base.get(k) or CATEGORY_LABELS[Category(k.partition(":")[2])]) for k in keys]


def _setup(form: ChoicesForm) -> None:
    form.counties.choices = [(c.code, c.name) for c in county_registry.all_counties()]
    form.topics.choices = topic_labels()


def _validate(form: ChoicesForm, email: str) -> choices.Choices | None:
    try:
        return choices.validate(
            email,
            form.counties.data or [],
            bool(form.whole_region.data),
            form.topics.data or [],
            form.frequency.data or "",
            known_counties=county_registry.codes(),
            known_topics=choices.topic_keys(Category),
        )
    except Problems as problems:
        for name, texts in MESSAGES.by_field(problems).items():
            form[name].errors = texts
        return None


def _private(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(template: str, status: int = 200, **context: Any) -> Any:
    return _private(current_app.make_response((render_template(template, **context), status)))


@bp.errorhandler(429)
def too_many(_exc: Exception) -> ResponseReturnValue:
    return _page("subscriptions/limited.html", 429)


@bp.route("", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def subscribe() -> ResponseReturnValue:
    form = SubscribeForm()
    _setup(form)
    if request.method == "GET":
        return _page("subscriptions/subscribe.html", form=form)
    chosen = _validate(form, form.email.data or "") if form.validate() else None
    if chosen is None:
        return _page("subscriptions/subscribe.html", 400, form=form)
    service.request_subscription(chosen, "en" if str(get_locale()) == "en" else "zh_Hans")
    # The same answer whether or not the address was known: nothing to enumerate.
    return redirect(url_for("subscriptions.sent"), 303)


@bp.get("/sent")
def sent() -> ResponseReturnValue:
    return _page("subscriptions/sent.html")


def _link_error(refusal: Refusal) -> ResponseReturnValue:
    status = 410 if refusal.code in ("expired", "link_gone") else 404
    return _page("subscriptions/problem.html", status, message=MESSAGES.text(refusal))


@bp.route("/confirm/<secret>", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def confirm(secret: str) -> ResponseReturnValue:
    form = ButtonForm()
    try:
        if request.method == "GET" or not form.validate():
            service.find_request(secret)
            return _page("subscriptions/confirm.html", form=form)
        subscriber = service.confirm(secret)
    except Refusal as refused:
        return _link_error(refused)
    return _page("subscriptions/confirmed.html", token=service.link_token(subscriber))


def _gone() -> ResponseReturnValue:
    return _link_error(Refusal("link_gone"))


@bp.route("/manage/<token>", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def manage(token: str) -> ResponseReturnValue:
    subscriber = service.find_by_link(token)
    if subscriber is None:
        return _gone()
    form = ChoicesForm(
        data={
            "counties": subscriber.counties,
            "whole_region": not subscriber.counties,
            "topics": subscriber.topics,
            "frequency": subscriber.frequency,
        }
    )
    _setup(form)
    saved = False
    status = 200
    if request.method == "POST":
        chosen = _validate(form, subscriber.email) if form.validate() else None
        if chosen is None:
            status = 400
        else:
            service.change(subscriber, chosen)
            saved = True
    return _page("subscriptions/manage.html", status, form=form, token=token, saved=saved)


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str) -> ResponseReturnValue:
    if service.find_by_link(token) is None:
        return _gone()
    return _page("subscriptions/unsubscribe.html", token=token)


@bp.post("/unsubscribe/<token>")
def unsubscribe(token: str) -> ResponseReturnValue:
    """One-click (RFC 8058) and the page's button: no CSRF token, the link token is the key.
    No rate limit either: mail providers send many users' one-click POSTs from one address,
    and a 192-bit HMAC cannot be guessed."""
    if not service.unsubscribe(token):
        return _gone()
    return _page("subscriptions/unsubscribed.html")
