"""Outgoing mail through one pluggable backend, sent only once the transaction commits."""

from __future__ import annotations

import functools
import logging
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

from registry.database import after_commit, install_after_commit
from registry.files import write_atomically

logger = logging.getLogger(__name__)


class MailBackend(Protocol):
    """Delivers a message."""

    def deliver(self, message: EmailMessage) -> None:
        """Send one message."""


class OutboxBackend:
    """Writes each message as an .eml file into a folder, for local use and tests."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def deliver(self, message: EmailMessage) -> None:
        """Write the message atomically (temporary name, then rename)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        write_atomically(self.folder / name, message.as_bytes())


class SmtpBackend:
    """Sends through an SMTP server, with STARTTLS when configured."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.host = config["SMTP_HOST"]
        self.port = int(config.get("SMTP_PORT", 587))
        self.username = config.get("SMTP_USERNAME") or None
        self.password = config.get("SMTP_PASSWORD") or None
        self.starttls = str(config.get("SMTP_STARTTLS", "true")).lower() in {"1", "true", "yes"}

    def deliver(self, message: EmailMessage) -> None:
        """Open a connection, send, close."""
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username and self.password:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def backend_for(app: Flask) -> MailBackend:
    """The backend that the configuration names."""
    if app.config["MAIL_BACKEND"] == "smtp":
        return SmtpBackend(app.config)
    return OutboxBackend(app.config["OUTBOX_DIR"])


def send_mail(to: str, subject: str, body: str) -> None:
    """Queue a plain-text message; it leaves only if the current transaction commits."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="safetech.invalid")
    message.set_content(body)
    backend: MailBackend = current_app.extensions["mail_backend"]
    after_commit(functools.partial(_deliver, backend, message))


def _deliver(backend: MailBackend, message: EmailMessage) -> None:
    try:
        backend.deliver(message)
    except OSError:  # the change is committed; a lost notice must not undo it
        logger.exception("could not deliver mail to %s", message["To"])


def init_app(app: Flask) -> None:
    """Choose the backend the configuration names; mail leaves once its transaction commits."""
    app.extensions["mail_backend"] = backend_for(app)
    install_after_commit()


@dataclass
class OutboxMessage:
    """A message read back from the outbox folder."""

    name: str
    to: str
    subject: str
    date: str
    body: str


def read_outbox(folder: str, limit: int = 200) -> list[OutboxMessage]:
    """The newest messages in the outbox, newest first."""
    path = Path(folder)
    if not path.is_dir():
        return []
    files = sorted((p for p in path.glob("*.eml")), key=lambda p: p.name, reverse=True)[:limit]
    messages = []
    for file in files:
        with file.open("rb") as handle:
            parsed = BytesParser(policy=default_policy).parse(handle)
        body_part = parsed.get_body(preferencelist=("plain",))
        body = body_part.get_content() if body_part is not None else ""
        messages.append(
            OutboxMessage(
                name=file.name,
                to=str(parsed["To"]),
                subject=str(parsed["Subject"]),
                date=str(parsed["Date"]),
                body=str(body),
            )
        )
    return messages
