"""Month closes, credits on orders (adjustments), and the statement lines frozen when a month closes."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.orders.models import Order


class AdjustmentKind(enum.StrEnum):
    REPRINT = "reprint"
    REFUND = "refund"
    CORRECTION = "correction"

    @property
    def label(self) -> str:
        return {"reprint": "Reprint: the shop's mistake", "refund": "Partial refund",
                "correction": "Correction of a charge"}[self.value]


class LineKind(enum.StrEnum):
    CHARGE = "charge"
    CREDIT = "credit"


class MonthClose(db.Model):
    """A month the manager closed: its statements are the lines frozen with it, for good."""

    __tablename__ = "month_closes"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # "2026-11"; unique: a month closes once
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    charges_cents: Mapped[int] = mapped_column(Integer)
    credits_cents: Mapped[int] = mapped_column(Integer)

    closed_by: Mapped[User | None] = relationship()


class Adjustment(db.Model):
    """A credit on a charged order (a reprint for the shop's mistake, a partial refund), with its reason.
    It falls in the month it was made (`month`, always open then: a month closes only once it is over)."""

    __tablename__ = "adjustments"
    __table_args__ = (CheckConstraint("credit_cents > 0", name="credit_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    kind: Mapped[AdjustmentKind] = mapped_column(enum_column(AdjustmentKind))
    credit_cents: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()
    created_by: Mapped[User | None] = relationship()


class StatementLine(db.Model):
    """One line of a closed month's statements, copied at the close: what it says never changes, whatever
    happens later to the order, the account or the department. An order is charged on one month only."""

    __tablename__ = "statement_lines"
    __table_args__ = (
        Index("uq_statement_lines_one_charge", "order_id", unique=True,
              sqlite_where=text("kind = 'charge'"), postgresql_where=text("kind = 'charge'")),
        Index("ix_statement_lines_month_department", "month", "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[LineKind] = mapped_column(enum_column(LineKind))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("adjustments.id", ondelete="SET NULL"), unique=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id", ondelete="SET NULL"),
                                                           index=True)
    department_name: Mapped[str] = mapped_column(String(120))
    account_code: Mapped[str] = mapped_column(String(40))
    account_name: Mapped[str] = mapped_column(String(120))
    order_number: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(160))
    ordered_by: Mapped[str] = mapped_column(String(120))
    amount_cents: Mapped[int] = mapped_column(Integer)  # a charge is positive, a credit negative
    reason: Mapped[str] = mapped_column(Text, default="")
