"""The queue's state changes and queries. Services flush and never commit.

Moves are guarded twice: the staff member says which stage they saw (a job that has moved since
raises Conflict), and Order.version is SQLAlchemy's version_id_col, so the UPDATE that moves a job
runs `WHERE version = <the version this transaction read>`; a concurrent writer that committed
first makes it match nothing, and that is a Conflict too. Nothing is overwritten silently.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.models import Department, Role, User
from portal.catalog.models import Product
from portal.documents import services as documents
from portal.extensions import db
from portal.failures import Conflict, NotAllowed, ValidationFailed, written
from portal.notices.services import announce
from portal.orders.models import Order, OrderEvent, OrderFile, OrderStatus
from portal.promises.models import OrderWork, Station
from portal.promises.services import job_moved, shop_calendar
from portal.shop.clock import shop_today
from portal.shop.paging import Page
from portal.queue import rules
from portal.queue.models import JobNote, Proof, ProofAnswer, Shipment, ShipmentKind
from portal.shop.delivery import DeliveryMethod

S = OrderStatus
LIMITS = {"reason": 200, "carrier": 40, "tracking_number": 60, "received_by": 120}
MISSING = {"reason": "Say why the job is on hold: the customer sees this.",
           "carrier": "Enter the carrier, like UPS or FedEx.",
           "tracking_number": "Enter the tracking number.",
           "received_by": "Enter who received it."}


def facts(order: Order) -> rules.JobFacts:
    """The job as the rules see it (uses the order's product, proofs and files)."""
    latest = order.proofs[-1] if order.proofs else None
    proof = None if latest is None else (latest.answer.value if latest.answer else "waiting")
    pending = tuple(f.title for f in order.files if f.copyright_status and f.copyright_status.blocks_printing)
    return rules.JobFacts(status=order.status, delivery_method=order.delivery_method,
                          needs_proof=order.product.needs_proof, proof=proof, pending_readings=pending,
                          held_from=order.held_from)


# Finding jobs.

@dataclass
class QueueFilters:
    """What the queue is narrowed to. `stage` is a status value, "open" (every open stage) or "closed"."""

    search: str = ""
    stage: str = "open"
    when: str = ""  # "", "due_today", "late", "at_risk"
    rush: bool = False
    product_id: int | None = None
    department_id: int | None = None
    assigned: str = ""  # "", "unassigned" or a staff member's id
    station_id: int | None = None  # jobs with work still to do at this workstation

    def args(self, **changes) -> dict:
        """The filters as query-string arguments (for links that keep them)."""
        values = {"q": self.search or None, "stage": self.stage if self.stage != "open" else None,
                  "when": self.when or None, "rush": "1" if self.rush else None,
                  "product": self.product_id, "department": self.department_id, "assigned": self.assigned or None,
                  "station": self.station_id}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


QUEUE_STATUSES = list(rules.STAGES)


def _where(filters: QueueFilters, today: date, *, with_stage: bool = True) -> list:
    where = []
    if with_stage:
        if filters.stage == "closed":
            where.append(Order.status.in_(rules.CLOSED))
        elif filters.stage in {s.value for s in rules.STAGES} | {s.value for s in rules.CLOSED}:
            where.append(Order.status == S(filters.stage))
        else:
            where.append(Order.status.in_(QUEUE_STATUSES))
    else:
        where.append(Order.status.in_(QUEUE_STATUSES))
    if filters.when == "due_today":
        where.append(Order.promise_date == today)
    elif filters.when == "late":
        where.append(Order.promise_date < today)
    elif filters.when == "at_risk":
        where.append(Order.expected_date > Order.promise_date)
    if filters.rush:
        where.append(Order.rush.is_(True))
    if filters.product_id:
        where.append(Order.product_id == filters.product_id)
    if filters.department_id:
        where.append(Order.department_id == filters.department_id)
    if filters.station_id:
        where.append(Order.id.in_(select(OrderWork.order_id).where(OrderWork.station_id == filters.station_id,
                                                                   OrderWork.done.is_(False))))
    if filters.assigned == "unassigned":
        where.append(Order.assigned_to_id.is_(None))
    elif filters.assigned.isdigit():
        where.append(Order.assigned_to_id == int(filters.assigned))
    search = " ".join(filters.search.split())
    if search:
        like = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        customers = select(User.id).where(or_(func.lower(User.name).like(like, escape="\\"),
                                              func.lower(User.email).like(like, escape="\\")))
        where.append(or_(Order.number.like(like, escape="\\"), func.lower(Order.title).like(like, escape="\\"),
                         Order.customer_id.in_(customers)))
    return where


def _row_options():
    return (joinedload(Order.customer), joinedload(Order.department), joinedload(Order.assigned_to),
            joinedload(Order.product), selectinload(Order.proofs), selectinload(Order.files))


# The order the shop works its jobs in (promises.rules.priority): rush first, as rush jobs are promised, then
# the day each must be ready by to keep its promise (a carrier job leaves days before its promised date).
ORDERING = (Order.rush.desc(), Order.ready_by, Order.id)


def stage_counts(filters: QueueFilters, *, today: date) -> dict[OrderStatus, int]:
    """Jobs in each open stage under the filters (but any stage). One query."""
    rows = db.session.execute(select(Order.status, func.count()).where(*_where(filters, today, with_stage=False))
                              .group_by(Order.status))
    counts = {status: 0 for status in rules.STAGES}
    counts.update({status: count for status, count in rows})
    return counts


def queue_page(filters: QueueFilters, *, today: date, page: int = 1, per_page: int = 25) -> Page:
    """The queue as a list in the order of work: rush first, then the soonest day to be ready by. Five queries."""
    where = _where(filters, today)
    total = db.session.scalar(select(func.count()).select_from(Order).where(*where))
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    # The page's ids first, from the queue index alone; then those jobs whole (sorting wide rows is slow).
    ids = list(db.session.scalars(select(Order.id).where(*where).order_by(*ORDERING)
                                  .limit(per_page).offset((page - 1) * per_page)))
    found = {order.id: order for order in db.session.scalars(
        select(Order).where(Order.id.in_(ids)).options(*_row_options())).unique()}
    return Page([found[i] for i in ids if i in found], page, per_page, has_next=page * per_page < total, total=total)


def board(filters: QueueFilters, *, today: date, per_stage: int = 8) -> dict[OrderStatus, list[Order]]:
    """The first jobs of each stage (in the order of work) for the board. Three queries."""
    ranked = select(Order.id, func.row_number().over(
        partition_by=Order.status, order_by=ORDERING).label("position")).where(
        *_where(filters, today, with_stage=False)).subquery()
    orders = db.session.scalars(select(Order).join(ranked, ranked.c.id == Order.id)
                                .where(ranked.c.position <= per_stage).options(*_row_options())
                                .order_by(*ORDERING)).unique()
    columns = {status: [] for status in rules.STAGES}
    for order in orders:
        columns[order.status].append(order)
    return columns


@dataclass
class FilterChoices:
    products: list[Product]
    departments: list[Department]
    staff: list[User]
    stations: list[Station]


def filter_choices() -> FilterChoices:
    """Products, departments, staff and workstations for the filter menus. Four queries."""
    return FilterChoices(
        list(db.session.scalars(select(Product).order_by(Product.position))),
        list(db.session.scalars(select(Department).order_by(Department.name))),
        staff_members(), list(db.session.scalars(select(Station).order_by(Station.position))))


def staff_members() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_([Role.STAFF, Role.ADMIN]),
                                                      User.active.is_(True)).order_by(User.name)))


