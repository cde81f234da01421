"""Mail to a reporter (the confirmation with the tracking code), sent by the delivery worker.

`send()` only queues the mail in the outbox; the worker sends it (SMTP when MAIL_SERVER is
set, else a file in MAIL_DIR). The address is personal data: it is never logged, and the
worker clears it from the outbox once the mail is sent.
"""

from __future__ import annotations

import logging

from portal.delivery.service import enqueue_mail
from portal.extensions import db

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
