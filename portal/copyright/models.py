"""The shop's side of copyright: each reading it was asked to clear (a request in the Copyright queue) and
the clearances it holds, remembered per work with the period they cover and their expiry."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.copyright.rules import ClearanceState
from portal.database import UTCDateTime, enum_column, utcnow
from portal.documents.models import StoredFile
from portal.extensions import db
from portal.orders.models import Order, OrderFile


class Clearance(db.Model):
    """Permission the shop holds to copy a work: reused for the same work (work_key) until it expires."""

    __tablename__ = "copyright_clearances"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_key: Mapped[str] = mapped_column(String(64), index=True)
    work_title: Mapped[str] = mapped_column(String(200))
    work_author: Mapped[str] = mapped_column(String(160), default="")
    work_publisher: Mapped[str] = mapped_column(String(160), default="")
    period: Mapped[str] = mapped_column(String(60))  # the term or period it covers
    expires_on: Mapped[date] = mapped_column(Date)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    document: Mapped[StoredFile | None] = relationship()
    granted_by: Mapped[User | None] = relationship()


class ClearanceRequest(db.Model):
    """One reading of one pack the instructor asked the shop to clear, and how the shop answered."""

    __tablename__ = "copyright_requests"
    __table_args__ = (Index("ix_copyright_requests_state", "state", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    order_file_id: Mapped[int] = mapped_column(ForeignKey("order_files.id", ondelete="CASCADE"), index=True)
    # The work, as the instructor described it.
    work_key: Mapped[str] = mapped_column(String(64), index=True)
    work_title: Mapped[str] = mapped_column(String(200))
    work_author: Mapped[str] = mapped_column(String(160), default="")
    work_publisher: Mapped[str] = mapped_column(String(160), default="")
    pages_used: Mapped[int | None] = mapped_column(Integer)
    total_pages: Mapped[int | None] = mapped_column(Integer)
    # The shop's work on it.
    state: Mapped[ClearanceState] = mapped_column(enum_column(ClearanceState), default=ClearanceState.AWAITING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_on: Mapped[date | None] = mapped_column(Date)  # the day the shop asked the rights holder
    fee_cents: Mapped[int | None] = mapped_column(Integer)  # the permission fee quoted
    notes: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    clearance_id: Mapped[int | None] = mapped_column(ForeignKey("copyright_clearances.id", ondelete="SET NULL"))
    reused: Mapped[bool] = mapped_column(Boolean, default=False)  # cleared at once by a clearance on file
    version: Mapped[int] = mapped_column(Integer, default=1)

    order: Mapped[Order] = relationship()
    reading: Mapped[OrderFile] = relationship()
    document: Mapped[StoredFile | None] = relationship()
    decided_by: Mapped[User | None] = relationship()
    clearance: Mapped[Clearance | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