def job(number: str) -> Order:
    """The job with everything its page shows; raises NotAllowed when there is none."""
    order = db.session.scalar(select(Order).where(Order.number == number).options(
        joinedload(Order.customer), joinedload(Order.department), joinedload(Order.product),
        joinedload(Order.assigned_to), joinedload(Order.shipment),
        selectinload(Order.files).selectinload(OrderFile.file),
        selectinload(Order.events).selectinload(OrderEvent.actor),
        selectinload(Order.proofs).options(joinedload(Proof.file), joinedload(Proof.sent_by),
                                           joinedload(Proof.answered_by))))
    if order is None:
        raise NotAllowed("job")
    return order


def jobs(numbers: list[str]) -> list[Order]:
    """Several jobs (for printing their tickets), in the order asked; unknown numbers are skipped."""
    found = {o.number: o for o in db.session.scalars(select(Order).where(Order.number.in_(numbers)).options(
        joinedload(Order.customer), joinedload(Order.department), joinedload(Order.product),
        selectinload(Order.files), selectinload(Order.proofs))).unique()}
    return [found[n] for n in dict.fromkeys(numbers) if n in found]


def notes(order: Order) -> list[JobNote]:
    return list(db.session.scalars(select(JobNote).where(JobNote.order_id == order.id)
                                   .options(joinedload(JobNote.author)).order_by(JobNote.at.desc(), JobNote.id.desc())))


