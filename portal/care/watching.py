"""The staff's Care page: satisfaction over time (by product, station and department), every comment, open
cases by age, how often the response promise was kept, and repeat problems by cause. Queries only; the
sums are care.rules'. A fixed number of queries whatever the data size."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import case as when, func, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import Department
from portal.care import rules
from portal.care.models import Case
from portal.care.rules import CaseState, Share
from portal.extensions import db
from portal.orders.models import Order
from portal.promises.models import OrderWork, Station
from portal.shop.clock import shop_today, shop_zone
from portal.shop.paging import Page

MONTHS = 6          # satisfaction over the last six months, this one included
KEPT_DAYS = 90      # response promises over cases opened in the last 90 days
REPEAT_DAYS = 365   # repeat problems over the last year
OLDEST_OPEN = 10


@dataclass
class CareView:
    months: list[tuple[date, Share]]
    overall: Share
    by_product: list[tuple[str, Share]]
    by_station: list[tuple[str, Share]]
    by_department: list[tuple[str, Share]]
    comments: Page
    open_by_age: list[tuple[str, int]]
    oldest_open: list[Case]
    kept: Share
    causes: list[rules.CauseCount]


def start_of(day: date) -> datetime:
    """The moment (UTC) the shop's day `day` begins."""
    return datetime.combine(day, time(0), shop_zone()).astimezone(timezone.utc)


def satisfaction_by_month(months: list[date], *, where=()) -> list[tuple[date, Share]]:
    """Answers and satisfied answers per month (the month the answer came in), in one query."""
    columns = []
    for month in months:
        inside = (Order.satisfaction_at >= start_of(month)) & (Order.satisfaction_at < start_of(rules.next_month(month)))
        columns += [func.sum(when((inside, 1), else_=0)),
                    func.sum(when((inside & (Order.satisfaction >= rules.SATISFIED_FROM), 1), else_=0))]
    row = db.session.execute(select(*columns).where(Order.satisfaction.is_not(None), *where)).one()
    return [(month, Share(int(row[2 * i] or 0), int(row[2 * i + 1] or 0))) for i, month in enumerate(months)]


def _shares(key, *, since: datetime, joined=lambda query: query) -> dict[str, Share]:
    """Answers and satisfied answers since `since`, grouped by `key` (joined in by `joined`)."""
    satisfied = func.sum(when((Order.satisfaction >= rules.SATISFIED_FROM, 1), else_=0))
    query = joined(select(key, func.count(), satisfied).select_from(Order))
    rows = db.session.execute(query.where(Order.satisfaction.is_not(None), Order.satisfaction_at >= since)
                              .group_by(key))
    return {name: Share(int(count), int(hits or 0)) for name, count, hits in rows}


def overview(*, now: datetime, comments_page: int = 1, per_page: int = 20) -> CareView:
    """Everything on the Care page. Satisfaction: the last MONTHS months, month by month, and over the whole
    window by product, by station the job went through (each station of its routing counts the answer once)
    and by department; comments newest first, paginated."""
    months = rules.months_back(shop_today(now), MONTHS)
    since = start_of(months[0])
    trend = satisfaction_by_month(months)
    overall = Share(sum(share.counted for _, share in trend), sum(share.hits for _, share in trend))
    stations = select(OrderWork.order_id, OrderWork.station_id).distinct().subquery()
    by_station = _shares(Station.name, since=since, joined=lambda query: query.join(
        stations, stations.c.order_id == Order.id).join(Station, Station.id == stations.c.station_id))
    by_department = _shares(func.coalesce(Department.name, "No department"), since=since,
                            joined=lambda query: query.outerjoin(Department, Department.id == Order.department_id))
    open_cases = [row for row in db.session.execute(
        select(Case.opened_at).where(Case.state.in_((CaseState.OPEN, CaseState.WAITING))))]
    oldest = list(db.session.scalars(
        select(Case).options(joinedload(Case.owner), joinedload(Case.customer), joinedload(Case.order))
        .where(Case.state.in_((CaseState.OPEN, CaseState.WAITING))).order_by(Case.opened_at, Case.id)
        .limit(OLDEST_OPEN)))
    answered = db.session.execute(select(Case.response_due_at, Case.responded_at)
                                  .where(Case.opened_at >= now - timedelta(days=KEPT_DAYS)))
    causes = db.session.execute(select(Case.cause, Case.customer_id)
                                .where(Case.opened_at >= now - timedelta(days=REPEAT_DAYS)))
    return CareView(months=trend, overall=overall,
                    by_product=rules.worst_first(_shares(Order.product_name, since=since)),
                    by_station=rules.worst_first(by_station), by_department=rules.worst_first(by_department),
                    comments=comments(page=comments_page, per_page=per_page),
                    open_by_age=rules.cases_by_age((opened for opened, in open_cases), now), oldest_open=oldest,
                    kept=rules.response_kept_share(answered, now), causes=rules.repeats_by_cause(causes))


def comments(*, page: int = 1, per_page: int = 20) -> Page:
    """Every satisfaction comment, newest first, with its order, customer and department. Two queries."""
    where = (Order.satisfaction_comment.is_not(None), Order.satisfaction_comment != "")
    total = db.session.scalar(select(func.count()).select_from(Order).where(*where))
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    items = list(db.session.scalars(
        select(Order).options(joinedload(Order.customer), joinedload(Order.department)).where(*where)
        .order_by(Order.satisfaction_at.desc(), Order.id.desc()).limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, has_next=page * per_page < total, total=total)
