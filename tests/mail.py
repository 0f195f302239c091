"""A real SMTP server on loopback (aiosmtpd) for the notice tests: it can accept, answer a recipient
with a code (451, 550), or stall in the middle of a message until released."""
from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    def part(self, subtype: str) -> str:
        return self.message.get_body(preferencelist=(subtype,)).get_content()


class Mailbox:
    """The server's handler: what it received, and how it answers."""

    def __init__(self):
        self.received: list[Received] = []
        self.answers: dict[str, list[str]] = {}  # recipient → answers to RCPT TO, in turn; then 250
        self.stall = False
        self.stalled = threading.Event()   # set when a message arrived and the server is holding it
        self.release = threading.Event()   # set to let a held message through

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        queued = self.answers.get(address)
        if queued:
            return queued.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      message_from_bytes(raw, policy=policy.default), raw))
        if self.stall:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [item for item in self.received if address in item.rcpt_tos]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """aiosmtpd on 127.0.0.1:<port>; stop() and start() again on the same port (an outage)."""

    def __init__(self):
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.mailbox.release.set()
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.mailbox.received
