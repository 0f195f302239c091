"""The shop's products: options and choices, quantity rules, pricing and production rules."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalog import rules
from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import db

RATE = Numeric(10, 3)  # cents, to a thousandth: 4.5¢ a page is 4.500


class CopyrightStatus(enum.StrEnum):
    """A course-pack reading's copyright status, as the configurator asks it and the order keeps it: the one
    summary every domain reads. The instructor declares one of DECLARED (the shop clears "awaiting
    clearance" readings, portal/copyright); the shop's answer makes it cleared or refused, and the
    instructor's choice after a refusal removed or linked in the learning system. PENDING is the old
    "permission pending" of orders placed before the shop cleared readings itself."""

    PUBLIC_DOMAIN = "public_domain"
    PERMISSION_OBTAINED = "permission_obtained"
    PENDING = "pending"
    FAIR_USE = "fair_use"
    AWAITING_CLEARANCE = "awaiting_clearance"
    CLEARED = "cleared_by_shop"
    REFUSED = "refused"
    REMOVED = "removed"
    LINKED = "linked_in_lms"

    @property
    def label(self) -> str:
        return {"public_domain": "Public domain", "permission_obtained": "Permission obtained",
                "pending": "Permission pending", "fair_use": "Fair use",
                "awaiting_clearance": "Awaiting clearance by the shop", "cleared_by_shop": "Cleared by the shop",
                "refused": "Permission refused", "removed": "Removed from the pack",
                "linked_in_lms": "Linked in the learning system instead"}[self.value]

    @property
    def blocks_printing(self) -> bool:
        """Printing waits while a reading is not cleared: pending, awaiting the shop, or refused and not yet decided."""
        return self in (CopyrightStatus.PENDING, CopyrightStatus.AWAITING_CLEARANCE, CopyrightStatus.REFUSED)

    @property
    def printed(self) -> bool:
        """False for a reading taken out of the pack (removed, or linked in the learning system instead)."""
        return self not in (CopyrightStatus.REMOVED, CopyrightStatus.LINKED)


# What the instructor declares for each reading in the configurator, in the order it is asked.
DECLARED_STATUSES = (CopyrightStatus.PUBLIC_DOMAIN, CopyrightStatus.PERMISSION_OBTAINED, CopyrightStatus.FAIR_USE,
                     CopyrightStatus.AWAITING_CLEARANCE)


class ProductKind(enum.StrEnum):
    COURSE_PACK = "course_pack"
    MAILER = "mailer"
    PRINT = "print"


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[ProductKind] = mapped_column(enum_column(ProductKind))
    summary: Mapped[str] = mapped_column(String(240), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Quantity rules.
    min_quantity: Mapped[int] = mapped_column(Integer, default=1)
    max_quantity: Mapped[int] = mapped_column(Integer, default=10000)
    quantity_step: Mapped[int] = mapped_column(Integer, default=1)
    default_quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_name: Mapped[str] = mapped_column(String(30), default="copy")
    # Pricing rules.
    default_pages: Mapped[int] = mapped_column(Integer, default=1)
    setup_cents: Mapped[int] = mapped_column(Integer, default=0)
    minimum_cents: Mapped[int] = mapped_column(Integer, default=0)  # the least a job is charged; 0: none
    per_copy_cents: Mapped[Decimal] = mapped_column(RATE, default=Decimal(0))
    per_page_cents: Mapped[Decimal] = mapped_column(RATE, default=Decimal(0))
    volume_breaks: Mapped[list] = mapped_column(JSON, default=list)  # [[min_quantity, percent_off], ...]
    rush_surcharge_percent: Mapped[int] = mapped_column(Integer, default=50)  # 0: no rush
    # Production rules (the estimate uses these; see portal/promises/rules.py).
    base_days: Mapped[int] = mapped_column(Integer, default=1)
    pages_per_day: Mapped[int] = mapped_column(Integer, default=50000)
    needs_proof: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_files: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when the product is retired: what a reorder of its past orders points to.
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))

    replaced_by: Mapped[Product | None] = relationship(remote_side="Product.id")
    options: Mapped[list[ProductOption]] = relationship(
        back_populates="product", order_by="ProductOption.position", cascade="all, delete-orphan")
    route: Mapped[list["RouteStep"]] = relationship(  # noqa: F821 (portal.promises.models)
        order_by="RouteStep.position", cascade="all, delete-orphan")

    @property
    def is_course_pack(self) -> bool:
        return self.kind == ProductKind.COURSE_PACK

    def rules(self) -> rules.ProductRules:
        """This product's pricing, quantity and production rules as plain values for the pure rules."""
        return rules.ProductRules(
            min_quantity=self.min_quantity, max_quantity=self.max_quantity,
            quantity_step=self.quantity_step, unit_name=self.unit_name,
            default_pages=self.default_pages, setup_cents=self.setup_cents, minimum_cents=self.minimum_cents,
            per_copy_cents=Decimal(self.per_copy_cents), per_page_cents=Decimal(self.per_page_cents),
            volume_breaks=tuple(tuple(b) for b in self.volume_breaks or ()),
            rush_surcharge_percent=self.rush_surcharge_percent,
            needs_proof=self.needs_proof,
        )


class ProductOption(db.Model):
    __tablename__ = "product_options"
    __table_args__ = (UniqueConstraint("product_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30))  # stock, color, sides, binding, finishing
    label: Mapped[str] = mapped_column(String(60))
    help: Mapped[str] = mapped_column(String(240), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="options")
    choices: Mapped[list[OptionChoice]] = relationship(
        back_populates="option", order_by="OptionChoice.position", cascade="all, delete-orphan")

    @property
    def default_choice(self) -> OptionChoice:
        return next((c for c in self.choices if c.is_default), self.choices[0])


class OptionChoice(db.Model):
    __tablename__ = "option_choices"
    __table_args__ = (UniqueConstraint("option_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("product_options.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    per_copy_cents: Mapped[Decimal] = mapped_column(RATE, default=Decimal(0))
    per_page_cents: Mapped[Decimal] = mapped_column(RATE, default=Decimal(0))
    per_sheet_cents: Mapped[Decimal] = mapped_column(RATE, default=Decimal(0))
    pages_per_sheet: Mapped[int | None] = mapped_column(Integer)  # set on the "sides" choices
    extra_days: Mapped[int] = mapped_column(Integer, default=0)

    option: Mapped[ProductOption] = relationship(back_populates="choices")

    def rules(self) -> rules.ChoiceRules:
        return rules.ChoiceRules(
            label=self.label, per_copy_cents=Decimal(self.per_copy_cents),
            per_page_cents=Decimal(self.per_page_cents), per_sheet_cents=Decimal(self.per_sheet_cents),
            pages_per_sheet=self.pages_per_sheet, extra_days=self.extra_days)


class CatalogChange(db.Model):
    """One change the shop made to its catalog: who, when, what (a product's or a station's field, in
    words) and its value before and after, as text. Never changed or deleted: the product's history."""

    __tablename__ = "catalog_changes"
    __table_args__ = (Index("ix_catalog_changes_product", "product_id", "id"),
                      Index("ix_catalog_changes_station", "station_code", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    station_code: Mapped[str | None] = mapped_column(String(30))  # a station's change (stations may be removed)
    field: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()
