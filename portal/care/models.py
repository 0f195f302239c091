"""Cases (a customer's problem with an order, owned by one staff member), their thread of entries, and who
owns a department's cases or is on duty."""
from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Department, User
from portal.care.rules import Cause, CaseState, EntryKind
from portal.database import UTCDateTime, enum_column, utcnow
from portal.documents.models import StoredFile
from portal.extensions import db
from portal.orders.models import Order


class Case(db.Model):
    """One problem with one order. `owner` is never empty: a hand-off replaces it and writes why."""

    __tablename__ = "care_cases"
    __table_args__ = (Index("ix_care_cases_owner_state_due", "owner_id", "state", "response_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(16), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cause: Mapped[Cause] = mapped_column(enum_column(Cause))
    problem: Mapped[str] = mapped_column(Text)
    wanted: Mapped[str] = mapped_column(Text, default="")  # what would make it right, in the customer's words
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState), default=CaseState.OPEN)
    version: Mapped[int] = mapped_column(Integer, default=1)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # owner and manager told it is nearly due
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    made_right: Mapped[bool | None] = mapped_column(Boolean)  # the customer's answer, once resolved
    reprint_offered: Mapped[bool] = mapped_column(Boolean, default=False)
    reprint_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    # The customer's link to the case (signed, expiring): random, never derived from the id.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(24))

    order: Mapped[Order] = relationship(foreign_keys=[order_id])
    reprint_order: Mapped[Order | None] = relationship(foreign_keys=[reprint_order_id])
    customer: Mapped[User] = relationship(foreign_keys=[customer_id])
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    department: Mapped[Department | None] = relationship()
    file: Mapped[StoredFile | None] = relationship()
    entries: Mapped[list[CaseEntry]] = relationship(back_populates="case", order_by="(CaseEntry.at, CaseEntry.id)",
                                                    cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class CaseEntry(db.Model):
    """One line of a case's thread: a message, a hand-off and why, a remedy, a change of state."""

    __tablename__ = "care_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("care_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_customer: Mapped[bool] = mapped_column(Boolean, default=False)
    public: Mapped[bool] = mapped_column(Boolean, default=True)  # False: the shop's own (production notes)
    body: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="entries")
    author: Mapped[User | None] = relationship()


class DepartmentOwner(db.Model):
    """The staff member who owns a department's cases (the manager sets it)."""

    __tablename__ = "care_department_owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    department: Mapped[Department] = relationship()
    staff: Mapped[User] = relationship()


class DutyTurn(db.Model):
    """From `starts_on`, `staff` is on duty for cases no department owner takes (until the next turn)."""

    __tablename__ = "care_duty_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date, index=True)

    staff: Mapped[User] = relationship()


class OutsidePurchase(db.Model):
    """A print job a department bought from an outside printer (the purchasing office's file): what the shop
    did not get, for the share of print spend."""

    __tablename__ = "outside_purchases"
    __table_args__ = (Index("ix_outside_purchases_department_bought", "department_id", "bought_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    vendor: Mapped[str] = mapped_column(String(160))
    bought_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship()
