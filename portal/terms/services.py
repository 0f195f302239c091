"""Terms as the shop keeps them, and the deadline to order for each. Flush, never commit."""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from portal.database import kept_in_app, kept_or_made
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed
from portal.promises.services import shop_calendar
from portal.shop.clock import shop_today
from portal.terms import rules
from portal.terms.models import Term


def terms() -> list[Term]:
    """Every term, the earliest first."""
    return list(db.session.scalars(select(Term).order_by(Term.first_day)))


def first_days() -> tuple[tuple[str, date], ...]:
    """Every term as (name, first day of classes), the earliest first: what the course-pack configurator lists
    (and checks, and dates the deadline by). Kept per process under the data version: each option changed in the
    configurator asks for it again."""
    return kept_or_made(db.session, kept_in_app("terms.first_days", KEPT_VERSIONS), "terms", lambda: tuple(
        (name, first_day) for name, first_day in db.session.execute(
            select(Term.name, Term.first_day).order_by(Term.first_day))))


KEPT_VERSIONS = 4


def term_by_id(term_id: int) -> Term:
    term = db.session.get(Term, term_id)
    if term is None:
        raise NotAllowed("term")
    return term


def term_named(name: str | None) -> Term | None:
    if not name:
        return None
    return db.session.scalar(select(Term).where(Term.name == name))


def order_days() -> int:
    """Business days before the first day of classes to order by (PORTAL_TERM_ORDER_DAYS, 15 by default)."""
    return current_app.config.get("TERM_ORDER_BUSINESS_DAYS", rules.DEFAULT_ORDER_DAYS)


def reminder_days() -> int:
    return current_app.config.get("TERM_REMINDER_BUSINESS_DAYS", rules.DEFAULT_REMINDER_DAYS)


def deadline(term: Term, *, now: datetime) -> rules.Deadline:
    """The deadline to order a course pack for `term`'s first day of classes, on the shop's calendar."""
    return _deadline(term.name, term.first_day, now=now)


def _deadline(name: str, first_day: date, *, now: datetime) -> rules.Deadline:
    return rules.deadline(name, first_day, today=shop_today(now), calendar=shop_calendar(first_day),
                          business_days=order_days())


def deadline_for(name: str | None, *, now: datetime) -> rules.Deadline | None:
    """The deadline for the term of this name (as a course pack names it), or None when the shop has not
    given that term's first day."""
    first_day = dict(first_days()).get(name) if name else None
    return _deadline(name, first_day, now=now) if first_day else None


def coming_term(*, now: datetime) -> Term | None:
    """The next term whose classes have not started yet."""
    return rules.coming_term(terms(), shop_today(now))


def term_before(term: Term) -> Term | None:
    return rules.term_before(terms(), term)


def save_term(term: Term | None, *, name: str, first_day: date | None) -> Term:
    """Adds a term (`term` None) or changes one. Raises ValidationFailed (name, first_day) for a name that is
    not like "Spring 2027", a missing day, or a name or first day another term already has."""
    name = rules.clean_name(name)
    problems = {}
    problem = rules.name_problem(name)
    if problem:
        problems["name"] = problem
    else:
        same = db.session.scalar(select(Term).where(Term.name == name))
        if same is not None and same is not term:
            problems["name"] = f"{name} is already on the list: change it there."
    if first_day is None:
        problems["first_day"] = "Enter the first day of classes, like 2027-01-25."
    else:
        clash = db.session.scalar(select(Term).where(Term.first_day == first_day))
        if clash is not None and clash is not term:
            problems["first_day"] = f"{clash.name} already starts that day."
    if problems:
        raise ValidationFailed(problems)
    if term is None:
        term = Term(name=name, first_day=first_day)
        db.session.add(term)
    else:
        term.name, term.first_day = name, first_day
    db.session.flush()
    return term


def remove_term(term: Term) -> None:
    """Takes a term off the list (course packs keep the term's name; only its deadline is no longer shown)."""
    db.session.delete(term)
    db.session.flush()
