"""Delivering the outbox: the worker's side. The outbox rows, not the task queue, are the source of truth.

A sweep claims one due email at a time with a guarded UPDATE (a lease), commits, sends it with no
transaction open, and records the outcome in a second short transaction. A worker killed mid-send
leaves its claim to expire; the next sweep sends the notice again, with the same Message-ID.
A refusal 4xx and an unreachable server are retried with backoff; a 5xx parks the notice as
failed for staff to see and resend. With no SMTP_HOST the mail is written to .eml files instead.
"""
from __future__ import annotations

import logging
import re
import secrets
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update

from portal.database import utcnow
from portal.extensions import db
from portal.notices import emails, links, rules
from portal.notices.models import Notice, NoticeStatus
from portal.notices.rules import Channel, Outcome

log = logging.getLogger("portal.notices")


class Refused(Exception):
    """The mail server answered this message with an error code."""

    def __init__(self, code: int, text: str):
        self.code, self.text = code, text
        super().__init__(f"{code} {text}")


class Unreachable(Exception):
    """No conversation with the mail server: down, refusing connections, timing out, or rejecting our login."""


@dataclass
class Claimed:
    """A notice claimed for sending, copied out of the session so no transaction stays open."""

    id: int
    claim: str
    attempts: int
    message: EmailMessage | None  # None: it cannot be built (see problem)
    recipient: str
    label: str
    problem: str = ""


@dataclass
class SweepReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    unreachable: bool = False


def sweep(*, now: datetime | None = None, limit: int = 200) -> SweepReport:
    """Sends the email notices that are due (new, due for a retry, or claimed by a worker that died).

    Commits its own short transactions; call it outside any request. `now` fixes the clock (tests);
    otherwise each claim reads it afresh. Stops early when the mail server cannot be reached: the
    rest wait for the next sweep.
    """
    clock = (lambda: now) if now is not None else utcnow
    report = SweepReport()
    transport = transport_for(current_app)
    try:
        for _ in range(limit):
            claimed = claim_next(now=clock())
            if claimed is None:
                break
            if claimed.message is None:
                _record(claimed, Outcome.PARK, error=claimed.problem, now=clock(), report=report)
                continue
            try:
                transport.send(claimed.message, recipient=claimed.recipient, label=claimed.label)
            except Refused as refused:
                outcome = rules.outcome_of_refusal(refused.code, attempts=claimed.attempts,
                                                   max_attempts=current_app.config["NOTICE_MAX_ATTEMPTS"])
                _record(claimed, outcome, error=str(refused), now=clock(), report=report)
            except Unreachable as error:
                _record(claimed, Outcome.RETRY, error=f"Mail server unreachable: {error}", now=clock(), report=report)
                report.unreachable = True
                break
            else:
                _record(claimed, Outcome.SENT, error="", now=clock(), report=report)
    finally:
        transport.close()
    return report


def _due(now: datetime):
    return and_(Notice.channel == Channel.EMAIL, or_(
        and_(Notice.status == NoticeStatus.PENDING, Notice.next_attempt_at <= now),
        and_(Notice.status == NoticeStatus.SENDING, Notice.lease_until <= now)))


def claim_next(*, now: datetime) -> Claimed | None:
    """Claims the next due email for this worker until the lease ends, and commits the claim.

    Two workers may pick the same row; the guarded UPDATE lets one of them have it.
    """
    lease = timedelta(seconds=current_app.config["NOTICE_LEASE_SECONDS"])
    try:
        for _ in range(5):  # lost races: another worker took the row we picked
            notice_id = db.session.scalar(select(Notice.id).where(_due(now))
                                          .order_by(Notice.next_attempt_at, Notice.id).limit(1))
            if notice_id is None:
                db.session.commit()
                return None
            claim = secrets.token_hex(16)
            taken = db.session.execute(
                update(Notice).where(Notice.id == notice_id, _due(now))
                .values(status=NoticeStatus.SENDING, lease_until=now + lease, claim=claim,
                        attempts=Notice.attempts + 1)
                .execution_options(synchronize_session=False)).rowcount
            if taken == 1:
                notice = db.session.get(Notice, notice_id, populate_existing=True)
                claimed = _copy(notice, claim)
                db.session.commit()
                return claimed
            db.session.commit()
        return None
    except Exception:
        db.session.rollback()
        raise


def _copy(notice: Notice, claim: str) -> Claimed:
    about = f"order {notice.order_id}" if notice.order_id else f"person {notice.recipient_id}"
    label = f"notice {notice.id} ({notice.kind.value}, {about})"
    claimed = Claimed(notice.id, claim, notice.attempts, None, notice.to_address, label)
    try:
        claimed.message = emails.message(
            to_name=notice.to_name, to_address=notice.to_address, subject=notice.subject,
            message_id=notice.message_id, body_text=notice.body_text, body_html=notice.body_html,
            created_at=notice.created_at, kind=notice.kind.value,
            thread=emails.thread_id(notice.order_id) if notice.order_id else None,
            unsubscribe=links.unsubscribe_link(notice.recipient_id, notice.kind, now=notice.created_at))
    except emails.Undeliverable as error:
        claimed.problem = str(error)
    return claimed


