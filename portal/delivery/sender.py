"""One outgoing connection for a batch of mails: SMTP when MAIL_SERVER is set, else files in
MAIL_DIR (development). No Flask here: the worker passes the settings in.

Errors are classified for the retry policy: `Permanent` (a 5xx for this recipient: give up),
`Temporary` (a 4xx for this recipient: retry later), `Unavailable` (the server or the
connection is gone: every remaining mail of the batch waits and retries).
"""

from __future__ import annotations

import os
import secrets
import smtplib
from email.message import Message
from email.utils import formatdate
from pathlib import Path
from types import TracebackType
from typing import Any


class Temporary(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Permanent(Temporary):
    pass


class Unavailable(Exception):
    pass


class Connection:
    """Open once per batch; `send(msg)` returns when the server has accepted the mail."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        cfg = self.settings
        if not cfg.get("MAIL_SERVER"):
            return self
        try:
            self.smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30)
            if cfg.get("MAIL_USE_TLS"):
                self.smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                self.smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise Unavailable(type(exc).__name__) from exc
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def send(self, msg: Message) -> None:
        if self.smtp is None:
            self._write_file(msg)
            return
        try:
            self.smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0]
            raise _classify(code) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise _classify(exc.smtp_code) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:
                raise Unavailable(str(exc.smtp_code)) from exc
            raise _classify(exc.smtp_code) from exc
        except (OSError, smtplib.SMTPException) as exc:  # disconnected, timed out
            raise Unavailable(type(exc).__name__) from exc

    def _write_file(self, msg: Message) -> None:
        try:
            folder = Path(self.settings["MAIL_DIR"])
            folder.mkdir(parents=True, exist_ok=True)
            stamp = formatdate(usegmt=True).replace(" ", "_").replace(":", "").replace(",", "")
            name = f"{stamp}-{secrets.token_hex(4)}.eml"
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(bytes(msg))
        except OSError as exc:
            raise Unavailable(type(exc).__name__) from exc


def _classify(code: int) -> Temporary:
    return Permanent(str(code)) if 500 <= code < 600 else Temporary(str(code))
