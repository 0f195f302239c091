"""Clearing readings: requests opened when a pack is placed (a clearance on file reused at once), the
staff's work on them, the fee added to the price, and the instructor's choice after a refusal. Services
flush and never commit; they raise ValidationFailed (field → message), NotAllowed or Conflict."""
from __future__ import annotations

import math
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.models import User
from portal.billing import rules as billing_rules
from portal.billing.models import BillingAccount
from portal.catalog import rules as catalog_rules
from portal.catalog.models import CopyrightStatus
from portal.copyright import events, rules
from portal.copyright.models import Clearance, ClearanceRequest
from portal.copyright.rules import Choice, ClearanceState
from portal.documents import services as documents
from portal.extensions import db
from portal.failures import Conflict, NotAllowed, ValidationFailed, written
from portal.orders.models import Order, OrderEvent, OrderFile, OrderStatus
from portal.promises.rules import CLEARANCE_HISTORY
from portal.promises.services import clearance_days, job_moved
from portal.shop.clock import shop_today
from portal.shop.formats import day, money
from portal.shop.paging import Page

C = CopyrightStatus
# Where a fee above the account's threshold can still send the order back to its approver.
BEFORE_PRINTING = (OrderStatus.RECEIVED, OrderStatus.PREPRESS)


def on_order_placed(order: Order, *, waits: bool, now: datetime, actor: User) -> None:
    """A pack was placed (orders.events.order_placed): each reading it asks the shop to clear joins the queue."""
    open_requests(order, now=now)


def open_requests(order: Order, *, now: datetime) -> list[ClearanceRequest]:
    """A request for every reading of `order` awaiting clearance that has none open yet; a work the shop
    holds a clearance for (good through the order's promised date) is cleared at once, an expired one
    goes to the queue with a note saying so."""
    asked = set(db.session.scalars(select(ClearanceRequest.order_file_id).where(
        ClearanceRequest.order_id == order.id, ClearanceRequest.state != ClearanceState.WITHDRAWN)))
    return [_open(order, reading, now=now) for reading in order.files
            if reading.copyright_status == C.AWAITING_CLEARANCE and reading.id not in asked]


def _open(order: Order, reading: OrderFile, *, now: datetime) -> ClearanceRequest:
    work = reading.copyright_details or {}
    title, author = work.get("work_title") or reading.title, work.get("work_author") or ""
    request = ClearanceRequest(order_id=order.id, order_file_id=reading.id, work_key=rules.work_key(title, author),
                               work_title=title[:200], work_author=author[:160],
                               work_publisher=(work.get("work_publisher") or "")[:160],
                               pages_used=work.get("pages_used"), total_pages=work.get("total_pages"),
                               state=ClearanceState.AWAITING, requested_at=now, notes="")
    on_file = {c.id: c for c in db.session.scalars(select(Clearance).where(Clearance.work_key == request.work_key))}
    good, expired = rules.reuse([rules.OnFile(c.id, c.period, c.expires_on) for c in on_file.values()],
                                on=max(order.promise_date, shop_today(now)))
    if good is not None:
        clearance = on_file[good.id]
        request.state, request.reused, request.clearance = ClearanceState.GRANTED, True, clearance
        request.decided_at, request.fee_cents = now, 0
        request.notes = f"Cleared at once: the shop's permission for this work covers {clearance.period}, " \
                        f"until {day(clearance.expires_on)}."
        reading.copyright_status = C.CLEARED
        order.events.append(OrderEvent(at=now, message=f"“{reading.title}” is cleared: the shop already holds "
                                                       f"permission for this work ({clearance.period})."))
    elif expired is not None:
        request.notes = f"The shop's permission for this work ({expired.period}) expired on " \
                        f"{day(expired.expires_on)}: ask again."
    db.session.add(request)
    db.session.flush()
    return request


