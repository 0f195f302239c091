"""A shop simulated day by day through the real estimator and queue code, to measure promises kept.

Orders arrive at realistic times and in a realistic mix (course packs peaking before each term,
daily flyers and posters, weekly mailers, some rush jobs) and are placed by the real place_order(),
so each gets the promise the portal would give. Staff then work each station in the staff queue's order
(rush first, then the day each job must be ready by to keep its promise) with the station's minutes, less on a slow day and none when it
breaks down, and real work takes the planned minutes give or take. Jobs move through the real queue
(move_job, send_proof, answer_proof); customers answer proofs; orders go out and arrive. Morning
and evening the worker re-plans and announces delays (the real replan and check_delays); every
Friday it calibrates. The report says how often promises were kept, by how much, and, of the
promises missed, how many customers had the delay notice (a row in the outbox) at least one
business day before the promised date.

A scenario stresses the shop: `surge` (three times the usual course packs in the two weeks before
classes), `station-down` (the colour presses out for two whole days, marked down by staff through
the portal's own service the morning they break) and `clearance` (a reading of two course packs in
five sent to the shop for copyright clearance: granted through the Copyright queue after one to
eight business days, a third with a fee; one in twenty refused, and the instructor removes it).
`--keep PATH` keeps the scratch database for a look afterwards.

    .venv/bin/python benchmarks/simulation.py --days 120 --seed 1                       # one JSON line
    .venv/bin/python benchmarks/simulation.py --days 120 --seed 1 --scenario surge
    flask --app wsgi promises simulate --days 120 --seed 1 --scenario surge              # the same, as a command

A benchmark, not part of the portal: it runs on a scratch SQLite database of its own.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "development")

import csv
import io
import math
import random
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from io import BytesIO

from pypdf import PdfWriter
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal import create_app
from portal.accounts.models import Department, DepartmentKind, Role, User
from portal.addresses.models import Address
from portal.shop.delivery import DeliveryMethod
from portal.billing.models import AccountHolder, BillingAccount
from portal.catalog import forms as catalog_forms
from portal.catalog import services as catalog
from portal.catalog.models import ProductKind
from portal.catalog.rules import upcoming_terms
from portal.copyright import rules as copyright_rules
from portal.copyright import services as copyright
from portal.copyright.models import ClearanceRequest
from portal.copyright.rules import ClearanceState
from portal.demo.catalog import load_catalog
from portal.documents import services as documents
from portal.extensions import db
from portal.mailers import rules as mailer_rules
from portal.mailers import services as mailers
from portal.mailers.models import MailingList
from portal.notices import services as notices
from portal.notices.models import Notice
from portal.notices.rules import NoticeKind
from portal.orders import services as orders
from portal.orders.models import Order, OrderStatus
from portal.keeping import services as keeping
from portal.promises import rules, services
from portal.promises.models import Station, StationDowntime
from portal.queue import services as queue
from portal.shop import clock
from portal.shop.calendar import ShopCalendar

S = OrderStatus
METHODS = [DeliveryMethod.CAMPUS, DeliveryMethod.PICKUP, DeliveryMethod.CARRIER]  # how customers take delivery
# Orders per business day: product, mean arrivals, quantities. Course packs peak before each term.
MIX = [
    ("flyer", 10.0, [50, 100, 150, 200, 300, 500]),
    ("poster", 4.0, [1, 1, 1, 2, 3, 6]),
    ("business-cards", 3.0, [1, 1, 2, 4]),
    ("booklet", 1.5, [25, 50, 100, 200]),
    ("course-pack", 2.5, [18, 25, 35, 45, 60, 85, 120]),
    ("postcard-mailer", 0.25, [500, 1000, 2500]),
    ("letter-mailer", 0.2, [250, 500, 1000]),
]
TERM_STARTS = [(8, 31), (1, 19)]  # when Fall and Spring classes begin
PEAK_DAYS, PEAK_FACTOR = 18, 6  # course-pack orders multiply in the weeks before a term
RUSH_SHARE = 0.07
DOWN_CHANCE = 0.012  # a station breaks down for a day
SLOW_DAY = (0.88, 1.04)  # the share of a station's minutes actually worked on a day
WORK_SPREAD = 0.18  # real minutes vary around the planned ones (log-normal)
PROOF_ANSWER_DAYS = [0] * 55 + [1] * 35 + [2] * 10  # business days a customer takes to approve a proof
CARRIER_DAYS = [3] * 92 + [2] * 6 + [4] * 2
# Copyright clearance (the clearance scenario): business days from the shop's request to the rights holder's
# answer (most in three to five), how often the answer is a refusal, and how often a grant comes with a fee.
CLEARANCE_ANSWER_DAYS = [1] * 5 + [2] * 10 + [3] * 25 + [4] * 25 + [5] * 20 + [6] * 8 + [7] * 5 + [8] * 2
REFUSED_SHARE = 0.05
FEE_SHARE = 0.3
CHOICE_DAYS = [0] * 60 + [1] * 40  # business days an instructor takes to choose after a refusal (remove it)
WORKS = 80  # distinct works the readings are taken from: a work cleared once is reused for the same term


@dataclass(frozen=True)
class Scenario:
    """What stresses the shop beyond the usual mix."""

    name: str
    surge_days: int = 0  # in this many calendar days before classes begin ...
    surge_factor: float = 1  # ... course packs arrive this many times as often as usual
    down_station: str | None = None  # a station that breaks down ...
    down_after_days: int = 0  # ... on the first business day this many days after the start ...
    down_days: int = 0  # ... for this many whole business days, marked down by staff that morning
    clearance_share: float = 0  # the share of course packs with a reading sent for copyright clearance


SCENARIOS = {
    "mix": Scenario("mix"),
    "surge": Scenario("surge", surge_days=14, surge_factor=3),
    "station-down": Scenario("station-down", down_station="color_press", down_after_days=43, down_days=2),
    "clearance": Scenario("clearance", clearance_share=0.4),
}


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@dataclass
class Job:
    """An order as the simulated staff see it: the real minutes each step still needs."""

    order_id: int
    steps: list[list]  # [station, stage, real minutes left], in routing order
    rush: bool
    promise: date
    placed: datetime
    needs_proof: bool
    ready_by: date  # the promise less its transit: the staff queue's order of work (after rush)
    proof_id: int | None = None
    proof_answer_on: date | None = None
    ready_on: date | None = None
    delivered_on: date | None = None
    arrive_on: date | None = None  # with the carrier: the day it arrives
    mailer: bool = False
    collected: bool = False  # taken from the shop's shelf by the customer (pickup)
    clearing: dict = field(default_factory=dict)  # request id -> [day answered, granted?, day the instructor chooses]


@dataclass
class Report:
    seed: int
    days: int
    scenario: str = "mix"
    orders: int = 0
    rush_orders: int = 0
    mailer_orders: int = 0
    late_mailers: int = 0
    kept: int = 0
    late_warned: int = 0  # late orders whose customer had the delay notice a business day or more ahead
    late_collected: int = 0  # late only because the customer collected after the promise what was ready by it
    collected_after_promise: int = 0  # pickups ready on the shelf by the promise (kept) and collected after it
    shop_late_warned: int = 0  # of the other late orders (late in the shop or on the way), those warned ahead
    warned_kept: int = 0  # orders that kept their promise although their customer was told of a delay
    slacks: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        ordered = sorted(self.slacks)
        p90 = ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)] if ordered else None
        evaluated = len(ordered)
        late = evaluated - self.kept
        return {"scenario": self.scenario, "seed": self.seed, "days": self.days, "orders": self.orders,
                "evaluated": evaluated,
                "kept_rate": round(self.kept / evaluated, 4) if evaluated else None,
                "median_slack_business_days": statistics.median(ordered) if ordered else None,
                "p90_slack_business_days": p90, "late_orders": late, "late_warned": self.late_warned,
                "late_warned_share": round(self.late_warned / late, 4) if late else None,
                "late_collected": self.late_collected, "collected_after_promise": self.collected_after_promise,
                "shop_late_warned_share": round(self.shop_late_warned / (late - self.late_collected), 4)
                if late > self.late_collected else None,
                "warned_kept": self.warned_kept,
                "rush_orders": self.rush_orders,
                "mailer_orders": self.mailer_orders, "late_mailers": self.late_mailers}


class Shop:
    """The simulated campus and shop floor, on the database of the app it runs in."""

    def __init__(self, *, seed: int, scenario: Scenario, customers: int = 24):
        self.rng = random.Random(seed)
        self.scenario = scenario
        self.products = load_catalog()
        self.stations = {s.code: s for s in db.session.scalars(select(Station))}
        self.staff = User(email="staff@sim.example.edu", name="Sim Staff", role=Role.STAFF, password_hash="-")
        department = Department(name="Simulated department", kind=DepartmentKind.ACADEMIC)
        db.session.add_all([self.staff, department])
        db.session.flush()
        account = BillingAccount(code="99-0000-0001", name="Simulated account", department_id=department.id)
        db.session.add(account)
        db.session.flush()
        self.customers = []
        for n in range(customers):
            person = User(email=f"customer{n}@sim.example.edu", name=f"Customer {n}", password_hash="-")
            db.session.add(person)
            db.session.flush()
            method = self.rng.choices(METHODS, weights=[60, 28, 12])[0]
            db.session.add(Address(user_id=person.id, label="Office", kind=method, recipient=person.name,
                                   building="Day Hall", room="100", street1="1 Main St", city="Ithaca", state="NY",
                                   postal_code="14850", is_default=True))
            db.session.add(AccountHolder(account_id=account.id, user_id=person.id, is_default=True))
            self.customers.append((person, documents.store_pdf(person, data=blank_pdf(1 + n % 3), filename="art.pdf"),
                                   documents.store_pdf(person, data=blank_pdf(40 + 7 * n), filename="reading.pdf"),
                                   documents.store_pdf(person, data=blank_pdf(12 + n), filename="chapter.pdf")))
        db.session.commit()
        self.proof_pdf = blank_pdf(2)
        self.jobs: dict[int, Job] = {}
        self.down: set[tuple[str, date]] = set()  # the scenario's station days out of service
        self.mailing_lists: dict[tuple[int, str, int], MailingList] = {}

    def at(self, day: date, hour: float) -> datetime:
        local = datetime.combine(day, time(int(hour), int(hour % 1 * 60)), tzinfo=clock.shop_zone())
        return local.astimezone(timezone.utc)

    def arrivals(self, day: date) -> list[tuple[float, str, int]]:
        found = []
        for slug, rate, quantities in MIX:
            if slug == "course-pack":
                to_classes = min(days for days in ((date(day.year + (m < day.month), m, d) - day).days
                                                   for m, d in TERM_STARTS) if days >= 0)
                if 0 <= to_classes <= PEAK_DAYS:
                    rate *= PEAK_FACTOR
                if 0 <= to_classes < self.scenario.surge_days:
                    rate *= self.scenario.surge_factor
            for _ in range(self._poisson(rate)):
                found.append((self.rng.uniform(7.5, 17.5), slug, self.rng.choice(quantities)))
        return sorted(found)

    def _poisson(self, rate: float) -> int:
        count, threshold, product = 0, math.exp(-rate), self.rng.random()
        while product > threshold:
            count += 1
            product *= self.rng.random()
        return count

    def place(self, when: datetime, slug: str, quantity: int, today: date) -> None:
        person, artwork, reading, chapter = self.rng.choice(self.customers)
        product = catalog.product_by_slug(slug)
        rush = self.rng.random() < RUSH_SHARE and product.rush_surcharge_percent > 0
        values = {f"opt_{o.code}": self.rng.choice(o.choices).code for o in product.options}
        values["quantity"] = str(quantity)
        if rush:
            values["rush"] = "y"
        if product.is_course_pack:
            values.update(course_code="LAW 501", term=upcoming_terms(today)[1], instructor=person.name,
                          enrollment=str(quantity))
            values.update({"files-0-file_id": str(reading.id), "files-0-title": "Readings",
                           "files-0-copyright": "permission_obtained", "files-0-granted_by": "The publisher"})
            if self.rng.random() < self.scenario.clearance_share:  # a chapter the instructor asks the shop to clear
                work = self.rng.randrange(WORKS)
                values.update({"files-1-file_id": str(chapter.id), "files-1-title": f"Chapter from work {work}",
                               "files-1-copyright": "awaiting_clearance", "files-1-work_title": f"Work {work}",
                               "files-1-work_author": f"Author {work}", "files-1-work_publisher": "University Press",
                               "files-1-pages_used": str(chapter.page_count), "files-1-total_pages": "320"})
        elif product.needs_files:
            values.update({"files-0-file_id": str(artwork.id), "files-0-title": "Artwork"})
        if product.kind == ProductKind.MAILER:
            chosen = {o.code: values[f"opt_{o.code}"] for o in product.options}
            mailing = self.mailing_list(person, product, quantity, chosen, when)
            values.update(mailing_list=str(mailing.id), mail_class="marketing" if quantity >= 500 else "first_class")
        form = catalog_forms.configurator_form(product, MultiDict(values), today=today)
        form.validate()
        config = catalog.configure(product, form, person, today=today)
        if config.problems:
            return  # a quantity off the step: not ordered online
        defaults = catalog.checkout_defaults(person)
        order = orders.place_order(customer=person, config=config, address=defaults.address,
                                   account=defaults.holding.account, need_by=None, instructions="",
                                   idempotency_key=f"sim-{when.timestamp()}-{self.rng.random()}", now=when)
        steps = [[w.station, w.stage, w.minutes * self.rng.lognormvariate(-WORK_SPREAD ** 2 / 2, WORK_SPREAD)]
                 for w in config.job().work()]
        job = Job(order.id, steps, rush, order.promise_date, when, product.needs_proof, order.ready_by,
                  mailer=product.kind == ProductKind.MAILER, collected=order.delivery_method == DeliveryMethod.PICKUP)
        self.jobs[order.id] = job
        db.session.flush()
        calendar = services.shop_calendar(today)
        for request in db.session.scalars(select(ClearanceRequest).where(ClearanceRequest.order_id == order.id,
                                                                         ClearanceRequest.state == ClearanceState.AWAITING)):
            answered = calendar.add_business_days(today, self.rng.choice(CLEARANCE_ANSWER_DAYS))
            granted = self.rng.random() >= REFUSED_SHARE
            job.clearing[request.id] = [answered, granted,
                                        calendar.add_business_days(answered, self.rng.choice(CHOICE_DAYS))]
        db.session.commit()

    def mailing_list(self, person: User, product, pieces: int, chosen: dict[str, str], when: datetime) -> MailingList:
        """The customer's list of this size, accepted, mapped and designed through the real services
        (once), and its proof approved for the look chosen this time."""
        key = (person.id, product.slug, pieces)
        if key not in self.mailing_lists:
            rows = [["First name", "Last name", "Address", "City", "State", "ZIP"]]
            rows += [[f"Alum{n}", "Sample", f"{n + 1} College Avenue", "Ithaca", "NY", "14850"] for n in range(pieces)]
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\r\n").writerows(rows)
            mailing = mailers.accept_list(person, product=product, data=buffer.getvalue().encode(),
                                          filename="alumni.csv")
            if not mailing.is_mapped:
                mailers.save_mapping(person, mailing, mailer_rules.guess_mapping(mailing.headers))
            mailers.save_design(mailing, headline="Reunion is coming, {first_name}", message="Join us in June.",
                                return_address="Alumni House\nIthaca NY 14853")
            self.mailing_lists[key] = mailing
        mailing = self.mailing_lists[key]
        mailing.approved_fingerprint = mailers.fingerprint(mailing, mailers.appearance(product, chosen))
        mailing.approved_at, mailing.approved_by_id = when, person.id
        db.session.flush()
        return mailing

    def breakdown(self, day: date, calendar: ShopCalendar, start: date) -> None:
        """The scenario's breakdown: the morning it happens, staff mark the station down for the days
        the repair takes, through the portal's own service (as the form on /staff/promises does)."""
        scenario = self.scenario
        if not scenario.down_station or day != calendar.on_or_after(start + timedelta(days=scenario.down_after_days)):
            return
        station = self.stations[scenario.down_station]
        down = day
        for _ in range(scenario.down_days):
            services.add_downtime(station_id=station.id, day=down, reason="Broken down: waiting for the technician",
                                  now=self.at(day, 8))
            self.down.add((scenario.down_station, down))
            down = calendar.next_business_day(down)
        db.session.commit()

    def work_the_day(self, day: date, calendar: ShopCalendar) -> None:
        """Each station works its available steps in priority order with the minutes it has today."""
        cutoff = clock.cutoff()
        end = self.at(day, 16.5)
        minutes = {}
        for code, station in self.stations.items():
            down = self.rng.random() < DOWN_CHANCE
            if down and (code, day) not in self.down:
                db.session.add(StationDowntime(station_id=station.id, day=day, reason="Breakdown"))
            minutes[code] = 0 if down or (code, day) in self.down else \
                station.minutes_per_day * self.rng.uniform(*SLOW_DAY)
        ready = [job for job in self.jobs.values() if job.steps
                 and clock.shop_time(job.placed).date() <= day
                 and not (clock.shop_time(job.placed).date() == day and clock.shop_time(job.placed).time() >= cutoff)]
        ready.sort(key=lambda j: (not j.rush, j.ready_by, j.order_id))  # as the staff queue lists them (queue.ORDERING)
        progress = True
        while progress:  # a step finished today can free the next step for the same day
            progress = False
            for job in ready:
                while job.steps:
                    station, stage, left = job.steps[0]
                    if job.needs_proof and stage != "prepress" and (job.proof_id is not None or job.proof_answer_on is None):
                        break
                    if job.clearing and stage != "prepress":  # printing waits for copyright permission
                        break
                    if minutes[station] <= 0:
                        break
                    order = db.session.get(Order, job.order_id)
                    self._enter(order, stage, end)
                    worked = min(left, minutes[station])
                    minutes[station] -= worked
                    job.steps[0][2] = left - worked
                    if job.steps[0][2] > 1e-6:
                        break
                    job.steps.pop(0)
                    progress = True
                    if stage == "prepress" and job.needs_proof and not any(s[1] == "prepress" for s in job.steps):
                        proof = queue.send_proof(order, data=self.proof_pdf, filename="proof.pdf", message="",
                                                 actor=self.staff, now=end)
                        job.proof_id = proof.id
                        job.proof_answer_on = calendar.add_business_days(day, self.rng.choice(PROOF_ANSWER_DAYS))
                        if job.proof_answer_on == day:  # answered the same afternoon
                            self.answer(job, self.at(day, 16.75))
                if not job.steps and job.ready_on is None:
                    self._finish(job, day, calendar)
        db.session.commit()

    def _enter(self, order: Order, stage: str, now: datetime) -> None:
        """Moves the job through the queue up to the stage it is being worked in."""
        path = {"prepress": [S.PREPRESS], "printing": [S.PREPRESS, S.PRINTING],
                "finishing": [S.PREPRESS, S.PRINTING, S.FINISHING]}[stage]
        for to in path:
            if FORWARD.index(order.status) < FORWARD.index(to):
                queue.move_job(order, to=to, seen=order.status, actor=self.staff, now=now)

    def _finish(self, job: Job, day: date, calendar: ShopCalendar) -> None:
        """The job is done: ready; the carrier takes it the same afternoon; most pickups come that day."""
        order = db.session.get(Order, job.order_id)
        for to in (S.PREPRESS, S.PRINTING, S.FINISHING, S.READY):
            if FORWARD.index(order.status) < FORWARD.index(to):
                queue.move_job(order, to=to, seen=order.status, actor=self.staff, now=self.at(day, 16.5))
        job.ready_on = day
        method = order.delivery_method
        if method == DeliveryMethod.CARRIER:
            self._move(order, S.SHIPPED, day, 16.75, carrier="UPS", tracking_number=f"1Z{order.id:010d}")
            job.arrive_on = calendar.add_business_days(day, self.rng.choice(CARRIER_DAYS))
        elif method == DeliveryMethod.PICKUP and self.rng.random() < 0.7:
            self._move(order, S.DELIVERED, day, 16.9, received_by=order.customer.name)
            job.delivered_on = day

    def clear_readings(self, day: date) -> None:
        """Through the Copyright queue: the shop records each rights holder's answer the morning it
        comes (a grant, a third with a fee; now and then a refusal), and after a refusal the instructor
        removes the reading on the order page, so the pack goes on without it."""
        for job in self.jobs.values():
            for request_id, (answered, granted, chooses) in list(job.clearing.items()):
                request = db.session.get(ClearanceRequest, request_id)
                if request.state == ClearanceState.AWAITING and answered == day:
                    sent = clock.shop_today(request.requested_at).isoformat()
                    if granted:
                        term = request.order.term or upcoming_terms(day)[0]
                        copyright.work_on(request, action="grant", sent_on=sent, period=term,
                                          fee="45" if self.rng.random() < FEE_SHARE else "",
                                          expires_on=copyright_rules.usual_expiry(day).isoformat(),
                                          notes="Granted by the publisher.", now=self.at(day, 9.5), actor=self.staff)
                    else:
                        copyright.work_on(request, action="refuse", sent_on=sent, notes="The publisher refused.",
                                          now=self.at(day, 9.5), actor=self.staff)
                if request.state == ClearanceState.REFUSED and chooses <= day:
                    order = request.order
                    copyright.choose(order.customer, order.number, request.id, choice="remove", now=self.at(day, 11))
                if request.state not in (ClearanceState.AWAITING, ClearanceState.REFUSED):
                    del job.clearing[request_id]
        db.session.commit()

    def answer_proofs(self, day: date) -> None:
        for job in self.jobs.values():
            if job.proof_answer_on == day and job.proof_id:
                self.answer(job, self.at(day, 9))
        db.session.commit()

    def answer(self, job: Job, now: datetime) -> None:
        order = db.session.get(Order, job.order_id)
        proof = next(p for p in order.proofs if p.id == job.proof_id)
        queue.answer_proof(proof, customer=order.customer, approved=True, comment="", now=now)
        job.proof_id = None

    def deliver(self, day: date) -> None:
        """In the morning: the campus run takes what was ready before, the carrier arrives, pickups come."""
        for job in self.jobs.values():
            if job.delivered_on or job.ready_on is None or job.ready_on >= day:
                continue
            order = db.session.get(Order, job.order_id)
            method = order.delivery_method
            if method == DeliveryMethod.CARRIER:
                if job.arrive_on == day:
                    self._move(order, S.DELIVERED, day, 12, received_by="Front desk")
                    job.delivered_on = day
            elif method == DeliveryMethod.CAMPUS:
                self._move(order, S.SHIPPED, day, 9)
                self._move(order, S.DELIVERED, day, 13, received_by="Department office")
                job.delivered_on = day
            else:
                self._move(order, S.DELIVERED, day, 11, received_by=order.customer.name)
                job.delivered_on = day
        db.session.commit()

    def _move(self, order: Order, to: S, day: date, hour: float, **details) -> None:
        queue.move_job(order, to=to, seen=order.status, actor=self.staff, now=self.at(day, hour), details=details)


