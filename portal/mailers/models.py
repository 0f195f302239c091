"""Mailing lists on their way to becoming mailer orders, and the column mappings customers reuse."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalog.models import Product
from portal.database import UTCDateTime, utcnow
from portal.documents.models import StoredFile
from portal.extensions import db


class MailingList(db.Model):
    """An uploaded list and everything that turns it into pieces: how its columns map to the
    piece's fields, the rows dropped, the piece's design, and the proof the customer approved.

    The rows themselves are kept as a UTF-8 CSV under a generated name outside static/
    (portal.documents.storage); the counts are kept here so pages need not read the file.
    """

    __tablename__ = "mailing_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))

    # The file as accepted.
    original_name: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    source_format: Mapped[str] = mapped_column(String(20))  # utf-8, utf-8-sig, windows-1252, utf-16, xlsx
    headers: Mapped[list] = mapped_column(JSON, default=list)
    columns_key: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)

    # The columns mapped to fields ({field: column index}), rows dropped, and what the check found.
    mapping: Mapped[dict | None] = mapped_column(JSON)
    mapping_remembered: Mapped[bool] = mapped_column(default=False)
    dropped_rows: Mapped[list] = mapped_column(JSON, default=list)
    good_count: Mapped[int] = mapped_column(Integer, default=0)
    problem_counts: Mapped[dict] = mapped_column(JSON, default=dict)  # {kind: rows}

    # The piece's design: a headline, a message with {merge fields}, the return address, artwork.
    headline: Mapped[str] = mapped_column(String(120), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    return_address: Mapped[str] = mapped_column(Text, default="")
    artwork_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))

    # The latest proof built, and the approval (who, when, of what).
    proof_key: Mapped[str | None] = mapped_column(String(80))
    proof_fingerprint: Mapped[str | None] = mapped_column(String(64))
    proof_pages: Mapped[int | None] = mapped_column(Integer)
    approved_fingerprint: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when an order is placed with the list: from then on the list, design and proof stay as ordered.
    ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    product: Mapped[Product] = relationship()
    artwork: Mapped[StoredFile | None] = relationship()

    @property
    def is_mapped(self) -> bool:
        return bool(self.mapping)

    @property
    def has_design(self) -> bool:
        return bool(self.headline.strip() or self.message.strip())

    @property
    def problem_total(self) -> int:
        return self.row_count - len(self.dropped_rows or []) - self.good_count

    def design(self) -> dict[str, object]:
        return {"headline": self.headline, "message": self.message, "return_address": self.return_address,
                "artwork_file_id": self.artwork_file_id}


class ColumnMapping(db.Model):
    """A customer's mapping for a set of columns, offered again for the next list with the same ones."""

    __tablename__ = "mailer_column_mappings"
    __table_args__ = (UniqueConstraint("owner_id", "columns_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    columns_key: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