def queue(*, state: str = "awaiting", page: int = 1, per_page: int = 25) -> Page:
    """The Copyright queue: requests in `state` (awaiting by default), soonest promise first, each with its
    pack, reading and document. Two queries, whatever the size."""
    try:
        wanted = ClearanceState(state)
    except ValueError:
        wanted = ClearanceState.AWAITING
    where = (ClearanceRequest.state == wanted,)
    total = db.session.scalar(select(func.count()).select_from(ClearanceRequest).where(*where))
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    items = list(db.session.scalars(
        select(ClearanceRequest).join(Order, Order.id == ClearanceRequest.order_id).where(*where)
        .options(joinedload(ClearanceRequest.order), joinedload(ClearanceRequest.reading),
                 joinedload(ClearanceRequest.document))
        .order_by(Order.promise_date, ClearanceRequest.id).limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, has_next=page * per_page < total, total=total)


def awaiting_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ClearanceRequest)
                             .where(ClearanceRequest.state == ClearanceState.AWAITING))


def request_for(request_id: int) -> ClearanceRequest:
    """A request with its pack and reading (staff); raises NotAllowed when there is none."""
    found = db.session.scalar(select(ClearanceRequest).where(ClearanceRequest.id == request_id).options(
        joinedload(ClearanceRequest.order), joinedload(ClearanceRequest.reading),
        joinedload(ClearanceRequest.document), joinedload(ClearanceRequest.clearance)))
    if found is None:
        raise NotAllowed("clearance request")
    return found


def work_on(request: ClearanceRequest, *, action: str, sent_on: str = "", fee: str = "", notes: str = "",
            period: str = "", expires_on: str = "", document: tuple[bytes, str] | None = None, now: datetime,
            actor: User) -> ClearanceRequest:
    """The staff's work on a request: when the request was sent, the fee quoted, notes and the permission
    document (a PDF) are kept ("save"); "grant" also remembers the clearance for the work (the period it
    covers and its expiry are required), clears the reading and adds a fee to the pack's price; "refuse"
    (notes say why) tells the instructor, who chooses what becomes of the reading.

    Raises ValidationFailed by field, Conflict when the request was answered meanwhile (or is not awaiting)."""
    if request.state != ClearanceState.AWAITING:
        raise Conflict(f"This request is {request.state.label.lower()} already.", request)
    today = shop_today(now)
    problems: dict[str, str] = {}
    sent_day, problem = rules.read_day(sent_on)
    problem = problem or rules.sent_problem(sent_day, today=today)
    if problem:
        problems["sent_on"] = problem
    fee_cents, problem = rules.read_fee(fee)
    if problem:
        problems["fee"] = problem
    text = (notes or "").replace("\x00", "").strip()
    if len(text) > rules.NOTES_LIMIT:
        problems["notes"] = f"Use at most {rules.NOTES_LIMIT:,} characters."
    expiry, covered = None, " ".join((period or "").split())
    if action == "grant":
        expiry, problem = rules.read_day(expires_on)
        problems.update({"expires_on": problem} if problem else rules.grant_problems(
            period=covered, expires_on=expiry, today=today))
    elif action == "refuse" and not text:
        problems["notes"] = "Say why permission was refused: the instructor reads it."
    elif action not in ("save", "grant", "refuse"):
        problems["action"] = "Choose save, grant or refuse."
    if problems:
        raise ValidationFailed(problems)
    if document is not None:
        request.document = documents.store_pdf(actor, data=document[0], filename=document[1], field="document")
    with _guarded(request):
        request.sent_on, request.fee_cents, request.notes = sent_day or request.sent_on, fee_cents, text
        db.session.flush()  # claims the request (its version): a second answer at the same moment loses here
        if action == "grant":
            _grant(request, period=covered, expires_on=expiry, now=now, actor=actor)
        elif action == "refuse":
            _refuse(request, now=now, actor=actor)
        db.session.flush()
    return request


@contextmanager
def _guarded(request: ClearanceRequest):
    """Someone else changed the request first (its version moved on): Conflict, nothing of this kept."""
    try:
        yield
    except StaleDataError:
        raise Conflict("Someone else answered this request meanwhile: see it as it is now.", request) from None


