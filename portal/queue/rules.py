"""How a job moves through the shop. Pure: the job's facts in, a stage or a reason out.

The allowed moves are one table, MOVES: from each stage, the stages a job may go to. A move in
the table can still be refused by the job's facts (refusal()): a proof the customer has not
approved, course-pack readings whose copyright permission is pending, a pickup order that is
never shipped. Everything the board, the job page and the services need to know about moves is
asked here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.orders.models import OrderStatus as S
from portal.promises.rules import PROOF_ROUND_TRIP_DAYS, ready_by as days_before
from portal.shop.calendar import ShopCalendar
from portal.shop.delivery import DeliveryMethod

# The board's columns, in the order a job goes through them.
STAGES = (S.RECEIVED, S.PREPRESS, S.PRINTING, S.FINISHING, S.READY, S.SHIPPED, S.ON_HOLD)
FORWARD = (S.RECEIVED, S.PREPRESS, S.PRINTING, S.FINISHING, S.READY, S.SHIPPED, S.DELIVERED)
CLOSED = (S.DELIVERED, S.CANCELLED)

# The allowed moves: from each stage, where a job may go. The first is the usual next step.
MOVES: dict[S, tuple[S, ...]] = {
    S.AWAITING_APPROVAL: (S.CANCELLED,),
    S.RECEIVED: (S.PREPRESS, S.ON_HOLD, S.CANCELLED),
    S.PREPRESS: (S.PRINTING, S.ON_HOLD, S.CANCELLED),
    S.PRINTING: (S.FINISHING, S.ON_HOLD, S.CANCELLED),
    S.FINISHING: (S.READY, S.ON_HOLD, S.CANCELLED),
    S.READY: (S.SHIPPED, S.DELIVERED, S.ON_HOLD, S.CANCELLED),
    S.SHIPPED: (S.DELIVERED,),
    # Back to the stage it was held from (refusal() checks which), or cancelled.
    S.ON_HOLD: (S.RECEIVED, S.PREPRESS, S.PRINTING, S.FINISHING, S.READY, S.CANCELLED),
    S.DELIVERED: (),
    S.CANCELLED: (),
}


@dataclass(frozen=True)
class JobFacts:
    """What the rules need to know about a job."""

    status: S
    delivery_method: DeliveryMethod = DeliveryMethod.CAMPUS
    needs_proof: bool = False
    proof: str | None = None  # None: no proof sent; "waiting", "approved" or "changes_requested"
    pending_readings: tuple[str, ...] = ()  # titles of readings not cleared yet (pending, awaiting the shop, refused)
    held_from: S | None = None


def refusal(job: JobFacts, to: S) -> str | None:
    """Why the job may not move to `to`, in words for the staff member; None when it may."""
    if to not in MOVES[job.status]:
        return f"A job in {stage_label(job.status, job.delivery_method)} cannot move to " \
               f"{stage_label(to, job.delivery_method)}."
    if job.status == S.ON_HOLD and to != S.CANCELLED and to != (job.held_from or S.RECEIVED):
        return f"This job was held in {stage_label(job.held_from or S.RECEIVED, job.delivery_method)}: " \
               f"it goes back there."
    if to == S.PRINTING and job.pending_readings:
        count = len(job.pending_readings)
        titles = "; ".join(job.pending_readings)
        return (f"Copyright permission is pending for {count} reading{'s' if count != 1 else ''} "
                f"({titles}). It cannot be printed until permission is cleared.")
    if to == S.PRINTING and job.needs_proof and job.proof != "approved":
        return {None: "This job needs a proof: upload one and wait for the customer to approve it.",
                "waiting": "The customer has not answered the proof yet.",
                "changes_requested": "The customer asked for changes: upload a new proof."}[job.proof]
    if to == S.SHIPPED and job.delivery_method == DeliveryMethod.PICKUP:
        return "This order is picked up at the shop: mark it picked up instead."
    if to == S.DELIVERED and job.status == S.READY and job.delivery_method != DeliveryMethod.PICKUP:
        return "Send it out on a campus run or ship it first."
    return None


def allowed_moves(job: JobFacts) -> list[S]:
    return [to for to in MOVES[job.status] if refusal(job, to) is None]


def next_stage(job: JobFacts) -> S | None:
    """The usual next step: one click on the board. None when the job is closed."""
    if job.status == S.ON_HOLD:
        return job.held_from or S.RECEIVED
    if job.status == S.READY:
        return S.DELIVERED if job.delivery_method == DeliveryMethod.PICKUP else S.SHIPPED
    if job.status in (S.SHIPPED,):
        return S.DELIVERED
    moves = MOVES[job.status]
    return moves[0] if moves and moves[0] in FORWARD else None


def needs_details(job: JobFacts, to: S) -> tuple[str, ...]:
    """The form fields a move needs (empty: one click does it)."""
    if to == S.ON_HOLD:
        return ("reason",)
    if to == S.SHIPPED and job.delivery_method == DeliveryMethod.CARRIER:
        return ("carrier", "tracking_number")
    if to == S.DELIVERED:
        return ("received_by",)
    return ()


def stage_label(status: S, delivery_method: DeliveryMethod = DeliveryMethod.CAMPUS) -> str:
    """The stage as the shop says it for this kind of delivery."""
    if status == S.READY:
        return "Ready for pickup" if delivery_method == DeliveryMethod.PICKUP else "Ready"
    if status == S.SHIPPED:
        return "Out for delivery" if DeliveryMethod(delivery_method).on_campus_run else "Shipped"
    if status == S.DELIVERED and delivery_method == DeliveryMethod.PICKUP:
        return "Picked up"
    return status.label


def action_label(job: JobFacts, to: S) -> str:
    """The words on the button that makes this move."""
    if job.status == S.ON_HOLD and to != S.CANCELLED:
        return f"Resume in {stage_label(to, job.delivery_method)}"
    return {
        S.READY: "Mark ready for pickup" if job.delivery_method == DeliveryMethod.PICKUP else "Mark ready",
        S.SHIPPED: "Send out on campus run" if DeliveryMethod(job.delivery_method).on_campus_run else "Ship",
        S.DELIVERED: "Mark picked up" if job.delivery_method == DeliveryMethod.PICKUP else "Mark delivered",
        S.ON_HOLD: "Put on hold",
        S.CANCELLED: "Cancel job",
    }.get(to, f"Move to {stage_label(to, job.delivery_method)}")


def event_message(job: JobFacts, to: S, details: dict[str, str]) -> str:
    """The timeline line the customer reads for a move."""
    method = job.delivery_method
    if to == S.ON_HOLD:
        return f"On hold: {details.get('reason', '')}"
    if job.status == S.ON_HOLD and to != S.CANCELLED:
        return f"Back in {stage_label(to, method)}."
    if to == S.SHIPPED and method == DeliveryMethod.CARRIER:
        return f"Shipped by {details.get('carrier', '')}, tracking number {details.get('tracking_number', '')}."
    if to == S.DELIVERED:
        return f"{'Picked up' if method == DeliveryMethod.PICKUP else 'Delivered'}; received by {details.get('received_by', '')}."
    return {
        S.PREPRESS: "Files checked; in prepress.",
        S.PRINTING: "On the press.",
        S.FINISHING: "Printed; in finishing.",
        S.READY: "Ready for pickup at the shop." if method == DeliveryMethod.PICKUP else "Finished and packed, ready to go.",
        S.SHIPPED: "Out for delivery on today's campus run.",
        S.CANCELLED: "Cancelled by the shop.",
    }.get(to, f"Moved to {stage_label(to, method)}.")


def routing(*, needs_proof: bool, delivery_method: DeliveryMethod, product_kind: str, product_slug: str = "") -> list[tuple[str, str]]:
    """The stages a job goes through, each with the station that does it (printed on the job ticket)."""
    press = "Wide-format printer" if product_slug == "poster" else "Digital press"
    finishing = {"course_pack": "Bindery", "mailer": "Mail preparation: addressing, sorting"}.get(
        product_kind, "Bindery" if product_slug == "booklet" else "Trim and pack")
    steps = [("Received", "Checked in"),
             ("Prepress", "Preflight and imposition" + (", proof to the customer" if needs_proof else "")),
             ("Printing", press), ("Finishing", finishing)]
    if delivery_method == DeliveryMethod.PICKUP:
        steps += [("Ready for pickup", "Pickup shelf"), ("Picked up", "Counter, signed for")]
    elif delivery_method == DeliveryMethod.BOOKSTORE:
        steps += [("Ready", "Campus run staging, bundled"), ("Out for delivery", "Campus run to the bookstore"),
                  ("Delivered", "Bookstore receiving, signed for")]
    elif delivery_method == DeliveryMethod.CAMPUS:
        steps += [("Ready", "Campus run staging"), ("Out for delivery", "Campus delivery run"),
                  ("Delivered", "Signed for")]
    else:
        steps += [("Ready", "Shipping bench"), ("Shipped", "Carrier"), ("Delivered", "Carrier")]
    return steps


def flags(*, status: S, promise_date: date, expected_date: date, today: date) -> tuple[str, ...]:
    """What the queue highlights: late (promised before today), due today, at risk (expected after promised)."""
    if status in CLOSED:
        return ()
    found = []
    if promise_date < today:
        found.append("late")
    elif promise_date == today:
        found.append("due today")
    if expected_date > promise_date:
        found.append("at risk")
    return tuple(found)


@dataclass(frozen=True)
class ProofDelay:
    waited_days: int  # business days the customer took to answer
    extra_days: int  # past what the promise planned: the expected date moves by this
    expected_date: date


def expected_after_proof(*, expected_date: date, sent_on: date, answered_on: date, waited_before: int,
                         calendar: ShopCalendar) -> ProofDelay:
    """The expected date after the customer answers a proof.

    The promise planned PROOF_ROUND_TRIP_DAYS business days for the customer's answers, across all
    rounds of proofs. An answer that uses more than what is left of that allowance (after the
    `waited_before` days of earlier rounds) moves the expected date later by the extra business
    days. The promised date never moves: the customer's wait is shown against it.
    """
    waited = max(0, calendar.business_days_between(sent_on, answered_on))
    allowance = max(0, PROOF_ROUND_TRIP_DAYS - waited_before)
    extra = max(0, waited - allowance)
    moved = calendar.add_business_days(expected_date, extra) if extra else expected_date
    return ProofDelay(waited, extra, moved)


def proof_answer_by(*, sent_on: date, ready_by: date, waited_before: int, calendar: ShopCalendar) -> date:
    """The day the customer is asked to answer a proof by to keep the promised date ("approve by Tuesday").

    The promise planned PROOF_ROUND_TRIP_DAYS business days for the customer's answers across all rounds
    (less the `waited_before` days of earlier rounds), the work resuming on the last of them: so the answer
    is due by the close of the business day before, and no later than the business day before the job must
    be ready. A proof unanswered that evening is expected late at once (portal.keeping re-plans from the next
    day), so its customer is told of the delay a business day or more before the promise. Never before the
    day the proof is sent (a late proof: as soon as they can).
    """
    allowance = max(0, PROOF_ROUND_TRIP_DAYS - waited_before)
    planned = days_before(calendar.add_business_days(sent_on, allowance), transit_days=1, calendar=calendar)
    return max(sent_on, min(planned, days_before(ready_by, transit_days=1, calendar=calendar)))


def waiting_time(since: datetime, until: datetime) -> str:
    """How long someone has waited, in words: "3 hours", "2 days 4 hours", "under an hour"."""
    elapsed = max(until - since, timedelta(0))
    days, hours = elapsed.days, elapsed.seconds // 3600
    if not days and not hours:
        return "under an hour"
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts)
