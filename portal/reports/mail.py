"""Mails to reporters (the confirmation, status updates), queued in the caller's transaction
and sent by the delivery worker. Every mail goes through :func:`send`.

`send()` only queues the mail in the outbox; the worker sends it (SMTP when MAIL_SERVER is
set, else a file in MAIL_DIR). The address is personal data: it is never logged, and the
worker clears it from the outbox once the mail is sent.
"""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.core.extensions import db
from portal.delivery.service import enqueue_mail
from portal.reports.models import ACTION_LABELS, STATE_LABELS, Report, ReportContact
from portal.reports.workflow import Action, State

log = logging.getLogger(__name__)


def send(to: str, subject: str, body: str, *, commit: bool = True) -> bool:
    """Queue one plain-text message for the worker; True when queued.

    commit=False joins the caller's transaction (a status change and its mail are then
    committed together); the default commits at once.
    """
    enqueue_mail(to, subject, body, topic="reports")
    if commit:
        db.session.commit()
    return True


def status_changed(report: Report) -> bool:
    """Mail the report's latest public step to a reporter who asked for updates.

    Sent through :func:`send`, the one sender of this feature. The mail carries the public
    note only (never the internal one) and the status link, never the tracking code. It runs
    after the commit: a mail problem never undoes a handler's step. True if a mail was sent.
    """
    from portal.reports import links

    try:
        contact = db.session.get(ReportContact, report.id)
        if contact is None or not contact.updates or not contact.email:
            return False
        note = report.notes[-1] if report.notes else None
        with force_locale(contact.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
            state = str(STATE_LABELS[State(report.state)])
            body = render_template(
                "reports/mail_status.html",
                state=state,
                step=str(ACTION_LABELS[Action(note.action)]) if note else "",
                note=note.public_note if note else "",
                at=note.at if note else report.updated_at,
                status_link=links.status_url(report),
            )
            subject = _("Your pollution report: %(state)s", state=state)
        return send(contact.email, subject, body)
    except Exception as exc:  # the step is committed; the reporter can still look it up
        log.warning("status update mail failed: %s", type(exc).__name__)
        return False
