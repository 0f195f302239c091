"""The promises simulation (benchmarks/simulation.py), a few days of each scenario on the test database:
the report has its figures, each scenario does what it says, and late_warned_share counts the delay
notices in the outbox."""
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from benchmarks import simulation
from portal.copyright.models import ClearanceRequest
from portal.extensions import db
from portal.notices.models import Announcement, Notice
from portal.notices.rules import NoticeKind
from portal.orders.models import Order, OrderEvent, OrderStatus
from portal.promises import rules, services
from portal.promises.models import StationDowntime
from portal.shop.clock import shop_today

MONDAY = date(2026, 9, 14)  # a week of the Fall term without holidays
FIGURES = {"scenario", "seed", "days", "orders", "evaluated", "kept_rate", "median_slack_business_days",
           "p90_slack_business_days", "late_orders", "late_warned", "late_warned_share", "rush_orders",
           "mailer_orders", "late_mailers", "late_collected", "shop_late_warned_share", "warned_kept",
           "collected_after_promise"}
# The week before Fall classes (August 31): the surge, and plenty of course packs to clear.
STARTS = {"surge": date(2026, 8, 24), "clearance": date(2026, 8, 24)}


@pytest.mark.parametrize("name", sorted(simulation.SCENARIOS))
def test_each_scenario_runs_a_few_days_and_reports_its_figures(ctx, name):
    scenario = replace(simulation.SCENARIOS[name], down_after_days=0)  # a breakdown, if any, on the first day
    report = simulation.run(days=1, seed=1, start=STARTS.get(name, MONDAY), scenario=scenario, customers=6)
    assert set(report) == FIGURES
    assert (report["scenario"], report["seed"], report["days"]) == (name, 1, 1)
    assert report["orders"] == db.session.scalar(select(func.count()).select_from(Order)) > 0
    assert 0 <= report["evaluated"] <= report["orders"]
    late = report["late_orders"]
    assert report["late_warned_share"] is None if not late else report["late_warned_share"] == round(report["late_warned"] / late, 4)
    marked = db.session.scalar(select(func.count()).select_from(StationDowntime).where(StationDowntime.reason.like("Broken%")))
    assert marked == (2 if name == "station-down" else 0)  # staff mark both days the morning it breaks
    requests = db.session.scalars(select(ClearanceRequest)).all()
    if name == "clearance":  # readings sent for clearance reach the shop's Copyright queue
        assert requests and all(r.order.product.is_course_pack for r in requests)
    else:
        assert requests == []


def test_the_surge_triples_course_packs_in_the_two_weeks_before_classes_only():
    def arrivals(scenario: str, day: date) -> list:
        shop = object.__new__(simulation.Shop)  # only its arrival stream: no shop floor needed
        shop.scenario, shop.rng = simulation.SCENARIOS[scenario], simulation.random.Random(3)
        return [shop.arrivals(day) for _ in range(30)]

    def packs(days: list) -> int:
        return sum(slug == "course-pack" for arrived in days for _, slug, _ in arrived)

    week_before = date(2026, 8, 24)  # Fall classes begin on August 31
    assert packs(arrivals("surge", week_before)) > 2.5 * packs(arrivals("mix", week_before))
    before_the_surge = date(2026, 8, 14)  # in the usual peak before a term, not yet the surge: the same stream
    assert arrivals("surge", before_the_surge) == arrivals("mix", before_the_surge)


def ready_on(order: Order) -> date:
    return shop_today(db.session.scalar(select(func.min(OrderEvent.at)).where(
        OrderEvent.order_id == order.id, OrderEvent.status == OrderStatus.READY)))


def test_late_warned_share_is_read_from_the_delay_notices_in_the_outbox(ctx):
    scenario = replace(simulation.SCENARIOS["station-down"], down_after_days=1)  # the colour presses, Tue and Wed
    days = 3  # Monday to Wednesday
    report = simulation.run(days=days, seed=2, start=MONDAY, scenario=scenario, customers=8)

    # The late orders, from the orders table, and those warned a business day ahead, from the outbox.
    end = MONDAY + timedelta(days=days)
    calendar = services.shop_calendar(end)
    judged = list(db.session.scalars(select(Order).where(Order.promise_date < end)))
    late = [o for o in judged if not rules.kept(o.promise_date, rules.judged_on(
        o.delivery_method, ready_on=o.ready_on, delivered_on=o.delivered_on,
        transit_days=calendar.business_days_between(o.ready_by, o.promise_date)))]
    assert report["late_orders"] == len(late) > 0
    warned = 0
    for order in late:
        told = db.session.scalar(select(func.min(Notice.created_at)).join(Announcement).where(
            Notice.order_id == order.id, Notice.recipient_id == order.customer_id,
            Announcement.kind == NoticeKind.DELAY))
        warned += told is not None and calendar.business_days_between(shop_today(told), order.promise_date) >= 1
    assert report["late_warned"] == warned > 0
    assert report["late_warned_share"] == round(warned / len(late), 4)
    # A pickup on the shelf by its promised day kept it (it was promised "ready for pickup"), whenever collected.
    collected = [o for o in judged if o.delivery_method == "pickup" and o not in late
                 and (o.delivered_on is None or o.delivered_on > o.promise_date)]
    assert all(o.ready_on == ready_on(o) <= o.promise_date for o in collected)
    assert report["collected_after_promise"] == len(collected) and report["late_collected"] == 0

    # Without the outbox rows nobody was warned: the share is read from them, not assumed.
    jobs = [simulation.Job(o.id, [], o.rush, o.promise_date, o.placed_at, False, o.ready_by) for o in late]
    assert len(simulation.warned_ahead(jobs, calendar)) == warned
    db.session.execute(delete(Notice).where(Notice.kind == NoticeKind.DELAY))
    assert simulation.warned_ahead(jobs, calendar) == set()
