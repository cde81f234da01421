"""Mails to reporters (the confirmation, status updates): SMTP when MAIL_SERVER is set, else
a file in MAIL_DIR. Every mail goes through :func:`send`.

The address is personal data: it is never logged, not even when sending fails.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.extensions import db
from portal.reports.models import Report, ReportContact
from portal.reports.workflow import Action, State

log = logging.getLogger(__name__)


def send(to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; True on success. Failures are logged without the address."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=cfg["MAIL_SENDER"].rpartition("@")[2] or None)
    msg.set_content(body)
    try:
        if cfg.get("MAIL_SERVER"):
            with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=15) as smtp:
                if cfg.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if cfg.get("MAIL_USERNAME"):
                    smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
                smtp.send_message(msg)
        else:
            folder = Path(cfg["MAIL_DIR"])
            folder.mkdir(parents=True, exist_ok=True)
            stamp = formatdate(usegmt=True).replace(" ", "_").replace(":", "")
            name = f"{stamp}-{secrets.token_hex(4)}.eml"
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(bytes(msg))
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("confirmation mail not sent: %s", type(exc).__name__)
        return False
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
            labels = current_app.jinja_env.globals["report_labels"]
            state = str(labels["state"][State(report.state)])
            body = render_template(
                "reports/mail_status.html",
                state=state,
                step=str(labels["action"][Action(note.action)]) if note else "",
                note=note.public_note if note else "",
                at=note.at if note else report.updated_at,
                status_link=links.status_url(report),
            )
            subject = _("Your pollution report: %(state)s", state=state)
        return send(contact.email, subject, body)
    except Exception as exc:  # the step is committed; the reporter can still look it up
        log.warning("status update mail failed: %s", type(exc).__name__)
        return False
