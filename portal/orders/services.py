"""Placing orders and finding them. Services flush and never commit."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.addresses.models import Address
from portal.billing import rules as billing_rules
from portal.billing.models import BillingAccount
from portal.catalog import kinds
from portal.catalog.models import CopyrightStatus
from portal.catalog.services import Configuration, require_complete
from portal.extensions import db
from portal.failures import NotAllowed
from portal.orders import events, rules
from portal.orders.models import Order, OrderEvent, OrderFile, OrderStatus
from portal.promises import services as promises
from portal.shop.clock import shop_today
from portal.shop.paging import Page


def order_for_key(customer: User, idempotency_key: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.idempotency_key == idempotency_key,
                                                 Order.customer_id == customer.id))


def place_order(*, customer: User, config: Configuration, address: Address, account: BillingAccount,
                need_by: date | None, instructions: str, idempotency_key: str, now: datetime,
                source_order: Order | None = None, carry_readings: bool = False,
                replaced_files: dict[int, int] | None = None,
                student_price_cents: int | None = None, copies_per_bundle: int | None = None,
                no_charge_reason: str | None = None) -> Order:
    """Places the configured job as one order, all or nothing, and returns it.

    The price and the promised date are computed here, the same way the configurator and checkout
    showed them; the address and billing account are copied onto the order as they are now. An
    order above the account's approval threshold waits for its approver (who is sent approve and
    decline links; otherwise the customer is told it is received). The idempotency key is
    claimed by a unique constraint in this transaction: the same key again returns the first order
    (a concurrent duplicate fails at flush with IntegrityError; see order_for_key).
    With `carry_readings` (a one-step reorder of `source_order`, its readings unchanged; `replaced_files` maps a
    file uploaded again to the new one), each file keeps what the shop recorded about it on the source
    (carry_over_files), before order_placed is sent. Delivery to the
    campus bookstore keeps the price a student pays there and the copies per bundle. A reprint the shop owes
    (`no_charge_reason`, e.g. "case C-12": its price is credited back) never waits for approval.
    Raises ValidationFailed when the configuration is incomplete.
    """
    existing = order_for_key(customer, idempotency_key)
    if existing is not None:
        return existing
    require_complete(config)
    quote = config.quote()
    estimate = config.estimate(delivery_method=address.kind, now=now)
    # A reprint the shop owes (no_charge_reason: its case) costs the department nothing once credited:
    # it never waits for the approver.
    waits = no_charge_reason is None and billing_rules.needs_approval(
        threshold_cents=account.approval_threshold_cents, price_cents=quote.total_cents)
    order = Order(
        idempotency_key=idempotency_key, customer_id=customer.id, department_id=account.department_id,
        product_id=config.product.id, source_order_id=source_order.id if source_order else None,
        title=config.job_title(), product_name=config.product.name,
        status=OrderStatus.AWAITING_APPROVAL if waits else OrderStatus.RECEIVED,
        options={code: choice.code for code, choice in config.choices.items()},
        option_labels=config.option_labels(), quantity=config.quantity, pages_per_copy=config.pages,
        rush=config.rush, instructions=instructions.strip(),
        course_code=config.course_code or None, term=config.term or None,
        instructor=config.instructor or None, enrollment=config.enrollment,
        price_cents=quote.total_cents, price_lines=[[line.label, line.cents] for line in quote.lines],
        delivery_method=address.kind, address_id=address.id,
        ship_to=address.snapshot(), billing_account_id=account.id, billing=account.snapshot(),
        need_by=need_by, promise_date=estimate.delivery, expected_date=estimate.delivery,
        placed_at=now, updated_at=now, student_price_cents=student_price_cents, copies_per_bundle=copies_per_bundle)
    if config.addition is not None:  # what the product's kind adds: a mailer's list, mail class and date, postage
        kinds.hooks_for(config.product.kind).record(order, config.addition, estimate)
    db.session.add(order)
    db.session.flush()  # claims the idempotency key
    promises.record_work(order, config.job(), estimate, now=now)
    order.number = rules.order_number(order.id, shop_today(now))
    for position, configured in enumerate(config.files):
        order.files.append(OrderFile(file_id=configured.file.id, position=position, title=configured.title,
                                     page_count=configured.file.page_count,
                                     copyright_status=CopyrightStatus(configured.copyright_status)
                                     if configured.copyright_status else None,
                                     copyright_details=configured.copyright_details or None))
    if carry_readings and source_order is not None:
        carry_over_files(source_order, order, replaced=replaced_files)
    order.events.append(OrderEvent(at=now, status=OrderStatus.RECEIVED, actor_id=customer.id,
                                   message=f"Order placed. Promised for {estimate.delivery:%A, %B %-d}."))
    if waits:
        order.events.append(OrderEvent(at=now, status=OrderStatus.AWAITING_APPROVAL, actor_id=customer.id,
                                       message="Waiting for the account's approver: the price is above "
                                               "its approval threshold."))
    db.session.flush()
    events.order_placed.send(order, waits=waits, now=now, actor=customer)
    return order


# An OrderFile's own columns, which a reorder never copies: the row, its order, the stored file printed now
# (perhaps uploaded again), its place in the pack and that file's pages.
NOT_CARRIED = frozenset({"id", "order_id", "file_id", "position", "page_count"})


def carry_over_files(source: Order, order: Order, *, replaced: dict[int, int] | None = None) -> None:
    """A one-step reorder prints the same readings again: each new OrderFile is matched to the source's reading
    of the same stored file (or the one it was uploaded again in place of, `replaced`: old id -> new id; readings
    left out of the new order simply match nothing) and takes every other column the configuration left empty
    (work and clearance details, whatever the shop records about a reading), generically, so a column added
    later carries too. What the configuration set (title, copyright status as declared again) stays. Whether a
    carried clearance still holds is for whoever listens to order_placed to decide."""
    original_of = {new: old for old, new in (replaced or {}).items()}
    unmatched = list(source.files)
    columns = [attribute.key for attribute in inspect(OrderFile).column_attrs if attribute.key not in NOT_CARRIED]
    for item in order.files:
        wanted = original_of.get(item.file_id, item.file_id)
        original = next((candidate for candidate in unmatched if candidate.file_id == wanted), None)
        if original is None:
            continue
        unmatched.remove(original)
        for key in columns:
            if getattr(item, key) is None:
                setattr(item, key, getattr(original, key))


# What order lists show: plain rows of these columns keep a page of 25 cheap whatever the history.
LISTED = (Order.id, Order.number, Order.title, Order.placed_at, Order.status, Order.promise_date, Order.price_cents,
          Order.course_code, Order.rush)  # a reorder of a course pack or a rushed job asks first (on the order page)


def history(customer: User, *, search: str = "", page: int = 1, per_page: int = 25) -> Page:
    """The customer's orders, newest first, searchable by number or title: one query, whatever the
    size of the history (one row more than a page says whether there is an older page)."""
    where = [Order.customer_id == customer.id]
    search = " ".join(search.split())
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(or_(Order.number.like(f"{escaped}%", escape="\\"),
                         func.lower(Order.title).like(f"%{escaped.lower()}%", escape="\\")))
    page = max(1, page)
    rows = db.session.execute(select(*LISTED).where(*where).order_by(Order.placed_at.desc(), Order.id.desc())
                              .limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Page(rows[:per_page], page, per_page, has_next=len(rows) > per_page)


def order_for(user: User, number: str) -> Order:
    """The order with this number, for its customer or staff; raises NotAllowed for anyone else."""
    order = db.session.scalar(select(Order).where(Order.number == number).options(
        joinedload(Order.customer), joinedload(Order.product), joinedload(Order.shipment),
        selectinload(Order.files).joinedload(OrderFile.file),
        selectinload(Order.events).joinedload(OrderEvent.actor), selectinload(Order.proofs)))
    if order is None or (order.customer_id != user.id and not user.is_staff):
        raise NotAllowed("order")
    return order


def open_orders(customer: User, limit: int = 10) -> list[Order]:
    return list(db.session.scalars(
        select(Order).where(Order.customer_id == customer.id,
                            Order.status.not_in([OrderStatus.DELIVERED, OrderStatus.CANCELLED]))
        .order_by(Order.promise_date, Order.id).limit(limit)))


def previous_orders(order: Order, limit: int = 8) -> list[Order]:
    """The same customer's other orders, newest first (what staff see beside an order)."""
    return list(db.session.scalars(select(Order).where(Order.customer_id == order.customer_id, Order.id != order.id)
                                   .order_by(Order.placed_at.desc()).limit(limit)))


def own_order(customer: User, number: str | None) -> Order | None:
    """The customer's own order with this number, or None (for "reorder with changes" links)."""
    if not number:
        return None
    return db.session.scalar(select(Order).where(Order.number == number, Order.customer_id == customer.id))
