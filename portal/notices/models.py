"""The outbox: what was announced about an order, the notices it produced for each person and
channel, notice preferences, approval requests, and tracking lookups (for rate limiting)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.notices.rules import KIND_LABELS, Channel, Decision, NoticeKind
from portal.orders.models import Order


class NoticeStatus(enum.StrEnum):
    PENDING = "pending"    # waiting for the worker (first try, or a retry after a temporary failure)
    SENDING = "sending"    # claimed by a worker until lease_until; due again if the worker died
    SENT = "sent"          # accepted by the mail server, written to the local sink, or shown in the portal
    FAILED = "failed"      # refused for good (5xx) or too many times: staff can resend

    @property
    def label(self) -> str:
        return {"pending": "Waiting to send", "sending": "Sending", "sent": "Sent",
                "failed": "Failed"}[self.value]


class Announcement(db.Model):
    """Something that happened to an order, announced once: the dedup key is unique."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for what is about a person rather than an order (an invitation, a password reset).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    # What tells two events of one kind apart (the new expected date of a delay, a digest of the details).
    occurrence: Mapped[str] = mapped_column(String(64), default="")
    dedup_key: Mapped[str] = mapped_column(String(120), unique=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order | None] = relationship()
    actor: Mapped[User | None] = relationship()
    notices: Mapped[list[Notice]] = relationship(back_populates="announcement", order_by="Notice.id")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


class Notice(db.Model):
    """One announcement for one person on one channel: an email to deliver, or a notice in the portal."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("announcement_id", "recipient_id", "channel"),
        Index("ix_notices_due", "channel", "status", "next_attempt_at"),
        Index("ix_notices_inbox", "recipient_id", "channel", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    # What was said, fixed when it was written: a resend is the same message.
    to_name: Mapped[str] = mapped_column(String(120), default="")
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(600), default="")  # where the portal notice leads (a path)
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str | None] = mapped_column(String(250), unique=True)
    # Delivery.
    status: Mapped[NoticeStatus] = mapped_column(enum_column(NoticeStatus), default=NoticeStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    announcement: Mapped[Announcement] = relationship(back_populates="notices")
    order: Mapped[Order | None] = relationship()
    recipient: Mapped[User] = relationship()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


class NoticePreference(db.Model):
    """A kind of notice someone turned off (or back on) on one channel; no row means it is on."""

    __tablename__ = "notice_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class ApprovalRequest(db.Model):
    """An order waiting for its billing account's approver; the emailed links carry its nonce and are
    good for one decision before expires_at."""

    __tablename__ = "approval_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision))
    reason: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship()
    approver: Mapped[User] = relationship()


class TrackingLookup(db.Model):
    """One look at a tracking page, by client address: counted across processes to rate-limit guessing."""

    __tablename__ = "tracking_lookups"
    __table_args__ = (Index("ix_tracking_lookups_client_at", "client", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