def _grant(request: ClearanceRequest, *, period: str, expires_on: date, now: datetime, actor: User) -> None:
    order, reading, fee = request.order, request.reading, request.fee_cents or 0
    request.state, request.decided_at, request.decided_by = ClearanceState.GRANTED, now, actor
    request.clearance = Clearance(work_key=request.work_key, work_title=request.work_title,
                                  work_author=request.work_author, work_publisher=request.work_publisher,
                                  period=period, expires_on=expires_on, fee_cents=fee,
                                  document_id=request.document.id if request.document else None,
                                  granted_at=now, granted_by=actor)
    reading.copyright_status = C.CLEARED
    order.updated_at = now
    if not fee:
        order.events.append(OrderEvent(at=now, actor_id=actor.id,
                                       message=f"Copyright permission for “{reading.title}” is granted."))
        return
    order.price_cents += fee
    order.price_lines = [*order.price_lines, [rules.fee_label(reading.title), fee]]
    order.events.append(OrderEvent(at=now, actor_id=actor.id, message=(
        f"Copyright permission for “{reading.title}” is granted for a fee of {money(fee)}, added to the price "
        f"(now {money(order.price_cents)}).")))
    account = db.session.get(BillingAccount, order.billing_account_id) if order.billing_account_id else None
    if account is not None and order.status in BEFORE_PRINTING and billing_rules.needs_approval(
            threshold_cents=account.approval_threshold_cents, price_cents=order.price_cents):
        order.status = OrderStatus.AWAITING_APPROVAL
        job_moved(order, to=OrderStatus.AWAITING_APPROVAL)  # its work leaves the queue until approved
        order.events.append(OrderEvent(at=now, status=OrderStatus.AWAITING_APPROVAL, actor_id=actor.id, message=(
            "Waiting for the account's approver: the permission fee brings the price above its approval threshold.")))
        db.session.flush()
        events.fee_needs_approval.send(order, now=now, actor=actor, occurrence=f"copyright-fee-{request.id}")


def _refuse(request: ClearanceRequest, *, now: datetime, actor: User) -> None:
    order, reading = request.order, request.reading
    request.state, request.decided_at, request.decided_by = ClearanceState.REFUSED, now, actor
    reading.copyright_status = C.REFUSED
    order.updated_at = now
    order.events.append(OrderEvent(at=now, actor_id=actor.id, message=(
        f"Permission for “{reading.title}” was refused. The instructor chooses on the order page: remove it, "
        "replace it, or link it in the learning system instead.")))
    db.session.flush()
    events.reading_refused.send(request, now=now, actor=actor)


def refused_readings(order: Order) -> list[ClearanceRequest]:
    """The order's refused readings still waiting for the instructor's choice (for the order page)."""
    return list(db.session.scalars(select(ClearanceRequest).where(
        ClearanceRequest.order_id == order.id, ClearanceRequest.state == ClearanceState.REFUSED)
        .options(joinedload(ClearanceRequest.reading)).order_by(ClearanceRequest.id)))


def requests_of(order: Order) -> list[ClearanceRequest]:
    """Every request for the order's readings, oldest first (the staff job page and the order page)."""
    return list(db.session.scalars(select(ClearanceRequest).where(ClearanceRequest.order_id == order.id)
                                   .order_by(ClearanceRequest.id)))


def choose(customer: User, number: str, request_id: int, *, choice: str, declaration: dict[str, str] | None = None,
           replacement: tuple[bytes, str] | None = None, now: datetime) -> ClearanceRequest:
    """The instructor's choice for a refused reading: removed from the pack, linked in the learning
    system instead, or replaced by another reading (an uploaded PDF, with its own copyright status, which
    the shop clears in turn when asked). The pack goes on without the refused reading.

    Raises NotAllowed for anyone's order but the customer's own (or a request not of it), Conflict when
    the choice was made already, ValidationFailed by field (choice, upload, copyright and its details)."""
    request = db.session.scalar(select(ClearanceRequest).join(Order, Order.id == ClearanceRequest.order_id).where(
        ClearanceRequest.id == request_id, Order.number == number, Order.customer_id == customer.id))
    if request is None:
        raise NotAllowed("clearance request")
    if request.state != ClearanceState.REFUSED:
        raise Conflict("You chose what becomes of this reading already.", request)
    try:
        chosen = Choice(choice)
    except ValueError:
        raise ValidationFailed({"choice": "Choose what becomes of this reading."}) from None
    order, reading = request.order, request.reading
    was = reading.title
    with _guarded(request):
        request.state = ClearanceState.WITHDRAWN
        db.session.flush()  # claims the choice: a second submission at the same moment loses here
    if chosen == Choice.REPLACE:
        _replace(customer, reading, declaration or {}, replacement)
        message = f"“{was}” is replaced by “{reading.title}” ({reading.copyright_status.label.lower()})."
    else:
        reading.copyright_status = C.REMOVED if chosen == Choice.REMOVE else C.LINKED
        message = (f"“{was}” is removed from the pack." if chosen == Choice.REMOVE
                   else f"“{was}” will be linked in the learning system instead of printed.")
    order.pages_per_copy = sum(f.page_count for f in order.files if f.copyright_status is None or f.copyright_status.printed)
    order.updated_at = now
    order.events.append(OrderEvent(at=now, actor_id=customer.id, message=message + " The pack goes on without it."
                                   if chosen != Choice.REPLACE else message))
    db.session.flush()
    if chosen == Choice.REPLACE and reading.copyright_status == C.AWAITING_CLEARANCE:
        _open(order, reading, now=now)
    return request


