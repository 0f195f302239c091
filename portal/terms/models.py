"""A term of the university's calendar, as the shop plans course packs for it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, utcnow
from portal.extensions import db


class Term(db.Model):
    """A term as the manager names it ("Spring 2027", "Winter Intersession 2027"; course packs carry the name) and its first day of classes."""

    __tablename__ = "terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    first_day: Mapped[date] = mapped_column(Date, unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
