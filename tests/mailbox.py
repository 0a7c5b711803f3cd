"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for email tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from core.notify.sender import SmtpConfig


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """Messages the server accepted; ``refuse`` makes RCPT TO fail with a 550 for an address."""

    port: int
    host: str = "127.0.0.1"
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    controller: Controller | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self) -> SmtpConfig:
        return SmtpConfig(
            host=self.host,
            port=self.port,
            user=None,
            password=None,
            mail_from="RFT First Aid Training <bookings@rft-training.co.uk>",
            timeout_s=5.0,
        )


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A running SMTP server on loopback, stopped after the test."""
    box = Mailbox(port=free_port())
    box.start()
    yield box
    box.stop()


def parts(message: EmailMessage) -> dict[str, Any]:
    """The text, HTML and attachments of a received message, decoded."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return {
        "text": text.get_content() if text else None,
        "html": html.get_content() if html else None,
        "attachments": {
            a.get_filename(): (a.get_content_type(), a.get_payload(decode=True))
            for a in message.iter_attachments()
        },
    }
