"""The reminder to order course packs for the coming term: once per instructor per term, to each customer who
had a course pack last term and has not ordered one for the coming term yet, once its order deadline is near
(portal/terms: PORTAL_TERM_REMINDER_DAYS business days before it, never after). Through the outbox like every
notice; flush, never commit."""
from __future__ import annotations

from datetime import datetime

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.extensions import db
from portal.notices import emails
from portal.notices.models import Announcement
from portal.notices.rules import NoticeKind
from portal.notices.services import announce_to
from portal.orders.models import Order, OrderStatus
from portal.terms import rules as term_rules
from portal.terms import services as terms
from portal.terms.models import Term
from portal.web.navigation import absolute, path


def dedup_key(term: Term, person: User) -> str:
    return f"term-reminder-{term.name}-{person.id}"


def instructors_to_remind(term: Term, last: Term) -> dict[User, list[Order]]:
    """Customers with a course pack for `last` (not cancelled) and none yet for `term`, with last term's packs."""
    packs = db.session.scalars(select(Order).options(joinedload(Order.customer))
                       .where(Order.term == last.name, Order.course_code.is_not(None),
                              Order.status != OrderStatus.CANCELLED).order_by(Order.customer_id, Order.id))
    ordered = set(db.session.scalars(select(Order.customer_id).where(Order.term == term.name, Order.course_code.is_not(None),
                                                            Order.status != OrderStatus.CANCELLED)))
    theirs: dict[User, list[Order]] = {}
    for order in packs:
        if order.customer_id not in ordered and order.customer.active:
            theirs.setdefault(order.customer, []).append(order)
    if theirs:
        told = set(db.session.scalars(select(Announcement.dedup_key).where(
            Announcement.dedup_key.in_([dedup_key(term, person) for person in theirs]))))
        theirs = {person: orders for person, orders in theirs.items() if dedup_key(term, person) not in told}
    return theirs


def remind_instructors(*, now: datetime) -> list[Announcement]:
    """Writes the reminders that are due now (none outside the reminder window, or when the coming term or the
    one before it is not on the calendar); a repeat writes nothing. Returns the announcements written."""
    term = terms.coming_term(now=now)
    if term is None:
        return []
    due = terms.deadline(term, now=now)
    last = terms.term_before(term)
    if last is None or not term_rules.reminder_due(due, lead_days=terms.reminder_days()):
        return []
    written = []
    for person, packs in instructors_to_remind(term, last).items():
        announcement = announce_to(person, NoticeKind.TERM_REMINDER, dedup_key=dedup_key(term, person),
                                   content=_reminder_email(person, due, last, packs), now=now)
        if announcement is not None:
            written.append(announcement)
    return written


def _reminder_email(person: User, due: term_rules.Deadline, last: Term, packs: list[Order]) -> emails.Content:
    subject = f"Order your {due.term} course packs by {due.order_by:%A, %B} {due.order_by.day}"
    summary = (f"{due.term} classes start {due.first_day:%A, %B} {due.first_day.day}. "
               f"Reprint last term's pack{'s' if len(packs) != 1 else ''} in one step.")
    items = [dict(title=order.title, number=order.number, enrollment=order.enrollment or order.quantity,
                  reprint=absolute("orders.order", number=order.number) + f"#reorder-{order.number}")
             for order in packs]
    context = dict(subject=subject, headline=subject, summary=summary, recipient=person, due=due, last=last,
                   packs=items, catalog=absolute("catalog.index"), contact=emails.contact_name(None))
    return emails.Content(subject, summary, path("orders.history"),
                          render_template("notices/email/term_reminder.txt", **context),
                          render_template("notices/email/term_reminder.html", **context))