def previous_orders(order: Order, limit: int = 6) -> list[Order]:
    """The customer's other orders, newest first."""
    return list(db.session.scalars(select(Order).where(Order.customer_id == order.customer_id, Order.id != order.id)
                                   .order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit)))


# Moving jobs.

def _clean_details(job_facts: rules.JobFacts, to: OrderStatus, details: dict[str, str]) -> dict[str, str]:
    wanted = rules.needs_details(job_facts, to)
    cleaned = {name: " ".join(str(details.get(name) or "").split()) for name in wanted}
    problems = {name: MISSING[name] for name, value in cleaned.items() if not value}
    problems.update({name: f"Use at most {LIMITS[name]} characters." for name, value in cleaned.items()
                     if name not in problems and len(value) > LIMITS[name]})
    if problems:
        raise ValidationFailed(problems)
    return cleaned


def move_job(order: Order, *, to: OrderStatus, seen: OrderStatus, actor: User, now: datetime,
             details: dict[str, str] | None = None) -> Order:
    """Moves the job to `to` and writes the timeline event, with who and when.

    `seen` is the stage the staff member was looking at: if the job has moved since, raises
    Conflict. Raises ValidationFailed with field "move" when the rules refuse the move (the reason
    says why), or on the detail fields a move needs (hold reason, carrier and tracking number, who
    received it). Announces ready for pickup, out for delivery, shipped and delivered.
    """
    if order.status != seen:
        raise Conflict("The job moved since you looked at it.")
    job_facts = facts(order)
    refused = rules.refusal(job_facts, to)
    if refused:
        raise ValidationFailed({"move": refused})
    cleaned = _clean_details(job_facts, to, details or {})
    _apply(order, job_facts, to, cleaned, actor=actor, now=now)
    order.events.append(OrderEvent(at=now, status=to, actor_id=actor.id,
                                   message=rules.event_message(job_facts, to, cleaned)))
    _flush_guarded()
    return order


def _apply(order: Order, job_facts: rules.JobFacts, to: OrderStatus, details: dict[str, str], *,
           actor: User, now: datetime) -> None:
    method = job_facts.delivery_method
    if to == S.ON_HOLD:
        order.held_from, order.hold_reason = order.status, details["reason"]
    elif order.status == S.ON_HOLD:
        order.held_from, order.hold_reason = None, None
    order.status = to
    job_moved(order, to=to)
    order.updated_at = now
    if to == S.READY or (to in (S.SHIPPED, S.DELIVERED) and order.ready_on is None):
        order.ready_on = shop_today(now)  # the day it left the stations: a pickup's promise is judged by it
    if to == S.READY and method == DeliveryMethod.PICKUP:
        announce(order, "ready_for_pickup", now=now, actor=actor)
    elif to == S.SHIPPED:
        shipment = _shipment(order)
        shipment.dispatched_at, shipment.dispatched_by_id = now, actor.id
        if DeliveryMethod(method).on_campus_run:
            shipment.kind, shipment.run_on = ShipmentKind.CAMPUS_RUN, shop_today(now)
            announce(order, "out_for_delivery", now=now, actor=actor)
        else:
            shipment.kind = ShipmentKind.CARRIER
            shipment.carrier, shipment.tracking_number = details["carrier"], details["tracking_number"]
            announce(order, "shipped", now=now, actor=actor, carrier=shipment.carrier,
                     tracking_number=shipment.tracking_number)
    elif to == S.DELIVERED:
        shipment = _shipment(order)
        shipment.received_by, shipment.delivered_at, shipment.delivered_by_id = details["received_by"], now, actor.id
        order.delivered_on = shop_today(now)
        announce(order, "delivered", now=now, actor=actor, received_by=shipment.received_by)


