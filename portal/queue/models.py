"""What the queue adds to an order: proofs the customer answers, staff notes, and how it left the shop."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.accounts.models import User
from portal.database import UTCDateTime, enum_column, utcnow
from portal.documents.models import StoredFile
from portal.extensions import db
from portal.orders.models import Order


class ProofAnswer(enum.StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"

    @property
    def label(self) -> str:
        return {"approved": "Approved", "changes_requested": "Changes requested"}[self.value]


class Proof(db.Model):
    """A proof PDF sent to the customer, and their answer: approved, or changes with a comment."""

    __tablename__ = "proofs"
    __table_args__ = (UniqueConstraint("order_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)  # 1 for the first proof, 2 after changes, ...
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    message: Mapped[str] = mapped_column(Text, default="")  # from the shop to the customer
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The day the customer is asked to answer by to keep the promised date (rules.proof_answer_by).
    answer_by: Mapped[date | None] = mapped_column(Date)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer: Mapped[ProofAnswer | None] = mapped_column(enum_column(ProofAnswer))
    comment: Mapped[str] = mapped_column(Text, default="")  # from the customer
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Business days the answer came after the planned round trip (moved the expected date by this).
    delay_days: Mapped[int] = mapped_column(Integer, default=0)

    order: Mapped[Order] = relationship(backref=backref("proofs", order_by="Proof.round",
                                                        cascade="all, delete-orphan"))
    file: Mapped[StoredFile] = relationship()
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_waiting(self) -> bool:
        return self.answer is None


class JobNote(db.Model):
    """An internal note on a job: for the shop's staff, never shown to the customer."""

    __tablename__ = "job_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()


class ShipmentKind(enum.StrEnum):
    PICKUP = "pickup"
    CAMPUS_RUN = "campus_run"
    CARRIER = "carrier"


class Shipment(db.Model):
    """How a finished job left the shop (picked up, a campus delivery run, a carrier) and who received it."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[ShipmentKind] = mapped_column(enum_column(ShipmentKind))
    carrier: Mapped[str] = mapped_column(String(40), default="")
    tracking_number: Mapped[str] = mapped_column(String(60), default="")
    run_on: Mapped[date | None] = mapped_column(Date, index=True)  # the campus delivery run's day
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    received_by: Mapped[str] = mapped_column(String(120), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    order: Mapped[Order] = relationship(backref=backref("shipment", uselist=False, cascade="all, delete-orphan"))
