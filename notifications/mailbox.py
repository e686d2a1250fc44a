"""Reading the `.eml` files of the file sender, for the admin page of sent mail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from agency.errors import NotFound

_NAME = re.compile(r"^[0-9a-f]{32}\.eml$")


@dataclass(frozen=True)
class MailSummary:
    name: str
    subject: str
    to: str
    kind: str
    message_id: str
    written_at: datetime


@dataclass(frozen=True)
class MailContent:
    summary: MailSummary
    text: str
    html: str | None


def list_mail(mail_dir: Path, *, limit: int = 200) -> list[MailSummary]:
    """The newest `limit` messages in `mail_dir`, newest first (an absent folder is empty)."""
    if not mail_dir.is_dir():
        return []
    paths = [p for p in mail_dir.iterdir() if _NAME.match(p.name)]
    paths.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return [_summary(path, _parse(path)) for path in paths[:limit]]


def read_mail(mail_dir: Path, name: str) -> MailContent:
    """One message by its file name; any other name (a path, `..`) is NotFound."""
    path = mail_dir / name
    if not _NAME.match(name) or not path.is_file():
        raise NotFound("no such message")
    message = _parse(path)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return MailContent(
        summary=_summary(path, message),
        text=text.get_content() if text is not None else "",
        html=html.get_content() if html is not None else None,
    )


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage
    return message


def _summary(path: Path, message: EmailMessage) -> MailSummary:
    return MailSummary(
        name=path.name,
        subject=str(message.get("Subject", "")),
        to=str(message.get("To", "")),
        kind=str(message.get("X-Agency-Kind", "")),
        message_id=str(message.get("Message-ID", "")),
        written_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
    )