def _shipment(order: Order) -> Shipment:
    if order.shipment is None:
        kind = {DeliveryMethod.PICKUP: ShipmentKind.PICKUP, DeliveryMethod.CAMPUS: ShipmentKind.CAMPUS_RUN,
                DeliveryMethod.BOOKSTORE: ShipmentKind.CAMPUS_RUN}.get(
            order.delivery_method, ShipmentKind.CARRIER)
        order.shipment = Shipment(kind=kind)
    return order.shipment


def _flush_guarded() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("Someone else changed the job at the same moment.") from None


def what_changed(number: str, *, now: datetime) -> str:
    """What happened to a job since a staff member looked, and by whom, for a refused move."""
    order = db.session.scalar(select(Order).where(Order.number == number))
    latest = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id)
                               .options(joinedload(OrderEvent.actor))
                               .order_by(OrderEvent.at.desc(), OrderEvent.id.desc()).limit(1))
    stage = rules.stage_label(order.status, order.delivery_method)
    who = latest.actor.name if latest and latest.actor else "Someone"
    when = rules.waiting_time(latest.at, now) + " ago" if latest else "just now"
    said = f" ({latest.message})" if latest and latest.message else ""
    return (f"{who} changed this job {when}{said}. It is now in {stage}. "
            f"Nothing you sent was saved: check the job and try again.")


# Notes and assignment.

def add_note(order: Order, *, text: str, author: User, now: datetime) -> JobNote:
    """An internal note, for staff only. Raises ValidationFailed on "text" when empty or too long."""
    text = written(text, field="text", limit=4000, missing="Write the note first.")
    note = JobNote(order_id=order.id, author_id=author.id, at=now, text=text)
    db.session.add(note)
    db.session.flush()
    return note


def assign(order: Order, *, staff_id: int | None, actor: User, now: datetime) -> Order:
    """Gives the job to a staff member (or nobody); a staff-only timeline line records it.

    Raises ValidationFailed on "assigned_to" when the id is not an active staff member.
    """
    member = None
    if staff_id is not None:
        member = db.session.get(User, staff_id)
        if member is None or not member.is_staff or not member.active:
            raise ValidationFailed({"assigned_to": "Choose a member of the shop's staff."})
    if order.assigned_to_id == (member.id if member else None):
        return order
    order.assigned_to_id = member.id if member else None
    order.updated_at = now
    order.events.append(OrderEvent(at=now, actor_id=actor.id, public=False,
                                   message=f"Assigned to {member.name}." if member else "Unassigned."))
    _flush_guarded()
    return order


# Proofs.

def send_proof(order: Order, *, data: bytes, filename: str, message: str, actor: User, now: datetime) -> Proof:
    """Stores a proof PDF (checked like every upload) and sends it to the customer, asking for an answer
    by the day that keeps the promised date (rules.proof_answer_by).

    A job still in Received moves to Prepress. Raises ValidationFailed on "proof" when the file is
    refused or the job is past prepress. Announces "proof_ready".
    """
    if order.status not in (S.RECEIVED, S.PREPRESS):
        raise ValidationFailed({"proof": "Proofs are sent in prepress; this job is past that."})
    if len(message or "") > 2000:
        raise ValidationFailed({"message": "Use at most 2,000 characters."})
    stored = documents.store_pdf(actor, data=data, filename=filename, field="proof")
    today = shop_today(now)
    calendar = shop_calendar(today)
    waited_before = sum(max(0, calendar.business_days_between(shop_today(p.sent_at), shop_today(p.answered_at)))
                        for p in order.proofs if p.answered_at)
    proof = Proof(round=len(order.proofs) + 1, file_id=stored.id, message=(message or "").strip(),
                  sent_at=now, sent_by_id=actor.id,
                  answer_by=rules.proof_answer_by(sent_on=today, ready_by=order.ready_by, waited_before=waited_before,
                                                  calendar=calendar))
    order.proofs.append(proof)
    if order.status == S.RECEIVED:
        order.status = S.PREPRESS
        job_moved(order, to=S.PREPRESS)
    order.updated_at = now
    order.events.append(OrderEvent(at=now, status=order.status, actor_id=actor.id,
                                   message=f"Proof {proof.round} sent for your approval."))
    announce(order, "proof_ready", now=now, actor=actor, proof_round=proof.round)
    _flush_guarded()
    return proof