FORWARD = [S.RECEIVED, S.PREPRESS, S.PRINTING, S.FINISHING, S.READY, S.SHIPPED, S.DELIVERED]


def sweep(now: datetime) -> None:
    """What the worker does: re-plan the open orders, then announce the delays it finds."""
    keeping.replan(now=now)
    notices.check_delays(now=now)
    db.session.commit()


def run(*, days: int, seed: int, start: date = date(2026, 8, 3), scenario: Scenario = SCENARIOS["mix"],
        customers: int = 24) -> dict:
    """Simulates `days` calendar days from `start` with `customers` ordering (fewer make a quicker,
    quieter shop); returns the summary of promises kept."""
    shop = Shop(seed=seed, scenario=scenario, customers=customers)
    report = Report(seed=seed, days=days, scenario=scenario.name)
    end = start + timedelta(days=days)
    day = start
    while day < end:
        calendar = services.shop_calendar(day)
        if calendar.is_business_day(day):
            shop.breakdown(day, calendar, start)
            sweep(shop.at(day, 8))
            shop.answer_proofs(day)
            shop.clear_readings(day)
            for hour, slug, quantity in shop.arrivals(day):
                shop.place(shop.at(day, hour), slug, quantity, day)
            shop.deliver(day)
            shop.work_the_day(day, calendar)
            sweep(shop.at(day, 17))
            if day.weekday() == 4:
                keeping.calibrate(now=shop.at(day, 17.5))
            db.session.commit()
        day += timedelta(days=1)
    calendar = services.shop_calendar(end)
    late, kept = [], []
    for job in shop.jobs.values():
        report.orders += 1
        report.rush_orders += job.rush
        report.mailer_orders += job.mailer
        if job.promise >= end:
            continue  # its promise falls after the simulation: not judged
        method = DeliveryMethod.PICKUP if job.collected else None
        judged = rules.judged_on(method, ready_on=job.ready_on, delivered_on=job.delivered_on,
                                 transit_days=calendar.business_days_between(job.ready_by, job.promise))
        if rules.kept(job.promise, judged):
            report.kept += 1
            kept.append(job)
            report.collected_after_promise += job.collected and (job.delivered_on or end) > job.promise
        else:
            report.late_mailers += job.mailer
            late.append(job)
        report.slacks.append(calendar.business_days_between(judged or end, job.promise))
    collected = {job.order_id for job in late if job.collected and job.ready_on is not None and job.ready_on <= job.promise}
    warned = warned_ahead(late, calendar)
    report.late_collected, report.late_warned = len(collected), len(warned)
    report.shop_late_warned = len(warned - collected)
    report.warned_kept = len(told_of_delay(kept))
    return report.summary()