def _replace(customer: User, reading: OrderFile, declaration: dict[str, str], replacement) -> None:
    problems: dict[str, str] = {}
    status = declaration.get("copyright", "")
    details, found = catalog_rules.reading_declaration(status, declaration)
    problems.update(found)
    title = written(declaration.get("title"), field="title", limit=200)
    if replacement is None:
        problems["upload"] = "Choose the PDF of the reading that replaces it."
    if problems:
        raise ValidationFailed(problems)
    stored = documents.store_pdf(customer, data=replacement[0], filename=replacement[1], field="upload")
    reading.file_id, reading.file = stored.id, stored
    reading.title = " ".join(title.split()) or documents.rules.title_from_name(stored.original_name)
    reading.page_count = stored.page_count
    reading.copyright_status, reading.copyright_details = C(status), details or None


def clearance_waits(order_ids, *, today: date, calendar) -> dict[int, tuple[tuple[str, ...], int]]:
    """For each order with readings awaiting clearance: their titles and the business days the promise
    still allows for them (rules.days_left from the oldest request). The re-plan reads this."""
    waits: dict[int, tuple[list[str], date]] = {}
    for order_id, title, requested_at in db.session.execute(  # the few awaiting, not an IN of every open order
            select(ClearanceRequest.order_id, OrderFile.title, ClearanceRequest.requested_at)
            .join(OrderFile, OrderFile.id == ClearanceRequest.order_file_id)
            .where(ClearanceRequest.state == ClearanceState.AWAITING)
            .order_by(ClearanceRequest.order_id, ClearanceRequest.id)):
        if order_id not in order_ids:
            continue
        titles, first = waits.setdefault(order_id, ([], shop_today(requested_at)))
        titles.append(title)
    usual = clearance_days() if waits else 0
    return {order_id: (tuple(titles), rules.days_left(first, today=today, calendar=calendar, usual_days=usual))
            for order_id, (titles, first) in waits.items()}


def answer_times(*, calendar, limit: int = CLEARANCE_HISTORY) -> list[int]:
    """Business days from request to answer (granted or refused) of the shop's latest `limit` answered requests,
    the evidence its usual clearance time is calibrated from (promises.calibrate_clearance). A reading cleared at
    once by a clearance on file took no asking, and is left out."""
    rows = db.session.execute(
        select(ClearanceRequest.requested_at, ClearanceRequest.decided_at)
        .where(ClearanceRequest.decided_at.is_not(None), ClearanceRequest.reused.is_(False))
        .order_by(ClearanceRequest.decided_at.desc(), ClearanceRequest.id.desc()).limit(limit))
    return [rules.answer_days(shop_today(asked), shop_today(answered), calendar=calendar) for asked, answered in rows]


def refused_request(customer: User, number: str, request_id: int) -> ClearanceRequest:
    """A refused reading of the customer's own order, for their choice; NotAllowed for anyone else's (or
    a request that is not refused: nothing to choose)."""
    found = db.session.scalar(select(ClearanceRequest).join(Order, Order.id == ClearanceRequest.order_id).where(
        ClearanceRequest.id == request_id, Order.number == number, Order.customer_id == customer.id,
        ClearanceRequest.state == ClearanceState.REFUSED).options(
        joinedload(ClearanceRequest.order), joinedload(ClearanceRequest.reading)))
    if found is None:
        raise NotAllowed("clearance request")
    return found
