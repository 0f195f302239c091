"""Statements of a month (live while it is open, frozen once closed), who may see which, the month close and
its emails to department administrators, and credits on orders. Services flush and never commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, render_template
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.accounts.models import Department, MemberRole, Membership, User
from portal.billing.models import BillingAccount
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed, written
from portal.notices import emails, services as notices
from portal.notices.rules import NoticeKind
from portal.orders.models import Order, OrderEvent, OrderStatus
from portal.shop.clock import shop_today
from portal.shop.formats import money
from portal.statements import rules
from portal.statements.models import Adjustment, AdjustmentKind, LineKind, MonthClose, StatementLine
from portal.statements.rules import Month
from portal.web.navigation import absolute, path

NO_DEPARTMENT, NO_ACCOUNT = "No department", "No budget account"
REASON_LIMIT = 500


def closed_months() -> dict[Month, MonthClose]:
    """Every closed month with its close (who, when, totals)."""
    return {Month.parse(close.month): close
            for close in db.session.scalars(select(MonthClose).options(joinedload(MonthClose.closed_by)))}


def sees_statements(user: User) -> bool:
    """Whether `user` has a Statements page: the shop's staff, and department administrators (one query,
    remembered for the request)."""
    if user.is_staff:
        return True
    if "administers_any" not in g:
        g.administers_any = bool(db.session.scalar(select(exists().where(
            Membership.user_id == user.id, Membership.role == MemberRole.ADMINISTRATOR))))
    return g.administers_any


def visible_department_ids(viewer: User) -> set[int] | None:
    """The departments whose statements `viewer` may see: None for the shop's staff (all of them), else the
    ones they administer; raises NotAllowed for someone who administers none."""
    if viewer.is_staff:
        return None
    ids = set(db.session.scalars(select(Membership.department_id).where(
        Membership.user_id == viewer.id, Membership.role == MemberRole.ADMINISTRATOR)))
    if not ids:
        raise NotAllowed("statements")
    return ids


def month_lines(month: Month, *, closed: dict[Month, MonthClose] | None = None,
                department_ids: set[int] | None = None, account_id: int | None = None) -> list[rules.Line]:
    """The lines of `month`'s statements: the frozen ones once it is closed, else what it charges so far
    (orders delivered in it, orders delivered late into closed months just before it, and its credits).
    Optionally only some departments' or one account's. Two queries, whatever the number of lines."""
    closed = closed_months() if closed is None else closed
    if month in closed:
        query = select(StatementLine).where(StatementLine.month == month.key).order_by(StatementLine.id)
        if department_ids is not None:
            query = query.where(StatementLine.department_id.in_(department_ids))
        if account_id is not None:
            query = query.where(StatementLine.billing_account_id == account_id)
        return [_frozen(line) for line in db.session.scalars(query)]
    return _live_lines(month, closed, department_ids=department_ids, account_id=account_id)


def _live_lines(month: Month, closed, *, department_ids=None, account_id=None) -> list[rules.Line]:
    start = month
    while start.previous in closed:  # deliveries recorded after their month closed come to this one
        start = start.previous
    frozen_charge = exists().where(StatementLine.order_id == Order.id, StatementLine.kind == LineKind.CHARGE)
    orders = (select(Order).options(joinedload(Order.customer))
              .where(Order.status == OrderStatus.DELIVERED, Order.delivered_on >= start.first_day,
                     Order.delivered_on < month.next.first_day, ~frozen_charge))
    credits = (select(Adjustment).join(Adjustment.order)
               .options(joinedload(Adjustment.order).joinedload(Order.customer))
               .where(Adjustment.month == month.key, ~exists().where(StatementLine.adjustment_id == Adjustment.id)))
    if department_ids is not None:
        orders, credits = (q.where(Order.department_id.in_(department_ids)) for q in (orders, credits))
    if account_id is not None:
        orders, credits = (q.where(Order.billing_account_id == account_id) for q in (orders, credits))
    lines = []
    for order in db.session.scalars(orders):
        charged = rules.charged_month(status=order.status, delivered_on=order.delivered_on)
        if charged is not None and rules.statement_month(charged, closed) == month:
            lines.append(_charge(order))
    lines.extend(_credit(adjustment) for adjustment in db.session.scalars(credits))
    return lines


def _who_pays(order: Order) -> dict:
    billing = order.billing or {}
    return dict(department_id=order.department_id, department_name=billing.get("department") or NO_DEPARTMENT,
                account_id=order.billing_account_id, account_code=billing.get("code") or NO_ACCOUNT,
                account_name=billing.get("name") or "")


def _charge(order: Order) -> rules.Line:
    return rules.Line(kind="charge", day=order.delivered_on, order_number=order.number or "", title=order.title,
                      ordered_by=order.customer.name, amount_cents=order.price_cents, order_id=order.id,
                      **_who_pays(order))


def _credit(adjustment: Adjustment) -> rules.Line:
    order = adjustment.order
    return rules.Line(kind="credit", day=shop_today(adjustment.created_at), order_number=order.number or "",
                      title=order.title, ordered_by=order.customer.name, amount_cents=-adjustment.credit_cents,
                      reason=f"{adjustment.kind.label}: {adjustment.reason}", order_id=order.id,
                      adjustment_id=adjustment.id, **_who_pays(order))


def _frozen(line: StatementLine) -> rules.Line:
    return rules.Line(kind=line.kind.value, day=line.day, order_number=line.order_number, title=line.title,
                      ordered_by=line.ordered_by, amount_cents=line.amount_cents, department_id=line.department_id,
                      department_name=line.department_name, account_id=line.billing_account_id,
                      account_code=line.account_code, account_name=line.account_name, reason=line.reason,
                      order_id=line.order_id, adjustment_id=line.adjustment_id)


@dataclass(frozen=True)
class MonthView:
    month: Month
    close: MonthClose | None
    departments: list[rules.DepartmentStatement]

    @property
    def totals(self) -> rules.Totals:
        return rules.totals(line for department in self.departments for line in department.lines)


def month_view(month: Month, *, viewer: User) -> MonthView:
    """`month`'s statements for `viewer`: every department for the shop's staff, their own departments for a
    department administrator; raises NotAllowed for anyone else."""
    department_ids = visible_department_ids(viewer)
    closed = closed_months()
    lines = month_lines(month, closed=closed, department_ids=department_ids)
    return MonthView(month, closed.get(month), rules.by_department(lines))


def department_statement(month: Month, department_id: int, *, viewer: User) -> tuple[MonthView, rules.DepartmentStatement]:
    """One department's statement of `month` (an empty one when nothing was charged); raises NotAllowed when
    the department does not exist or `viewer` may not see it."""
    department = db.session.get(Department, department_id)
    allowed = visible_department_ids(viewer)
    if department is None or (allowed is not None and department_id not in allowed):
        raise NotAllowed("department")
    closed = closed_months()
    lines = month_lines(month, closed=closed, department_ids={department_id})
    found = rules.by_department(lines)
    statement = found[0] if found else rules.DepartmentStatement(department_id, department.name, ())
    return MonthView(month, closed.get(month), found), statement


def account_statement(month: Month, account_id: int, *, viewer: User) -> tuple[MonthView, rules.AccountStatement]:
    """One budget account's statement of `month`; raises NotAllowed when the account does not exist or
    `viewer` administers neither its department nor the department its lines were charged to."""
    account = db.session.get(BillingAccount, account_id, options=[joinedload(BillingAccount.department)])
    if account is None:
        raise NotAllowed("account")
    allowed = visible_department_ids(viewer)
    closed = closed_months()
    lines = month_lines(month, closed=closed, account_id=account_id)
    if allowed is not None:
        lines = [line for line in lines if line.department_id in allowed]
        if account.department_id not in allowed and not lines:
            raise NotAllowed("account")
    found = rules.by_account(lines)
    statement = found[0] if found else rules.AccountStatement(account.id, account.code, account.name,
                                                              account.department.name, ())
    return MonthView(month, closed.get(month), rules.by_department(lines)), statement


def recent_months(*, now: datetime, viewer: User, count: int = 13
                  ) -> list[tuple[Month, MonthClose | None, rules.Totals]]:
    """This month and the `count - 1` before it, newest first, each with its close if it was closed and
    its totals for what `viewer` may see (raises NotAllowed as visible_department_ids)."""
    department_ids = visible_department_ids(viewer)
    closed = closed_months()
    month, months = Month.of(shop_today(now)), []
    for _ in range(count):
        lines = month_lines(month, closed=closed, department_ids=department_ids)
        months.append((month, closed.get(month), rules.totals(lines)))
        month = month.previous
    return months


def journal(month: Month) -> list[list[str]]:
    """The month's chargeback file for the finance system, as rows (config: PORTAL_JOURNAL_COLUMNS and
    PORTAL_JOURNAL_CREDIT_ACCOUNT); staff only, checked by the route."""
    accounts = rules.by_account(month_lines(month))
    entries = rules.journal_entries(month, accounts, recovery_account=current_app.config["JOURNAL_CREDIT_ACCOUNT"])
    return rules.journal_rows(entries, rules.journal_columns(current_app.config["JOURNAL_COLUMNS"]))


def close_month(month: Month, *, actor: User, now: datetime) -> MonthClose:
    """Closes `month` for good: its statement lines are copied as they are now and never change again;
    a later correction is a credit in the month it is made. Every administrator of a department with a
    statement is told by email. Only the manager closes; raises NotAllowed for anyone else, and
    ValidationFailed (field "month") for a month that is not over or is already closed."""
    if not actor.is_admin:
        raise NotAllowed("close")
    closed = closed_months()
    refusal = rules.close_refusal(month, today=shop_today(now), closed=month in closed)
    if refusal:
        raise ValidationFailed({"month": refusal})
    lines = _live_lines(month, closed)
    total = rules.totals(lines)
    record = MonthClose(month=month.key, closed_at=now, closed_by_id=actor.id, charges_cents=total.charges_cents,
                        credits_cents=total.credits_cents)
    try:
        with db.session.begin_nested():  # someone closing it at the same moment: the unique month refuses
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed({"month": rules.close_refusal(month, today=shop_today(now), closed=True)}) from None
    db.session.add_all(StatementLine(
        month=month.key, kind=LineKind(line.kind), order_id=line.order_id, adjustment_id=line.adjustment_id,
        department_id=line.department_id, billing_account_id=line.account_id, department_name=line.department_name,
        account_code=line.account_code, account_name=line.account_name, order_number=line.order_number,
        day=line.day, title=line.title, ordered_by=line.ordered_by, amount_cents=line.amount_cents,
        reason=line.reason) for line in lines)
    db.session.flush()
    _tell_administrators(month, rules.by_department(lines), actor=actor, now=now)
    return record


def _tell_administrators(month: Month, departments: list[rules.DepartmentStatement], *, actor: User,
                         now: datetime) -> None:
    """One email (and portal notice) per administrator of the departments with a statement this month."""
    by_id = {department.department_id: department for department in departments if department.department_id}
    if not by_id:
        return
    memberships = db.session.scalars(
        select(Membership).options(joinedload(Membership.user))
        .where(Membership.department_id.in_(by_id), Membership.role == MemberRole.ADMINISTRATOR)
        .order_by(Membership.user_id, Membership.department_id))
    theirs: dict[User, list[rules.DepartmentStatement]] = {}
    for membership in memberships:
        if membership.user.active:
            theirs.setdefault(membership.user, []).append(by_id[membership.department_id])
    for person, statements in theirs.items():
        notices.announce_to(person, NoticeKind.STATEMENTS_READY, dedup_key=f"statements-{month.key}-{person.id}",
                            content=_statements_email(month, person, statements), now=now, actor=actor)


def _statements_email(month: Month, person: User, statements: list[rules.DepartmentStatement]) -> emails.Content:
    subject = f"Your {month.label} print statements are ready"
    summary = "; ".join(f"{statement.name}: {money(statement.totals.net_cents)}" for statement in statements) + "."
    items = [dict(name=statement.name, totals=statement.totals,
                  page=absolute("statements.department", month=month.key, department_id=statement.department_id),
                  pdf=absolute("statements.department_pdf", month=month.key, department_id=statement.department_id),
                  csv=absolute("statements.department_csv", month=month.key, department_id=statement.department_id))
             for statement in statements]
    context = dict(subject=subject, headline=subject, recipient=person, month=month, statements=items,
                   contact=emails.contact_name(None))
    return emails.Content(subject, summary, path("statements.month", month=month.key),
                          render_template("statements/email/statements_ready.txt", **context),
                          render_template("statements/email/statements_ready.html", **context))


def adjustments_of(order: Order) -> list[Adjustment]:
    """The credits on an order, oldest first."""
    return list(db.session.scalars(select(Adjustment).options(joinedload(Adjustment.created_by))
                                   .where(Adjustment.order_id == order.id).order_by(Adjustment.created_at, Adjustment.id)))


def credited_cents(order: Order) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Adjustment.credit_cents), 0))
                             .where(Adjustment.order_id == order.id))


def credit_order(order: Order, *, amount: str | None, kind: str | None, reason: str | None, actor: User,
                 now: datetime) -> Adjustment:
    """Credits a charged order (a reprint for the shop's mistake, a partial refund): the credit is on the
    statement of the month it is made, the customer sees it, with its reason, on the order's timeline.

    Raises NotAllowed for anyone but staff, and ValidationFailed (fields amount, kind, reason) for an order
    not charged (yet), an amount that is not dollars, zero, negative, or more than what is left of its price.
    """
    if not actor.is_staff:
        raise NotAllowed("credit")
    # Two staff crediting the same order at once: the second waits here (PostgreSQL; SQLite writes one at a time).
    db.session.execute(select(Order.id).where(Order.id == order.id).with_for_update())
    problems = {}
    try:
        chosen = AdjustmentKind(kind or "")
    except ValueError:
        chosen = None
        problems["kind"] = "Choose what the credit is for."
    try:
        why = written(reason, field="reason", limit=REASON_LIMIT,
                      missing="Say why the order is credited: the customer and their department see it.")
    except ValidationFailed as refusal:
        problems.update(refusal.errors)
    try:
        cents = rules.dollars_to_cents(amount)
    except ValueError as error:
        cents, problems["amount"] = None, str(error)
    if rules.charged_month(status=order.status, delivered_on=order.delivered_on) is None:
        problems["amount"] = (f"Only a delivered order can be credited: an order is charged when it is delivered, "
                              f"and {order.number} is {order.status.label.lower()}.")
    elif cents is not None:
        refusal = rules.credit_refusal(cents, price_cents=order.price_cents, credited_cents=credited_cents(order))
        if refusal:
            problems["amount"] = refusal
    if problems:
        raise ValidationFailed(problems)
    adjustment = Adjustment(order_id=order.id, month=rules.adjustment_month(shop_today(now)).key, kind=chosen,
                            credit_cents=cents, reason=why, created_by_id=actor.id, created_at=now)
    db.session.add(adjustment)
    db.session.add(OrderEvent(order_id=order.id, at=now, actor_id=actor.id, public=True,
                              message=f"Credited {money(cents)} ({chosen.label.lower()}): {why}"))
    db.session.flush()
    return adjustment


def order_for_credit(number: str) -> Order:
    """The order with `number`, for the staff's credit form; raises NotAllowed when there is none."""
    order = db.session.scalar(select(Order).options(joinedload(Order.customer)).where(Order.number == number))
    if order is None:
        raise NotAllowed("order")
    return order

