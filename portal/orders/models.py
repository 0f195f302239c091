"""Orders (one job each), their files and their timeline."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Department, User
from portal.catalog.models import CopyrightStatus, Product
from portal.database import UTCDateTime, enum_column, utcnow
from portal.documents.models import StoredFile
from portal.extensions import db
from portal.shop.delivery import DeliveryMethod, MailClass
from portal.shop.stages import OrderStatus

if TYPE_CHECKING:
    from portal.mailers.models import MailingList  # a mailer order points at its list; mailers stand above orders


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_placed", "customer_id", "placed_at"),
        Index("ix_orders_queue", "status", "rush", "ready_by", "id"),  # the staff queue reads ids from it
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(16), unique=True)
    # Claimed in the same transaction as the order: a repeated submission finds it taken.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    source_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(160))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), default=OrderStatus.RECEIVED)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # What was ordered, as it was ordered.
    product_name: Mapped[str] = mapped_column(String(120))
    options: Mapped[dict] = mapped_column(JSON, default=dict)  # {option code: choice code}
    option_labels: Mapped[list] = mapped_column(JSON, default=list)  # [[option label, choice label]]
    quantity: Mapped[int] = mapped_column(Integer)
    pages_per_copy: Mapped[int] = mapped_column(Integer, default=1)
    rush: Mapped[bool] = mapped_column(Boolean, default=False)
    instructions: Mapped[str] = mapped_column(Text, default="")
    course_code: Mapped[str | None] = mapped_column(String(20))
    term: Mapped[str | None] = mapped_column(String(40))
    instructor: Mapped[str | None] = mapped_column(String(120))
    enrollment: Mapped[int | None] = mapped_column(Integer)
    # Delivered to the campus bookstore (DeliveryMethod.BOOKSTORE): what the bookstore charges a student for a
    # copy (cents, entered at checkout) and how many copies go in a bundle (the packing slip counts bundles).
    student_price_cents: Mapped[int | None] = mapped_column(Integer)
    copies_per_bundle: Mapped[int | None] = mapped_column(Integer)

    # The price charged.
    price_cents: Mapped[int] = mapped_column(Integer)
    price_lines: Mapped[list] = mapped_column(JSON, default=list)  # [[label, cents]]

    # Where it goes and who pays, as snapshots; the ids point back to what is on file.
    delivery_method: Mapped[DeliveryMethod] = mapped_column(enum_column(DeliveryMethod))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id", ondelete="SET NULL"))
    ship_to: Mapped[dict] = mapped_column(JSON, default=dict)
    billing_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("billing_accounts.id", ondelete="SET NULL"))
    billing: Mapped[dict] = mapped_column(JSON, default=dict)

    # Dates: what the customer needs, what the shop promised, what it now expects, what happened.
    need_by: Mapped[date | None] = mapped_column(Date)
    promise_date: Mapped[date] = mapped_column(Date)
    expected_date: Mapped[date] = mapped_column(Date)
    planned_date: Mapped[date | None] = mapped_column(Date)  # the plan alone, before the calibrated buffer
    at_risk_reason: Mapped[str | None] = mapped_column(String(240))  # set while expected_date > promise_date
    # The day the job must be ready to keep its promise (the promise less its transit, set at ordering): the
    # staff queue and the re-plan work jobs in this order, rush first. Rows written without an estimate
    # (bulk loads, fixtures) take the promised date.
    ready_by: Mapped[date] = mapped_column(Date, default=lambda context: context.get_current_parameters()["promise_date"])
    ready_on: Mapped[date | None] = mapped_column(Date)  # the day it was last made ready (a pickup: on the shelf)
    delivered_on: Mapped[date | None] = mapped_column(Date, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Direct mailers (issue 7): the list, how and when it is mailed, pieces and postage estimate.
    mailing_list_id: Mapped[int | None] = mapped_column(ForeignKey("mailing_lists.id", ondelete="SET NULL"))
    mail_class: Mapped[MailClass | None] = mapped_column(enum_column(MailClass))
    mail_date: Mapped[date | None] = mapped_column(Date)
    piece_count: Mapped[int | None] = mapped_column(Integer)
    postage_cents: Mapped[int | None] = mapped_column(Integer)
    mailing_list: Mapped[MailingList | None] = relationship()
    # Tracking without signing in (portal/notices): random, never derived from the id.
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(24))
    # The one-question satisfaction check after delivery: 1 (very dissatisfied) to 5 (very satisfied).
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    satisfaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)  # optional, in the customer's words

    customer: Mapped[User] = relationship(foreign_keys=[customer_id])
    department: Mapped[Department | None] = relationship()
    product: Mapped[Product] = relationship()
    files: Mapped[list[OrderFile]] = relationship(
        back_populates="order", order_by="OrderFile.position", cascade="all, delete-orphan")
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.at", cascade="all, delete-orphan")

    # The shop's queue (issue 5): who has the job, and why it is held (the stage it returns to).
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    hold_reason: Mapped[str | None] = mapped_column(String(200))
    held_from: Mapped[OrderStatus | None] = mapped_column(enum_column(OrderStatus, name="held_from_status"))
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status.is_open


class OrderFile(db.Model):
    """A file in an order, in order: a course pack's readings, or a job's artwork."""

    __tablename__ = "order_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    page_count: Mapped[int] = mapped_column(Integer)
    copyright_status: Mapped[CopyrightStatus | None] = mapped_column(enum_column(CopyrightStatus))
    # What the instructor declared with it: who granted permission, the fair-use reason, or the work to clear
    # (title, author, publisher, pages_used, total_pages). portal/copyright keeps the shop's side.
    copyright_details: Mapped[dict | None] = mapped_column(JSON)

    order: Mapped[Order] = relationship(back_populates="files")
    file: Mapped[StoredFile] = relationship()


class OrderEvent(db.Model):
    """One line of an order's timeline: a status change or something that happened, by whom."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[OrderStatus | None] = mapped_column(enum_column(OrderStatus))
    message: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    public: Mapped[bool] = mapped_column(Boolean, default=True)  # False: staff only

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

