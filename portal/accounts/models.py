"""Users, departments and who belongs where; sign-in sessions and failed attempts."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import db


class Role(enum.StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    ADMIN = "admin"


class DepartmentKind(enum.StrEnum):
    ACADEMIC = "academic"
    ADMINISTRATIVE = "administrative"


class MemberRole(enum.StrEnum):
    MEMBER = "member"
    ADMINISTRATOR = "administrator"


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The campus's short code ("HIST"), which campus sign-in may send instead of the name.
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    kind: Mapped[DepartmentKind] = mapped_column(enum_column(DepartmentKind))
    mail_stop: Mapped[str | None] = mapped_column(String(40))

    memberships: Mapped[list[Membership]] = relationship(back_populates="department")

    def __repr__(self) -> str:
        return f"<Department {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.CUSTOMER)
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")
    campus_identities: Mapped[list[CampusIdentity]] = relationship(back_populates="user")

    # Set on the instance loaded for a request: the sign-in session it came with (Flask-Login id).
    session_token = None
    session_expires_at = None

    def get_id(self) -> str | None:
        return self.session_token

    # UserMixin compares users by get_id(); ours is the session token, so compare as rows instead.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def signs_in_with(self) -> str:
        """How this person gets in, in words (for the shop's People pages)."""
        ways = (["their campus account"] if self.campus_identities else []) + (
            ["email and password"] if self.password_hash else [])
        return ("With " + " or ".join(ways)) if ways else "Not yet: invited, no password chosen"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        """The shop manager: staff who also manage people (the People page)."""
        return self.role == Role.ADMIN

    @property
    def administered_departments(self) -> list[Department]:
        """The departments this person administers (their members and accounts), by name: one query."""
        return list(db.session.scalars(
            db.select(Department).join(Membership)
            .where(Membership.user_id == self.id, Membership.role == MemberRole.ADMINISTRATOR)
            .order_by(Department.name)))

    @property
    def first_name(self) -> str:
        """"Maya" for "Prof. Maya Okafor": titles ending in a full stop are skipped."""
        words = [word for word in self.name.split() if not word.endswith(".")]
        return words[0] if words else self.name

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(db.Model):
    """A customer belongs to one or more departments; an administrator manages its accounts."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole), default=MemberRole.MEMBER)

    user: Mapped[User] = relationship(back_populates="memberships")
    department: Mapped[Department] = relationship(back_populates="memberships")


class CampusIdentity(db.Model):
    """Who a person is at the campus sign-in: the issuer's subject, which stays when their email changes."""

    __tablename__ = "campus_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="campus_identities")


class LinkPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class AccountLink(db.Model):
    """A one-time emailed link to set a password: an invitation or a reset. Only a hash of the secret in
    the link is kept; the link works once, before expires_at."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class SignInSession(db.Model):
    """One signed-in browser. Signing in makes a new one (rotation); signing out deletes it."""

    __tablename__ = "sign_in_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    authenticated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignInFailure(db.Model):
    """A failed sign-in, counted per email address and per network address for throttling."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_email_at", "email", "at"),
                      Index("ix_sign_in_failures_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Preferences(db.Model):
    """What a customer usually wants: prefills the configurator and checkout, changeable per order."""

    __tablename__ = "preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # {option code: choice code}, e.g. {"stock": "recycled", "color": "bw", "sides": "double"};
    # applied to any product that offers that choice. The default address and budget account are
    # the defaults marked in the address book and among the accounts, not copied here.
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CustomerNote(db.Model):
    """Something the shop knows about a customer ("call before delivering"); staff only."""

    __tablename__ = "customer_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
