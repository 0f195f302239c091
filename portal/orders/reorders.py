"""One-click reorder: a past job again, re-priced today, with a fresh promise. Flush, never commit."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from portal.accounts.models import User
from portal.accounts.services import preferences_of
from portal.addresses import services as addresses
from portal.addresses.models import Address
from portal.billing import rules as billing_rules
from portal.billing import services as billing
from portal.billing.models import AccountHolder, BillingAccount
from portal.catalog import forms as catalog_forms
from portal.catalog import rules as catalog_rules
from portal.catalog import services as catalog
from portal.catalog.models import Product
from portal.documents import storage
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed
from portal.orders import rules
from portal.orders.models import Order, OrderEvent, OrderFile, OrderStatus
from portal.orders.services import place_order
from portal.promises import services as promises
from portal.shop.clock import shop_today
from portal.shop.formats import money
from portal.shop.delivery import DeliveryMethod
from portal.terms import rules as term_rules
from portal.terms import services as terms


def job_values_from(order: Order, *, today: date, replacements: dict[int, int] | None = None,
                    term: str | None = None, rush: bool | None = None, enrollment: int | None = None) -> MultiDict:
    """The configurator's values for a past order: what "Reorder with changes" opens with (rush as
    last time, where the configurator shows it), or a one-click reorder with the `term`, `rush` and
    course-pack `enrollment` asked (the copies follow the enrollment, with last time's spare copies).

    `replacements` maps a file no longer on file to the one uploaded again in its place.
    """
    replacements = replacements or {}
    values = [(f"opt_{code}", choice) for code, choice in order.options.items()]
    last_enrollment = order.enrollment or order.quantity
    if order.course_code and enrollment:
        values.append(("quantity", str(enrollment + max(0, order.quantity - last_enrollment))))
    else:
        values.append(("quantity", str(order.quantity)))
    if order.rush if rush is None else rush:
        values.append(("rush", "y"))
    if order.course_code:
        term = term or catalog_rules.reorder_term(order.term, catalog.course_pack_terms(today)) or ""
        values += [("course_code", order.course_code), ("term", term),
                   ("instructor", order.instructor or ""), ("enrollment", str(enrollment or last_enrollment))]
    else:
        values.append(("title", order.title))
    index = 0
    for item in order.files:
        declared = catalog_rules.reorder_declaration(item.copyright_status.value if item.copyright_status else None,
                                                     item.copyright_details) if order.course_code else {}
        if declared is None:  # taken out of the pack after a refusal: not carried over
            continue
        values += [(f"files-{index}-file_id", str(replacements.get(item.file_id, item.file_id))),
                   (f"files-{index}-title", item.title)]
        values += [(f"files-{index}-{part}", value) for part, value in declared.items()]
        index += 1
    return MultiDict(values)


@dataclass
class OnFile:
    """What the customer has on file, loaded once for any number of reorder plans."""

    addresses: list[Address]
    holdings: list[AccountHolder]
    unusable: dict[int, str]

    @classmethod
    def load(cls, customer: User, today: date) -> OnFile:
        holdings = billing.holdings_of(customer)
        unusable = billing.unusable_reasons([h.account for h in holdings], today)
        return cls(addresses.addresses_of(customer), holdings, unusable)

    @property
    def usable_accounts(self) -> list[BillingAccount]:
        return [h.account for h in self.holdings if h.account_id not in self.unusable]


@dataclass
class ReorderPlan:
    """A past order made new: what it would cost and when it would come, or what stands in the way."""

    source: Order
    config: catalog.Configuration | None
    address: Address | None
    account: BillingAccount | None
    on_file: OnFile
    now: datetime
    problems: dict[str, str] = field(default_factory=dict)
    missing_files: list[OrderFile] = field(default_factory=list)
    questions: rules.ReorderQuestions | None = None
    replacement: Product | None = None  # what replaced a retired product (catalog.replacement_for)
    replacements: dict[int, int] = field(default_factory=dict)  # a file no longer on file -> the one uploaded again

    @property
    def quote(self):
        return self.config.quote() if self.config and "product" not in self.problems else None

    @property
    def estimate(self):
        if self.config is None or "product" in self.problems or self.config.problems:
            return None
        return self.config.estimate(delivery_method=self.address.kind if self.address else DeliveryMethod.CAMPUS,
                                    now=self.now)

    @property
    def ready(self) -> bool:
        return not self.problems


def questions_for(source: Order, today: date, *, term: str | None = None, rush: bool = False,
                  enrollment: str | None = None) -> rules.ReorderQuestions:
    """What reordering `source` asks (rules.reorder_questions), with the answers given so far; a course pack
    of an earlier term is suggested for the coming term on the shop's calendar (portal.terms)."""
    coming = term_rules.coming_term(terms.terms(), today) if source.course_code else None
    offered = catalog.course_pack_terms(today) if source.course_code else ()
    return rules.reorder_questions(course_pack=bool(source.course_code), last_term=source.term,
                                   last_rushed=source.rush, rush_surcharge_percent=source.product.rush_surcharge_percent,
                                   terms=offered, term=term, rush=rush, last_enrollment=source.enrollment or source.quantity,
                                   enrollment=enrollment, next_term=coming.name if coming else None)


def plan_reorder(customer: User, source: Order, *, now: datetime, address_id=None, account_id=None,
                 send_for_approval: bool = False, replacements: dict[int, int] | None = None,
                 on_file: OnFile | None = None, term: str | None = None, rush: bool = False,
                 enrollment: str | None = None) -> ReorderPlan:
    """How `source` would be ordered again now, and every problem that stops it, by kind:
    `product` (no longer offered), `files` (a file is no longer on file), `address`,
    `billing_account` (expired, withdrawn, or no longer the customer's to charge), `approval` (the
    price is above the account's threshold: the customer confirms it will wait), `config` (the job
    no longer fits the product's rules: reorder with changes).

    The job is last time's except what reordering asks (questions_for): a course pack's `term` (the
    suggested one unless another coming term is chosen) and `enrollment` (last time's unless another is
    typed; a bad one is an `enrollment` problem), and `rush`, never repeated unless chosen again.
    Another customer's order, address or account raises NotAllowed.
    """
    if source.customer_id != customer.id:
        raise NotAllowed("order")
    today = shop_today(now)
    questions = questions_for(source, today, term=term, rush=rush, enrollment=enrollment)
    on_file = on_file or OnFile.load(customer, today)
    problems: dict[str, str] = {}
    config = replacement = None
    try:
        product = catalog.product_by_slug(source.product.slug)
    except NotAllowed:
        replacement = catalog.replacement_for(source.product)
        problems["product"] = (f"We no longer take {source.product_name.lower()} orders online. "
                               + (f"It was replaced by {replacement.name}: order that instead." if replacement
                                  else "Call the shop and we will find the closest match."))
    else:
        form = catalog_forms.configurator_form(
            product, job_values_from(source, today=today, replacements=replacements, term=questions.term,
                                     rush=questions.rush, enrollment=questions.enrollment), today=today,
            defaults=preferences_of(customer).options)
        form.validate()
        config = catalog.configure(product, form, customer, today=today)
        if config.problems:
            problems["config"] = "This job no longer fits the product's rules: " + "; ".join(config.problems.values())
    if questions.enrollment_problem:
        problems["enrollment"] = questions.enrollment_problem
    replacements = replacements or {}
    missing = [item for item in source.files
               if item.file_id not in replacements and not storage.exists(item.file.storage_key)]
    if missing:
        problems["files"] = ("We no longer have " + ", ".join(f"“{item.title}”" for item in missing)
                             + ". Upload " + ("it" if len(missing) == 1 else "them") + " again to reorder.")
    address = _chosen(on_file.addresses, address_id, source.address_id, "address")
    if address is None:
        problems["address"] = "Choose where this order goes."
    account = _chosen_account(on_file, account_id, source.billing_account_id)
    if account is None:
        original = next((h.account for h in on_file.holdings if h.account_id == source.billing_account_id), None)
        problems["billing_account"] = (on_file.unusable.get(original.id) if original else  # says what to do
                                       "The account this was charged to is no longer yours to charge. "
                                       "Choose another account.")
    plan = ReorderPlan(source, config, address, account, on_file, now, problems, missing, questions, replacement,
                       replacements)
    quote = plan.quote
    if account is not None and quote is not None and not send_for_approval and billing_rules.needs_approval(
            threshold_cents=account.approval_threshold_cents, price_cents=quote.total_cents):
        approver = account.approver.name if account.approver else "its approver"
        problems["approval"] = (f"This comes to {money(quote.total_cents)}, above the "
                                f"{money(account.approval_threshold_cents)} that {account.name} can spend "
                                f"without approval: it will wait for {approver} to approve it.")
    return plan


def _chosen(options: list[Address], chosen_id, original_id, what: str) -> Address | None:
    if chosen_id:
        found = next((a for a in options if str(a.id) == str(chosen_id)), None)
        if found is None:
            raise NotAllowed(what)
        return found
    default = next((a.id for a in options if a.is_default), None)
    picked = rules.pick_on_file(original_id, [a.id for a in options], default)
    return next((a for a in options if a.id == picked), None)


def _chosen_account(on_file: OnFile, chosen_id, original_id) -> BillingAccount | None:
    usable = on_file.usable_accounts
    if chosen_id:
        if not any(str(h.account_id) == str(chosen_id) for h in on_file.holdings):
            raise NotAllowed("billing account")
        return next((a for a in usable if str(a.id) == str(chosen_id)), None)
    default = next((h.account_id for h in on_file.holdings if h.is_default), None)
    picked = rules.pick_on_file(original_id, [a.id for a in usable], default)
    return next((a for a in usable if a.id == picked), None)


def place_reorder(customer: User, plan: ReorderPlan, *, idempotency_key: str, now: datetime,
                  no_charge_reason: str | None = None) -> Order:
    """Places the planned reorder; the same key again returns the same order.

    Raises ValidationFailed with the plan's problems when something still stands in the way.
    """
    if plan.problems:
        raise ValidationFailed(plan.problems)
    source = plan.source
    bookstore = plan.address.kind == DeliveryMethod.BOOKSTORE
    return place_order(customer=customer, config=plan.config, address=plan.address, account=plan.account,
                       need_by=None, instructions=source.instructions, idempotency_key=idempotency_key,
                       now=now, source_order=source, carry_readings=True, replaced_files=plan.replacements, no_charge_reason=no_charge_reason,
                       student_price_cents=source.student_price_cents if bookstore else None,
                       copies_per_bundle=source.copies_per_bundle if bookstore else None)


def cancel_order(customer: User, order: Order, *, now: datetime) -> None:
    """The customer cancels within the cancel window; later, or once work started, raises ValidationFailed."""
    if order.customer_id != customer.id:
        raise NotAllowed("order")
    if not rules.can_cancel(order.status.value, order.placed_at, now):
        raise ValidationFailed("It is too late to cancel online: call the shop and we will stop it if we can.")
    order.status = OrderStatus.CANCELLED
    promises.job_moved(order, to=OrderStatus.CANCELLED)
    order.cancelled_at = now
    order.events.append(OrderEvent(at=now, status=OrderStatus.CANCELLED, actor_id=customer.id,
                                   message="Cancelled by the customer. Nothing will be charged."))
    db.session.flush()


def buy_again(customer: User, *, limit: int = 5) -> list[Order]:
    """The jobs the customer orders most often (same product and title), the latest of each."""
    counts = (select(Order.product_id, Order.title, func.count().label("times"), func.max(Order.id).label("latest"))
              .where(Order.customer_id == customer.id, Order.status != OrderStatus.CANCELLED)
              .group_by(Order.product_id, Order.title).order_by(func.count().desc(), func.max(Order.id).desc())
              .limit(limit).subquery())
    latest = [row.latest for row in db.session.execute(select(counts.c.latest, counts.c.times))]
    if not latest:
        return []
    orders = {o.id: o for o in db.session.scalars(select(Order).where(Order.id.in_(latest)).options(
        joinedload(Order.product), selectinload(Order.files).joinedload(OrderFile.file)))}
    return [orders[order_id] for order_id in latest]
