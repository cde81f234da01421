"""Officials' delivery page: how many mails are waiting, sent, retried or failed, per topic."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from portal.core.permissions import Role, require_role
from portal.delivery import queries

bp = Blueprint("delivery_admin", __name__, url_prefix="/admin/delivery")

TOPIC_LABELS = {
    "warnings": _l("Warnings"),
    "water": _l("Drinking water results"),
    "enforcement": _l("Cards, inspections and cases"),
    "notices": _l("Notices"),
    "digest": _l("Daily digests"),
    "reports": _l("Mails to reporters"),
    "subscriptions": _l("Subscription confirmations"),
}


@bp.get("/")
@require_role(Role.ADMIN)
def index() -> ResponseReturnValue:
    return render_template(
        "delivery/admin.html",
        rows=queries.counts_by_topic(),
        waiting=queries.messages_waiting(),
        labels=TOPIC_LABELS,
    )
