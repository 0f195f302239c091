"""A real SMTP server on loopback (aiosmtpd) for the notice tests: it can accept, answer a recipient
with a code (451, 550), stall in the middle of a message until released, and speak TLS (STARTTLS or
implicit) with a login."""
from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    tls: bool = False
    login: str | None = None

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
        login = session.auth_data.login.decode() if session.authenticated and session.auth_data else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      message_from_bytes(raw, policy=policy.default), raw,
                                      tls=session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                                      login=login))
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


def self_signed_certificate(directory) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = str(directory / "smtp-cert.pem"), str(directory / "smtp-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


class SmtpServer:
    """aiosmtpd on 127.0.0.1:<port>; stop() and start() again on the same port (an outage).

    tls: None (plain), "starttls" (required before MAIL) or "ssl" (implicit TLS), with `certificate`;
    `users` ({login: password}) requires a login.
    """

    def __init__(self, *, tls: str | None = None, certificate: tuple[str, str] | None = None,
                 users: dict[str, str] | None = None):
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None
        self.tls, self.users = tls, users
        self.context = None
        if tls:
            self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.context.load_cert_chain(*certificate)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and self.users.get(auth_data.login.decode()) == auth_data.password.decode()
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def start(self) -> None:
        options = {}
        if self.tls == "starttls":
            options.update(tls_context=self.context, require_starttls=True)
        elif self.tls == "ssl":
            options.update(ssl_context=self.context)
        if self.users is not None:
            # aiosmtpd counts only STARTTLS as TLS for AUTH; with implicit TLS the whole connection is.
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=self.tls == "starttls")
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.mailbox.release.set()
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.mailbox.received