def _record(claimed: Claimed, outcome: Outcome, *, error: str, now: datetime, report: SweepReport) -> None:
    """Records what happened to a claimed notice, if the claim is still ours."""
    values: dict = {"lease_until": None, "claim": None, "last_error": error[:2000]}
    if outcome == Outcome.SENT:
        values.update(status=NoticeStatus.SENT, sent_at=now)
        report.sent.append(claimed.id)
    elif outcome == Outcome.RETRY:
        wait = rules.backoff_seconds(claimed.attempts, base=current_app.config["NOTICE_BACKOFF_SECONDS"],
                                     cap=current_app.config["NOTICE_BACKOFF_MAX_SECONDS"])
        values.update(status=NoticeStatus.PENDING, next_attempt_at=now + timedelta(seconds=wait))
        report.retrying.append(claimed.id)
    else:
        values.update(status=NoticeStatus.FAILED)
        report.failed.append(claimed.id)
        log.warning("Parked %s as failed: %s", claimed.label, error)
    try:
        recorded = db.session.execute(
            update(Notice).where(Notice.id == claimed.id, Notice.claim == claimed.claim).values(**values)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if recorded != 1:  # our lease ran out and another worker claimed it: it will record its own try
        log.warning("Lost the claim on %s before recording %s", claimed.label, outcome.value)


SMTP_SECURITY = ("starttls", "ssl", "none")


class SmtpTransport:
    """One SMTP conversation per sweep, opened when the first message needs it."""

    def __init__(self, config):
        self.host, self.port = config["SMTP_HOST"], int(config["SMTP_PORT"])
        self.security = (config.get("SMTP_SECURITY") or "starttls").strip().lower()
        if self.security not in SMTP_SECURITY:
            # never fall back to plain text; production refuses to start with it (config.production_problems)
            raise ValueError(f'SMTP_SECURITY "{self.security}" is not one of {", ".join(SMTP_SECURITY)}: no mail is sent')
        self.username, self.password = config.get("SMTP_USERNAME"), config.get("SMTP_PASSWORD")
        self.timeout = config.get("SMTP_TIMEOUT", 30)
        self.sender = emails.sender().addr_spec
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        try:
            if self.security == "ssl":
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                              context=ssl.create_default_context())
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    connection.starttls(context=ssl.create_default_context())
            if self.username:
                connection.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as error:  # refused, timed out, TLS or login failed
            raise Unreachable(f"{self.host}:{self.port}: {error}") from error
        return connection

    def send(self, message: EmailMessage, *, recipient: str, label: str) -> None:
        for retry_on_fresh_connection in (True, False):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = self._connect()
            try:
                self.connection.send_message(message, from_addr=self.sender, to_addrs=[recipient])
                log.info("Sent %s to %s", label, recipient)
                return
            except smtplib.SMTPRecipientsRefused as refused:
                code, text = next(iter(refused.recipients.values()))
                raise Refused(code, _text(text)) from None
            except smtplib.SMTPServerDisconnected as error:
                self.connection = None
                if not (reused and retry_on_fresh_connection):
                    raise Unreachable(str(error)) from error
            except smtplib.SMTPResponseException as refused:
                raise Refused(refused.smtp_code, _text(refused.smtp_error)) from None
            except OSError as error:
                self.connection = None
                raise Unreachable(str(error)) from error

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.connection = None


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class SinkTransport:
    """No SMTP server configured (development): each email is written to an .eml file in MAIL_DIR."""

    def __init__(self, directory: Path):
        self.directory = directory

    def send(self, message: EmailMessage, *, recipient: str, label: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = "-".join(re.findall(r"[A-Za-z0-9_]+", label))
        path = self.directory / f"{message['Date'].datetime:%Y%m%d-%H%M%S}-{name}.eml"
        path.write_bytes(message.as_bytes())
        log.info("No SMTP_HOST: %s for %s written to %s", label, recipient, path)

    def close(self) -> None:
        pass


def mail_dir(app: Flask) -> Path:
    """Where mail goes when no SMTP server is configured: MAIL_DIR, else instance/mail."""
    return Path(app.config.get("MAIL_DIR") or Path(app.instance_path) / "mail")


def transport_for(app: Flask):
    """SMTP when SMTP_HOST is set; otherwise the local .eml sink (mail never goes nowhere)."""
    if app.config.get("SMTP_HOST"):
        return SmtpTransport(app.config)
    return SinkTransport(mail_dir(app))
