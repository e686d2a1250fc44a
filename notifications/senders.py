"""Senders of email behind one interface: SMTP, `.eml` files, or memory (for tests)."""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from agency.models.base import utcnow
from notifications.config import MailConfig, SmtpConfig
from notifications.render import Rendered


class Sender(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand `message` over for delivery, or raise."""

    def close(self) -> None:
        """Release any connection held between sends."""


def build_email(
    rendered: Rendered, *, to: str, mail_from: str, message_id: str, kind: str
) -> EmailMessage:
    """A multipart (text + HTML) message carrying the Message-ID fixed when it was queued."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(utcnow())
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message["X-Agency-Kind"] = kind
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


class SmtpSender:
    """Sends through one SMTP connection, opened on first use and kept until `close()`."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        reused = self._smtp is not None
        try:
            self._connection().send_message(message)
        except smtplib.SMTPServerDisconnected:
            self.close()
            if not reused:
                raise
            # The relay dropped an idle or used-up connection: one fresh try.
            self._connection().send_message(message)
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        smtp: smtplib.SMTP
        context = ssl.create_default_context(cafile=cfg.ca_file)  # verifies the relay's name
        if cfg.tls:
            smtp = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=cfg.timeout_seconds, context=context
            )
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds)
        try:
            if cfg.starttls:
                smtp.starttls(context=context)
            if cfg.user:
                smtp.login(cfg.user, cfg.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


class FileSender:
    """Writes each message to `<mail_dir>/<digest of Message-ID>.eml`.

    Named by Message-ID, so a re-send after a crash replaces the file instead of adding one.
    """

    def __init__(self, mail_dir: Path) -> None:
        self.mail_dir = mail_dir

    def send(self, message: EmailMessage) -> None:
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        path = self.mail_dir / eml_name(str(message["Message-ID"]))
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(message.as_bytes())
        os.replace(temporary, path)  # atomic: a reader never sees half a message

    def close(self) -> None:
        return None


def eml_name(message_id: str) -> str:
    return hashlib.sha256(message_id.encode()).hexdigest()[:32] + ".eml"


class MemorySender:
    """Keeps the messages in a list; `fail_with` makes every send raise (for tests)."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.fail_with: Exception | None = None
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        with self._lock:
            self.sent.append(message)

    def close(self) -> None:
        return None


def make_sender(config: MailConfig) -> Sender:
    """The sender that `config.backend` names."""
    if config.backend == "smtp":
        return SmtpSender(config.smtp)
    if config.backend == "file":
        return FileSender(config.mail_dir)
    return MemorySender()
