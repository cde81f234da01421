"""Confirmation mail to a reporter: SMTP when MAIL_SERVER is set, else a file in MAIL_DIR.

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

from flask import current_app

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
