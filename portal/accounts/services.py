"""Signing in and out, and creating people. Services flush and never commit."""
from __future__ import annotations

import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts import rules
from portal.accounts.models import (
    CustomerNote, Department, Membership, MemberRole, Preferences, Role, SignInFailure, SignInSession, User,
)
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed, written
from portal.shop.paging import Page

hasher = PasswordHasher()  # argon2id
_DUMMY_HASH = hasher.hash("not a real password, used to even out timing")

REFUSED = "That email and password do not match an account. Check both and try again."
THROTTLED = "Too many attempts from here. Wait {wait} and try again, or call the shop."


def hash_password(password: str) -> str:
    return hasher.hash(password)


def authenticate(*, email: str, password: str, address: str, now: datetime) -> User:
    """The active user with this email and password; raises ValidationFailed with one generic message.

    Failures are recorded per email and network address. Past SIGN_IN_MAX_FAILURES for this email
    from this address, or four times as many from this address for any emails, the next attempt from
    here waits (rules.throttle_wait) and is refused until then with the same message whether or not
    the account exists. Failures from other addresses never hold back the right password.
    """
    email = rules.normalize_email(email)
    since = rules.throttle_window_start(now, current_app.config["SIGN_IN_WINDOW_MINUTES"])
    free = current_app.config["SIGN_IN_MAX_FAILURES"]
    recent = select(func.count(), func.max(SignInFailure.at)).where(SignInFailure.address == address,
                                                                   SignInFailure.at >= since)
    from_here_for_email = db.session.execute(recent.where(SignInFailure.email == email)).one()
    from_here = db.session.execute(recent).one()
    wait = max(rules.throttle_wait(*from_here_for_email, free=free, now=now),
               rules.throttle_wait(*from_here, free=4 * free, now=now))
    if wait:
        raise ValidationFailed(THROTTLED.format(wait=rules.wait_text(wait)))
    user = db.session.scalar(select(User).where(User.email == email))
    if not _password_matches(user.password_hash if user else _DUMMY_HASH, password) or not user or not user.active:
        db.session.add(SignInFailure(email=email, address=address, at=now))
        db.session.flush()
        raise ValidationFailed(REFUSED)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.execute(delete(SignInFailure).where(SignInFailure.email == email, SignInFailure.address == address))
    return user


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(user: User, *, now: datetime) -> str:
    """A new random session token for this browser (the session id rotates at every sign-in)."""
    token = secrets.token_urlsafe(32)
    db.session.add(SignInSession(token=token, user_id=user.id, created_at=now,
                                 authenticated_at=now, expires_at=now + rules.SESSION_LIFETIME))
    db.session.flush()
    user.session_token = token
    return token


def end_session(token: str | None) -> None:
    """Sign-out: the session is deleted, so a copy of the old cookie is dead too."""
    if token:
        db.session.execute(delete(SignInSession).where(SignInSession.token == token))


