"""Delivery addresses on file: campus building and room, pickup at the shop, or carrier shipping."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.shop.delivery import DeliveryMethod


class Address(db.Model):
    __tablename__ = "addresses"
    __table_args__ = (
        # At most one default per customer among the addresses not deleted.
        Index("uq_addresses_one_default", "user_id", unique=True,
              sqlite_where=text("is_default AND deleted_at IS NULL"),
              postgresql_where=text("is_default AND deleted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    kind: Mapped[DeliveryMethod] = mapped_column(enum_column(DeliveryMethod, name="addresskind"))
    recipient: Mapped[str] = mapped_column(String(120), default="")
    building: Mapped[str] = mapped_column(String(120), default="")
    room: Mapped[str] = mapped_column(String(40), default="")
    street1: Mapped[str] = mapped_column(String(120), default="")
    street2: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    FIELDS = ("label", "kind", "recipient", "building", "room", "street1", "street2",
              "city", "state", "postal_code", "phone")

    def snapshot(self) -> dict:
        """The address as an order keeps it, unchanged when the address book changes later."""
        return {field: str(getattr(self, field) or "") for field in self.FIELDS}