def warned_ahead(jobs: list[Job], calendar: ShopCalendar) -> set[int]:
    """The orders among `jobs` whose customer was sent the delay notice (a row in the outbox, to the
    order's customer, on any channel) at least one business day before the promised date."""
    promises = {job.order_id: job.promise for job in jobs}
    first = told_of_delay(jobs)
    return {order_id for order_id, day in first.items() if calendar.business_days_between(day, promises[order_id]) >= 1}


def told_of_delay(jobs: list[Job]) -> dict[int, date]:
    """The orders among `jobs` whose customer has a delay notice in the outbox, with the shop day of the first."""
    ids = [job.order_id for job in jobs]
    first: dict[int, date] = {}
    for chunk in range(0, len(ids), 500):
        for order_id, created_at in db.session.execute(
                select(Notice.order_id, Notice.created_at).join(Order, Order.id == Notice.order_id)
                .where(Notice.kind == NoticeKind.DELAY, Notice.recipient_id == Order.customer_id,
                       Notice.order_id.in_(ids[chunk:chunk + 500]))):
            day = clock.shop_today(created_at)
            first[order_id] = min(day, first.get(order_id, day))
    return first


def on_scratch_database(*, days: int, seed: int, start: date, scenario: str, keep: str | None = None,
                        customers: int = 24) -> dict:
    """Runs the simulation on a scratch SQLite database of its own (kept at `keep` when given) and returns the
    summary: what this script and `flask --app wsgi promises simulate` both do."""
    with tempfile.TemporaryDirectory(prefix="portal-sim-") as scratch:
        database = Path(keep).resolve() if keep else Path(scratch) / "sim.db"
        database.unlink(missing_ok=True)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                          "UPLOAD_DIR": str(Path(scratch) / "uploads")})
        with app.app_context():
            upgrade()
            summary = run(days=days, seed=seed, start=start, scenario=SCENARIOS[scenario], customers=customers)
            db.session.remove()
            db.engine.dispose()
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description="Runs the shop for DAYS on a scratch database.")
    parser.add_argument("--days", type=int, default=120, help="calendar days to simulate (120)")
    parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed, the same shop (1)")
    parser.add_argument("--start", default="2026-08-03", help="first day, before the Fall term (2026-08-03)")
    parser.add_argument("--scenario", default="mix", choices=list(SCENARIOS),
                        help="mix (the usual), surge, station-down or clearance (mix)")
    parser.add_argument("--customers", type=int, default=24, help="customers ordering: fewer, a quieter shop (24)")
    parser.add_argument("--keep", metavar="PATH", help="keep the scratch SQLite database here, to look at afterwards")
    args = parser.parse_args()
    summary = on_scratch_database(days=args.days, seed=args.seed, start=date.fromisoformat(args.start),
                                  scenario=args.scenario, keep=args.keep, customers=args.customers)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
