"""The Relationships page: per department, orders and spend by month, the people ordering and how many come
back, the usual gap between orders and who is overdue against it, satisfaction and open cases, and the share
of print spend the shop gets (against the purchasing office's outside purchases), with its trend and the
departments at 100 %. Queries only, a fixed number whatever the data size; the sums are care.rules'."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Date, case as when, func, select

from portal.accounts.models import Department
from portal.care import rules
from portal.care.models import Case, OutsidePurchase
from portal.care.rules import CaseState, Share
from portal.care.watching import start_of
from portal.extensions import db
from portal.orders.models import Order
from portal.shop.stages import OrderStatus
from portal.shop.clock import shop_today

MONTHS = 12


@dataclass
class DepartmentFigures:
    department: Department
    orders: dict[date, int] = field(default_factory=dict)     # month → orders placed
    spend: dict[date, int] = field(default_factory=dict)      # month → cents with the shop
    outside: dict[date, int] = field(default_factory=dict)    # month → cents with outside printers
    people: Share = Share(0, 0)                              # people ordering, and those who came back
    gap: int | None = None                                   # the usual days between orders
    last: date | None = None
    overdue: str | None = None                               # in words, when overdue against the gap
    satisfaction: Share = Share(0, 0)
    open_cases: int = 0
    share: float | None = None                               # with the shop, over the twelve months
    recent: float | None = None                              # the last three months ...
    before: float | None = None                              # ... and the three before
    trend: str | None = None                                 # drifting | growing | steady

    @property
    def order_count(self) -> int:
        return sum(self.orders.values())

    @property
    def spend_cents(self) -> int:
        return sum(self.spend.values())

    @property
    def outside_cents(self) -> int:
        return sum(self.outside.values())


@dataclass
class RelationshipsView:
    months: list[date]
    departments: list[DepartmentFigures]
    by_month: list[tuple[date, int, int, float | None]]  # month, cents with the shop, outside, share
    share: float | None
    full_three: list[DepartmentFigures]
    full_six: list[DepartmentFigures]
    drifting: list[DepartmentFigures]
    overdue: list[DepartmentFigures]

    @property
    def share_points(self) -> list[tuple[date, float | None]]:
        return [(month, share) for month, _, _, share in self.by_month]


def _by_month(months, *, moment, amount, where, key):
    """Per `key`: for each month, how many rows and the sum of `amount` (one query)."""
    columns = []
    for month in months:
        if isinstance(moment.type, Date):
            inside = (moment >= month) & (moment < rules.next_month(month))
        else:
            inside = (moment >= start_of(month)) & (moment < start_of(rules.next_month(month)))
        columns += [func.sum(when((inside, 1), else_=0)), func.sum(when((inside, amount), else_=0))]
    rows = db.session.execute(select(key, *columns).where(*where).group_by(key))
    return {row[0]: {month: (int(row[1 + 2 * i] or 0), int(row[2 + 2 * i] or 0)) for i, month in enumerate(months)}
            for row in rows}


def overview(*, now: datetime) -> RelationshipsView:
    """Every department's figures over the last MONTHS months (this one included). Eight queries."""
    today = shop_today(now)
    months = rules.months_back(today, MONTHS)
    since = start_of(months[0])
    placed = (Order.department_id.is_not(None), Order.status != OrderStatus.CANCELLED, Order.placed_at >= since)
    figures = {department.id: DepartmentFigures(department) for department in db.session.scalars(
        select(Department).order_by(Department.name))}
    for department_id, per_month in _by_month(months, moment=Order.placed_at, amount=Order.price_cents,
                                              where=placed, key=Order.department_id).items():
        figures[department_id].orders = {month: n for month, (n, _) in per_month.items()}
        figures[department_id].spend = {month: cents for month, (_, cents) in per_month.items()}
    for department_id, per_month in _by_month(months, moment=OutsidePurchase.bought_on,
                                              amount=OutsidePurchase.amount_cents,
                                              where=(OutsidePurchase.bought_on >= months[0],),
                                              key=OutsidePurchase.department_id).items():
        figures[department_id].outside = {month: cents for month, (_, cents) in per_month.items()}
    per_person = (select(Order.department_id, func.count().label("n")).where(*placed)
                  .group_by(Order.department_id, Order.customer_id).subquery())
    for department_id, people, back in db.session.execute(
            select(per_person.c.department_id, func.count(), func.sum(when((per_person.c.n >= 2, 1), else_=0)))
            .group_by(per_person.c.department_id)):
        figures[department_id].people = Share(int(people), int(back or 0))
    days: dict[int, list[date]] = {}
    for department_id, day in db.session.execute(
            select(Order.department_id, func.date(Order.placed_at, type_=Date)).where(*placed).distinct()):
        days.setdefault(department_id, []).append(day if isinstance(day, date) else date.fromisoformat(str(day)))
    satisfied = func.sum(when((Order.satisfaction >= rules.SATISFIED_FROM, 1), else_=0))
    for department_id, counted, hits in db.session.execute(
            select(Order.department_id, func.count(), satisfied)
            .where(*placed, Order.satisfaction.is_not(None)).group_by(Order.department_id)):
        figures[department_id].satisfaction = Share(int(counted), int(hits or 0))
    for department_id, count in db.session.execute(
            select(Case.department_id, func.count()).where(Case.state.in_((CaseState.OPEN, CaseState.WAITING)),
                                                           Case.department_id.is_not(None))
            .group_by(Case.department_id)):
        figures[department_id].open_cases = int(count)
    for figure in figures.values():
        ordered = days.get(figure.department.id, [])
        figure.last = max(ordered) if ordered else None
        figure.gap = rules.usual_gap(ordered)
        if rules.overdue(last=figure.last, gap=figure.gap, today=today):
            figure.overdue = rules.overdue_words(figure.department.name, last=figure.last, gap=figure.gap,
                                                 today=today)
        figure.share = rules.share_with_shop(figure.spend_cents, figure.outside_cents)
        figure.recent, figure.before, figure.trend = rules.share_trend(figure.spend, figure.outside, months)
    active = [figure for figure in figures.values() if figure.order_count or figure.outside_cents]
    shop_total = {m: sum(f.spend.get(m, 0) for f in active) for m in months}
    outside_total = {m: sum(f.outside.get(m, 0) for f in active) for m in months}
    return RelationshipsView(
        months=months, departments=active,
        by_month=[(m, shop_total[m], outside_total[m], rules.share_with_shop(shop_total[m], outside_total[m]))
                  for m in months],
        share=rules.share_with_shop(sum(shop_total.values()), sum(outside_total.values())),
        full_three=[f for f in active if rules.at_full_share(f.spend, f.outside, months[-3:])],
        full_six=[f for f in active if rules.at_full_share(f.spend, f.outside, months[-6:])],
        drifting=[f for f in active if f.trend == "drifting"],
        overdue=[f for f in active if f.overdue])
