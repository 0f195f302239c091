"""Tracking without signing in, and the satisfaction check after delivery: pages opened from an
email with a signed, expiring link to a random token. Services flush and never commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from portal.database import serialized
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed, written
from portal.notices import events, links, rules
from portal.notices.models import Announcement, TrackingLookup
from portal.notices.rules import NoticeKind
from portal.orders.models import Order, OrderStatus
from portal.shop.delivery import DeliveryMethod


class RateLimited(Exception):
    """Too many tracking lookups from one client address in the window."""


@dataclass(frozen=True)
class Step:
    at: datetime
    status: OrderStatus
    message: str


@dataclass(frozen=True)
class Tracking:
    """What anyone with the link may see: status, dates, the public timeline, carrier tracking.
    Never the address, the price or the billing account."""

    number: str
    title: str
    product_name: str
    status: OrderStatus
    promise_date: date
    expected_date: date
    delivered_on: date | None
    delivery_method: DeliveryMethod
    steps: list[Step]
    carrier: str | None = None
    tracking_number: str | None = None
    carrier_url: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status.is_open


def lookup(token: str, *, client: str, now: datetime) -> Tracking:
    """The tracking view of the order a link is for, counting the lookup against the client.

    Raises RateLimited when the client made too many lookups in the window (counted in the
    database, so across every process), NotAllowed for a wrong, forged or expired link.
    """
    window = timedelta(seconds=current_app.config["TRACKING_WINDOW_SECONDS"])
    client = (client or "unknown")[:64]
    serialized(db.session, f"tracking-lookups:{client}")  # count and insert as one, across servers
    recent = db.session.scalar(select(func.count()).select_from(TrackingLookup).where(
        TrackingLookup.client == client, TrackingLookup.at > now - window))
    if recent >= current_app.config["TRACKING_LOOKUPS_PER_WINDOW"]:
        raise RateLimited(client)
    db.session.add(TrackingLookup(client=client, at=now))
    db.session.flush()
    order = _order_for(token, purpose="tracking", max_age=links.days("TRACKING_LINK_DAYS"), now=now)
    return _tracking(order)


def _order_for(token: str, *, purpose: str, max_age: timedelta, now: datetime) -> Order:
    tracking_token = links.unsign(token, purpose=purpose, max_age=max_age, now=now)
    order = db.session.scalar(select(Order).where(Order.tracking_token == str(tracking_token))
                              .options(selectinload(Order.events)))
    if order is None:
        raise NotAllowed(purpose)
    return order


def _tracking(order: Order) -> Tracking:
    shipped = db.session.scalar(select(Announcement).where(
        Announcement.order_id == order.id, Announcement.kind == NoticeKind.SHIPPED)
        .order_by(Announcement.at.desc(), Announcement.id.desc()).limit(1))
    details = shipped.details if shipped else {}
    steps = [Step(event.at, event.status, event.message) for event in order.events
             if event.public and event.status is not None]
    return Tracking(number=order.number, title=order.title, product_name=order.product_name, status=order.status,
                    promise_date=order.promise_date, expected_date=order.expected_date,
                    delivered_on=order.delivered_on, delivery_method=order.delivery_method.label,
                    steps=sorted(steps, key=lambda step: step.at, reverse=True),
                    carrier=details.get("carrier"), tracking_number=details.get("tracking_number"),
                    carrier_url=rules.carrier_tracking_url(details.get("carrier"), details.get("tracking_number")))


def prune_lookups(*, now: datetime) -> int:
    """Forgets lookups older than the window (the sweep calls this)."""
    window = timedelta(seconds=current_app.config["TRACKING_WINDOW_SECONDS"])
    return db.session.execute(delete(TrackingLookup).where(TrackingLookup.at <= now - window)).rowcount


def satisfaction_order(token: str, *, now: datetime) -> Order:
    """The order a satisfaction link is for. Raises NotAllowed for a wrong or expired link."""
    return _order_for(token, purpose="satisfaction", max_age=links.days("SATISFACTION_LINK_DAYS"), now=now)


SATISFACTION_COMMENT_LIMIT = 2000


def record_satisfaction(order: Order, answer: str | int | None, *, now: datetime,
                        comment: str | None = None) -> list[dict]:
    """Records the answer to "how satisfied are you with this order?" (1 to 5) and an optional comment;
    a later answer replaces an earlier one (and its comment), and the domains listening
    (events.satisfaction_answered: care opens a case for a dissatisfied answer) act on it in this
    transaction. Returns what they did, in words ({"text", "url"}), for the thank-you page. Raises
    ValidationFailed (on `answer`, or `comment` past 2,000 characters) for anything else."""
    try:
        score = int(answer)
    except (TypeError, ValueError):
        score = None
    problems = {}
    if score not in rules.SATISFACTION_ANSWERS:
        problems["answer"] = "Choose one of the answers."
    try:
        said = written(comment, field="comment", limit=SATISFACTION_COMMENT_LIMIT)
    except ValidationFailed as refusal:
        problems.update(refusal.errors)
    if problems:
        raise ValidationFailed(problems)
    order.satisfaction, order.satisfaction_at, order.satisfaction_comment = score, now, said or None
    db.session.flush()
    return [told for _, told in events.satisfaction_answered.send(order, score=score, now=now) if told]
