"""People who sign in with their campus account (OpenID Connect): the first sign-in makes the person, with
no form, from what the campus says (name, email, department); later sign-ins find them by the issuer's
subject, never by email, so an email changed at the campus does not make a second person.
Services flush and never commit; the conversation with the campus is portal/accounts/sso.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.accounts import rules
from portal.accounts.models import CampusIdentity, Department, Membership, MemberRole, Role, User
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed


class Deactivated(NotAllowed):
    """A person the shop deactivated: the campus knows them, the portal no longer lets them in."""


@dataclass(frozen=True)
class ClaimNames:
    """Which claims carry the name, the email and the department (OIDC_*_CLAIM)."""

    name: str = "name"
    email: str = "email"
    department: str | None = None


@dataclass(frozen=True)
class CampusSignIn:
    person: User
    new: bool                  # first time here
    needs_department: bool     # in no department yet, and the campus did not name a known one


def sign_in(*, issuer: str, claims: dict, names: ClaimNames, now: datetime) -> CampusSignIn:
    """The person these verified claims are, made on their first sign-in.

    Raises ValidationFailed when the claims say nothing usable (no subject; for a new person, no
    email), Deactivated for a person the shop deactivated (nothing changes for them).
    """
    subject = rules.claim_text(claims, "sub")
    if not subject:
        raise ValidationFailed("The campus sign-in did not say who you are.")
    email = rules.normalize_email(rules.claim_text(claims, names.email))
    if email and rules.email_problem(email):
        email = ""
    identity = db.session.scalar(select(CampusIdentity).where(CampusIdentity.issuer == issuer,
                                                             CampusIdentity.subject == subject))
    new = False
    if identity is not None:
        person = identity.user
        if not person.active:
            raise Deactivated("campus sign-in")
        identity.last_signed_in_at = now
        _follow_campus(person, email=email, name=rules.claim_text(claims, names.name))
    else:
        if not email:
            raise ValidationFailed("The campus sign-in did not give us your email address, so we cannot make "
                                   "your account. Ask campus IT to release it to the print portal, or call the shop.")
        # Someone the shop already knows by this email (made by hand, or invited) is that person.
        person = db.session.scalar(select(User).where(User.email == email))
        if person is not None and not person.active:
            raise Deactivated("campus sign-in")
        if person is None:
            new = True
            person = User(email=email, name=rules.campus_name(claims, names.name, email), role=Role.CUSTOMER,
                          password_hash="", created_at=now)
            db.session.add(person)
            db.session.flush()
        db.session.add(CampusIdentity(user_id=person.id, issuer=issuer, subject=subject, created_at=now,
                                      last_signed_in_at=now))
    needs_department = _join_named_department(person, rules.claim_values(claims, names.department))
    db.session.flush()
    return CampusSignIn(person, new, needs_department)


def _follow_campus(person: User, *, email: str, name: str) -> None:
    """The campus is where names and emails change: follow it, unless the new email is someone else's."""
    if email and email != person.email and not db.session.scalar(
            select(User.id).where(User.email == email, User.id != person.id)):
        person.email = email
    if name:
        person.name = name[:120]


def _join_named_department(person: User, values: list[str]) -> bool:
    """Adds the person to the department the campus names, if known; True when they are in none after."""
    departments = [(d.id, d.name, d.code) for d in db.session.scalars(select(Department))]
    department_id = rules.matching_department(values, departments) if values else None
    member_of = set(db.session.scalars(select(Membership.department_id).where(Membership.user_id == person.id)))
    if department_id is not None and department_id not in member_of:
        db.session.add(Membership(user_id=person.id, department_id=department_id, role=MemberRole.MEMBER))
        member_of.add(department_id)
    return not member_of


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


def join_department(person: User, department_id) -> Department:
    """The one question a campus person may be asked: their department. Raises ValidationFailed on
    `department` for a choice that is not a department."""
    try:
        department = db.session.get(Department, int(department_id))
    except (TypeError, ValueError):
        department = None
    if department is None:
        raise ValidationFailed({"department": "Choose your department from the list."})
    if not db.session.scalar(select(Membership.id).where(Membership.user_id == person.id,
                                                        Membership.department_id == department.id)):
        db.session.add(Membership(user_id=person.id, department_id=department.id, role=MemberRole.MEMBER))
        db.session.flush()
    return department