def load_session(token: str, *, now: datetime) -> User | None:
    """The user of a live session token, or None. One query per request."""
    row = db.session.execute(
        select(User, SignInSession.authenticated_at, SignInSession.expires_at)
        .join(SignInSession, SignInSession.user_id == User.id)
        .where(SignInSession.token == token, SignInSession.expires_at > now, User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, authenticated_at, expires_at = row
    user.session_token = token
    user.authenticated_at = authenticated_at
    user.session_expires_at = expires_at  # a page kept for this session is served no later (portal.web.page_cache)
    return user


def create_user(*, email: str, name: str, password: str, role: Role = Role.CUSTOMER,
                phone: str | None = None, departments: list[Department] = (),
                administers: list[Department] = ()) -> User:
    user = User(email=rules.normalize_email(email), name=name, role=role, phone=phone,
                password_hash=hash_password(password))
    db.session.add(user)
    for department in (d for d in departments if d not in administers):
        db.session.add(Membership(user=user, department=department, role=MemberRole.MEMBER))
    for department in administers:
        db.session.add(Membership(user=user, department=department, role=MemberRole.ADMINISTRATOR))
    db.session.flush()
    return user


def add_person(*, email: str, name: str, password: str, role: Role = Role.CUSTOMER) -> User:
    """A person who signs in with a password (the first admin, staff outside campus sign-on).
    Raises ValidationFailed on `email` (malformed or taken), `name` or `password`."""
    email = rules.normalize_email(email)
    name = " ".join((name or "").split())
    problems = {}
    problem = rules.email_problem(email)
    if problem is None and db.session.scalar(select(User.id).where(User.email == email)):
        problem = "Someone already has that email."
    if problem:
        problems["email"] = problem
    if not name:
        problems["name"] = "Enter the person's name."
    elif len(name) > 120:
        problems["name"] = "Use at most 120 characters."
    problem = rules.password_problem(password)
    if problem:
        problems["password"] = problem
    if problems:
        raise ValidationFailed(problems)
    return create_user(email=email, name=name, password=password, role=role)


def person_by_email(email: str) -> User:
    """Raises ValidationFailed on `email` when nobody has it."""
    person = db.session.scalar(select(User).where(User.email == rules.normalize_email(email)))
    if person is None:
        raise ValidationFailed({"email": "Nobody has that email."})
    return person


def set_role(person: User, role: Role) -> User:
    """Customer, staff or admin (the shop manager)."""
    person.role = role
    return person


def deactivate(person: User) -> User:
    """The person can no longer sign in, and every session they have ends now; their orders stay."""
    person.active = False
    db.session.execute(delete(SignInSession).where(SignInSession.user_id == person.id))
    return person


def department_names() -> dict[str, str]:
    """Every department's name, and its code when it has one, casefolded, mapped to its name: how files from
    the finance and purchasing offices (which write either) name a department."""
    names = {}
    for department in db.session.scalars(select(Department)):
        names[department.name.casefold()] = department.name
        if department.code:
            names[department.code.casefold()] = department.name
    return names


def departments_of(user: User) -> list[Department]:
    return list(db.session.scalars(
        select(Department).join(Membership).where(Membership.user_id == user.id).order_by(Department.name)))


def confirm_password(user: User, password: str, *, now: datetime) -> None:
    """Re-checks the password of a signed-in user and marks this session as freshly signed in.

    Raises ValidationFailed on `password`.
    """
    if not _password_matches(user.password_hash, password or ""):
        raise ValidationFailed({"password": "That is not your password. Try again."})
    db.session.execute(update(SignInSession).where(SignInSession.token == user.session_token)
                       .values(authenticated_at=now))
    user.authenticated_at = now


def require_recent_sign_in(user: User, *, now: datetime) -> None:
    """Changing email, password or a billing account needs a sign-in in the last 15 minutes."""
    if not rules.signed_in_recently(getattr(user, "authenticated_at", None), now):
        raise NotAllowed("recent sign-in")


def change_email(user: User, *, email: str, now: datetime) -> None:
    """Raises NotAllowed without a recent sign-in, ValidationFailed on `email` when taken or malformed."""
    require_recent_sign_in(user, now=now)
    email = rules.normalize_email(email)
    problem = rules.email_problem(email)
    if problem is None and db.session.scalar(select(User.id).where(User.email == email, User.id != user.id)):
        problem = "Another account uses that email. Call the shop if it should be yours."
    if problem:
        raise ValidationFailed({"email": problem})
    user.email = email


def change_password(user: User, *, current: str, new: str, now: datetime) -> None:
    """Every session of the user ends and this browser gets a new token (user.session_token: the caller
    signs the browser in with it). Raises NotAllowed without a recent sign-in, ValidationFailed on `current`
    or `new`."""
    require_recent_sign_in(user, now=now)
    if not _password_matches(user.password_hash, current or ""):
        raise ValidationFailed({"current": "That is not your current password."})
    problem = rules.password_problem(new)
    if problem:
        raise ValidationFailed({"new": problem})
    user.password_hash = hash_password(new)
    # Every signed-in browser is signed out, this one's old session too: it goes on with a new one.
    db.session.execute(delete(SignInSession).where(SignInSession.user_id == user.id))
    start_session(user, now=now)


def preferences_of(user: User) -> Preferences:
    """The customer's saved preferences (an unsaved empty set when there are none yet)."""
    return db.session.get(Preferences, user.id) or Preferences(user_id=user.id, options={})


def save_preferences(user: User, *, options: dict[str, str], offered: dict[str, set[str]]) -> Preferences:
    """Keeps the preferred choice for each option; a choice no product offers raises ValidationFailed."""
    kept = {code: choice for code, choice in options.items() if choice}
    unknown = {code for code, choice in kept.items() if choice not in offered.get(code, set())}
    if unknown:
        raise ValidationFailed({code: "Choose one of the listed choices." for code in unknown})
    preferences = db.session.get(Preferences, user.id)
    if preferences is None:
        preferences = Preferences(user_id=user.id)
        db.session.add(preferences)
    preferences.options = kept
    db.session.flush()
    return preferences


def customer_for_staff(customer_id: int) -> User:
    customer = db.session.get(User, customer_id)
    if customer is None:
        raise NotAllowed("customer")
    return customer


def notes_about(customer: User) -> list[CustomerNote]:
    return list(db.session.scalars(select(CustomerNote).where(CustomerNote.customer_id == customer.id)
                                   .options(joinedload(CustomerNote.author))
                                   .order_by(CustomerNote.created_at.desc())))


def add_note(*, customer: User, author: User, body: str, now: datetime) -> CustomerNote:
    """A staff note about a customer. Raises ValidationFailed on `body` when empty or too long."""
    body = written(body, field="body", limit=2000, missing="Write the note first.")
    note = CustomerNote(customer_id=customer.id, author_id=author.id, body=body, created_at=now)
    db.session.add(note)
    db.session.flush()
    return note


# People and department members

def _require_admin(user: User) -> None:
    """The People page and what it changes are the shop manager's (Role.ADMIN); raises NotAllowed otherwise."""
    if user.role != Role.ADMIN:
        raise NotAllowed("people")


def find_people(admin: User, *, search: str = "", page: int = 1, per_page: int = 25) -> Page:
    """Everyone whose name or email contains `search` (any case), by name, with their departments:
    two queries per page whatever the number of people. Raises NotAllowed unless `admin` is an admin."""
    _require_admin(admin)
    where = []
    search = " ".join((search or "").split()).lower()
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(or_(func.lower(User.name).like(f"%{escaped}%", escape="\\"),
                         User.email.like(f"%{escaped}%", escape="\\")))
    page = max(1, page)
    rows = list(db.session.scalars(
        select(User).where(*where).order_by(func.lower(User.name), User.id)
        .options(selectinload(User.memberships).joinedload(Membership.department))
        .limit(per_page + 1).offset((page - 1) * per_page)))
    return Page(rows[:per_page], page, per_page, has_next=len(rows) > per_page)


def person_for_admin(admin: User, person_id: int) -> User:
    """Anyone, for the shop's admin; raises NotAllowed for everyone else, or when there is no such person."""
    _require_admin(admin)
    person = db.session.get(User, person_id)
    if person is None:
        raise NotAllowed("person")
    return person


def memberships_of(person: User) -> list[Membership]:
    """The person's departments (and whether they administer each), by department name."""
    return list(db.session.scalars(
        select(Membership).join(Department).where(Membership.user_id == person.id)
        .options(joinedload(Membership.department)).order_by(Department.name)))


def change_role(admin: User, person: User, role: str) -> User:
    """The admin makes someone a customer (no staff access), staff or admin. Raises NotAllowed unless
    `admin` is an admin; ValidationFailed on `role` when it is no role, or when an admin would remove
    their own admin access (so the shop never loses its last admin)."""
    _require_admin(admin)
    try:
        role = Role(role)
    except ValueError:
        raise ValidationFailed({"role": "Choose customer, staff or admin."}) from None
    problem = rules.role_change_problem(changing_self=person.id == admin.id, role_before=person.role,
                                        role_after=role)
    if problem:
        raise ValidationFailed({"role": problem})
    set_role(person, role)
    db.session.flush()
    return person


def deactivate_person(admin: User, person: User) -> User:
    """The admin stops someone signing in; their sessions end at once and their orders stay. Raises
    NotAllowed unless `admin` is an admin; ValidationFailed on `active` for the admin themself."""
    _require_admin(admin)
    problem = rules.deactivation_problem(changing_self=person.id == admin.id)
    if problem:
        raise ValidationFailed({"active": problem})
    deactivate(person)
    db.session.flush()
    return person


def reactivate(person: User) -> User:
    """The person can sign in again (with a new session: the old ones ended when they were deactivated)."""
    person.active = True
    return person


def reactivate_person(admin: User, person: User) -> User:
    """The admin lets a deactivated person sign in again. Raises NotAllowed unless `admin` is an admin."""
    _require_admin(admin)
    reactivate(person)
    db.session.flush()
    return person


def department_for_administration(user: User, department_id: int) -> Department:
    """A department whose members `user` may change: one they administer, or any for the shop's admin.
    Raises NotAllowed otherwise, or when there is no such department."""
    department = db.session.get(Department, department_id)
    if department is None:
        raise NotAllowed("department")
    if user.role != Role.ADMIN and db.session.scalar(select(Membership.id).where(
            Membership.department_id == department.id, Membership.user_id == user.id,
            Membership.role == MemberRole.ADMINISTRATOR)) is None:
        raise NotAllowed("department")
    return department


def members_of(department: Department) -> list[Membership]:
    """The department's members with their people, by name (administrators are members too)."""
    return list(db.session.scalars(
        select(Membership).join(User).where(Membership.department_id == department.id)
        .options(joinedload(Membership.user)).order_by(func.lower(User.name), User.id)))


def add_member(department: Department, *, email: str) -> User:
    """Someone who already has an account becomes a member of the department. Which budget accounts
    they may charge stays with the accounts. Raises ValidationFailed on `email` when it is empty,
    nobody has it, or they are a member already."""
    email = rules.normalize_email(email)
    if not email:
        raise ValidationFailed({"email": "Enter the email of the person to add."})
    person = db.session.scalar(select(User).where(User.email == email))
    if person is None:
        raise ValidationFailed({"email": "Nobody has that email yet."})
    if db.session.scalar(select(Membership.id).where(Membership.department_id == department.id,
                                                     Membership.user_id == person.id)) is not None:
        raise ValidationFailed({"email": f"{person.name} is already a member of {department.name}."})
    db.session.add(Membership(user_id=person.id, department_id=department.id, role=MemberRole.MEMBER))
    db.session.flush()
    return person


def remove_member(actor: User, department: Department, *, user_id: int) -> User:
    """Takes someone out of the department; the budget accounts they may charge stay as they are.
    Raises NotAllowed when they are not a member; ValidationFailed on `member` when the actor would
    remove themself as the department's only administrator."""
    membership = db.session.scalar(select(Membership).where(Membership.department_id == department.id,
                                                            Membership.user_id == user_id))
    if membership is None:
        raise NotAllowed("member")
    administrators = db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.department_id == department.id, Membership.role == MemberRole.ADMINISTRATOR))
    problem = rules.member_removal_problem(removing_self=user_id == actor.id,
                                           is_administrator=membership.role == MemberRole.ADMINISTRATOR,
                                           administrators=administrators)
    if problem:
        raise ValidationFailed({"member": problem})
    person = membership.user
    db.session.delete(membership)
    db.session.flush()
    return person
