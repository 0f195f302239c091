"""One-time emailed links that let a person set a password: invitations for people without a campus
account, and password resets. Only a hash of each link's secret is stored; a link works once, before it
expires, and setting a password with it ends every other session of that person. The email itself is
the notices' business (accounts.events.link_issued). Services flush and never commit."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from portal.accounts import events, rules
from portal.accounts.models import (
    AccountLink, CampusIdentity, Department, LinkPurpose, Membership, MemberRole, Role, SignInSession, User,
)
from portal.accounts.services import hash_password
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed
from portal.web.navigation import absolute


class LinkClosed(Exception):
    """A link we made that no longer works (used, or expired): `problem` says which."""

    def __init__(self, problem: str, link: AccountLink):
        self.problem, self.link = problem, link
        super().__init__(problem)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(person: User, purpose: LinkPurpose, *, now: datetime, by: User | None = None) -> str:
    """Makes a one-time link for `person` and announces it (the email goes out with the commit).
    Earlier links of theirs that were not used stop working. Returns the link's secret."""
    db.session.execute(update(AccountLink).where(AccountLink.user_id == person.id, AccountLink.used_at.is_(None))
                       .values(used_at=now))
    secret = secrets.token_urlsafe(32)
    lifetime = rules.INVITATION_LIFETIME if purpose == LinkPurpose.INVITATION else rules.RESET_LIFETIME
    link = AccountLink(user_id=person.id, purpose=purpose, secret_hash=_hash(secret), created_at=now,
                       expires_at=now + lifetime, created_by_id=by.id if by else None)
    db.session.add(link)
    db.session.flush()
    events.link_issued.send(link, secret=secret, url=absolute("accounts.welcome", secret=secret), now=now)
    return secret


def _for_the_shop(inviter: User | None) -> bool:
    """Staff, and the command line (no inviter), invite anyone into any department."""
    return inviter is None or inviter.is_staff


def invitable_departments(inviter: User | None) -> list[Department]:
    """Where `inviter` may add the people they invite: every department for staff, else the ones they administer."""
    query = select(Department).order_by(Department.name)
    if not _for_the_shop(inviter):
        query = query.join(Membership).where(Membership.user_id == inviter.id,
                                             Membership.role == MemberRole.ADMINISTRATOR)
    return list(db.session.scalars(query))


def may_invite(inviter: User) -> bool:
    return _for_the_shop(inviter) or bool(invitable_departments(inviter))


def invite(*, inviter: User | None, email: str, name: str, department_id, now: datetime) -> User:
    """Invites someone without a campus account (an outside partner, a retired professor): they get an
    emailed link, good for a few days, to set a password, and join the chosen department.

    Staff (and the command line, inviter None) may invite into any department or none; a department
    administrator only into theirs.
    Inviting again someone who never set a password sends a fresh link. Raises NotAllowed for anyone
    else, ValidationFailed on `email`, `name` or `department`.
    """
    choices = {department.id: department for department in invitable_departments(inviter)}
    if not _for_the_shop(inviter) and not choices:
        raise NotAllowed("invite")
    email = rules.normalize_email(email)
    name = " ".join((name or "").split())
    problems = {}
    problem = rules.email_problem(email)
    person = db.session.scalar(select(User).where(User.email == email)) if problem is None else None
    if person is not None and (person.password_hash or not person.active or _has_campus_identity(person)):
        problem = f"{person.name} already has an account with that email."
    if problem:
        problems["email"] = problem
    if not name and person is None:
        problems["name"] = "Enter the person's name."
    elif len(name) > 120:
        problems["name"] = "Use at most 120 characters."
    department = _chosen(department_id, choices)
    if department is None and (department_id not in (None, "") or not _for_the_shop(inviter)):
        problems["department"] = "Choose one of the listed departments."
    if problems:
        raise ValidationFailed(problems)
    if person is None:
        person = User(email=email, name=name, role=Role.CUSTOMER, password_hash="", created_at=now)
        db.session.add(person)
        db.session.flush()
    if department is not None and not db.session.scalar(select(Membership.id).where(
            Membership.user_id == person.id, Membership.department_id == department.id)):
        db.session.add(Membership(user_id=person.id, department_id=department.id, role=MemberRole.MEMBER))
    issue(person, LinkPurpose.INVITATION, now=now, by=inviter)
    return person


def _chosen(department_id, choices: dict[int, Department]) -> Department | None:
    try:
        return choices.get(int(department_id))
    except (TypeError, ValueError):
        return None


def _has_campus_identity(person: User) -> bool:
    return db.session.scalar(select(CampusIdentity.id).where(CampusIdentity.user_id == person.id)) is not None


def request_reset(email: str, *, now: datetime) -> None:
    """Sends a reset link to the active person with this email, if there is one: the caller says the same
    thing either way. At most RESETS_PER_HOUR a person in an hour (more are silently not sent)."""
    person = db.session.scalar(select(User).where(User.email == rules.normalize_email(email),
                                                  User.active.is_(True)))
    if person is None:
        return
    recent = db.session.scalar(select(func.count()).select_from(AccountLink).where(
        AccountLink.user_id == person.id, AccountLink.purpose == LinkPurpose.PASSWORD_RESET,
        AccountLink.created_at > now - timedelta(hours=1)))
    if recent >= rules.RESETS_PER_HOUR:
        return
    issue(person, LinkPurpose.PASSWORD_RESET, now=now)


def open_link(secret: str, *, now: datetime) -> AccountLink:
    """The link with this secret. Raises NotAllowed when there is none (or its person is deactivated),
    LinkClosed when it was used or has expired."""
    link = db.session.scalar(select(AccountLink).where(AccountLink.secret_hash == _hash(secret or "")))
    if link is None or not link.user.active:
        raise NotAllowed("account link")
    problem = rules.link_problem(used_at=link.used_at, expires_at=link.expires_at, now=now)
    if problem:
        raise LinkClosed(problem, link)
    return link


def set_password(secret: str, *, password: str, now: datetime) -> User:
    """Sets the person's password with a link, which is used up; every session they had ends.

    Raises ValidationFailed on `password`, NotAllowed / LinkClosed as open_link; two tabs sending the
    same link at once: one wins, the other is told the link was used.
    """
    link = open_link(secret, now=now)
    problem = rules.password_problem(password)
    if problem:
        raise ValidationFailed({"password": problem})
    taken = db.session.execute(update(AccountLink).where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
                               .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        raise LinkClosed(rules.link_problem(used_at=now, expires_at=link.expires_at, now=now), link)
    person = link.user
    person.password_hash = hash_password(password)
    db.session.execute(delete(SignInSession).where(SignInSession.user_id == person.id))
    db.session.flush()
    return person