def proof_for(user: User, number: str, proof_id: int) -> Proof:
    """A proof its order's customer or staff may see; anyone else's raises NotAllowed."""
    proof = db.session.scalar(select(Proof).join(Order).where(Proof.id == proof_id, Order.number == number)
                              .options(joinedload(Proof.order), joinedload(Proof.file)))
    if proof is None or (proof.order.customer_id != user.id and not user.is_staff):
        raise NotAllowed("proof")
    return proof


def answer_proof(proof: Proof, *, customer: User, approved: bool, comment: str, now: datetime) -> Proof:
    """The customer approves the proof, or asks for changes with a comment.

    Approval moves the job on to Printing when the rules allow it. When the answer comes later
    than the promise planned for the proof round trip, the expected date moves later by the
    extra business days (rules.expected_after_proof), with a timeline line; the promised date
    never moves. Raises NotAllowed for anyone but the order's customer, ValidationFailed on
    "answer" when the proof was already answered or a newer one was sent, and on "comment" when
    changes are asked for without saying which.
    """
    order = proof.order
    if order.customer_id != customer.id:
        raise NotAllowed("proof")
    if proof.answer is not None:
        raise ValidationFailed({"answer": f"This proof was already {proof.answer.label.lower()}."})
    if proof is not order.proofs[-1] or order.status != S.PREPRESS:
        raise ValidationFailed({"answer": "A newer proof was sent, or the job has moved on: reload the page."})
    comment = written(comment, field="comment", limit=2000, missing=None if approved else "Say what should change.")
    proof.answer = ProofAnswer.APPROVED if approved else ProofAnswer.CHANGES_REQUESTED
    proof.comment, proof.answered_at, proof.answered_by_id = comment, now, customer.id
    said = f": “{comment}”" if comment else "."
    order.events.append(OrderEvent(at=now, status=None, actor_id=customer.id, message=(
        f"Proof {proof.round} approved{said}" if approved else f"Changes asked for on proof {proof.round}{said}")))
    _account_for_wait(order, proof, now=now)
    order.updated_at = now
    if approved and rules.refusal(facts(order), S.PRINTING) is None:
        order.status = S.PRINTING
        job_moved(order, to=S.PRINTING)
        order.events.append(OrderEvent(at=now, status=S.PRINTING, actor_id=customer.id,
                                       message="Proof approved: on the press."))
    _flush_guarded()
    return proof


def _account_for_wait(order: Order, proof: Proof, *, now: datetime) -> None:
    today = shop_today(now)
    calendar = shop_calendar(today)
    waited_before = sum(max(0, calendar.business_days_between(shop_today(p.sent_at), shop_today(p.answered_at)))
                        for p in order.proofs if p is not proof and p.answered_at)
    delay = rules.expected_after_proof(expected_date=order.expected_date, sent_on=shop_today(proof.sent_at),
                                       answered_on=today, waited_before=waited_before, calendar=calendar)
    proof.delay_days = delay.extra_days
    if delay.extra_days:
        order.expected_date = delay.expected_date
        days = f"{delay.extra_days} business day{'s' if delay.extra_days != 1 else ''}"
        order.events.append(OrderEvent(at=now, status=None, message=(
            f"The proof was answered {days} later than planned: now expected {delay.expected_date:%A, %B %-d}.")))


# Paperwork.

@dataclass
class RunStop:
    building: str
    orders: list[Order] = field(default_factory=list)


def campus_run(day: date) -> list[RunStop]:
    """The day's campus deliveries, by building (then room): what the run sheet lists."""
    orders = list(db.session.scalars(
        select(Order).join(Shipment).where(Shipment.kind == ShipmentKind.CAMPUS_RUN, Shipment.run_on == day)
        .options(joinedload(Order.customer), joinedload(Order.department), joinedload(Order.shipment))))
    orders.sort(key=lambda o: ((o.ship_to.get("building") or "").lower(), (o.ship_to.get("room") or "").lower(),
                               o.number))
    return [RunStop(building or "(no building)", list(group))
            for building, group in groupby(orders, key=lambda o: o.ship_to.get("building") or "")]
