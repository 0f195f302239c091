"""A campus with a year of history: departments, people, things on file and past orders."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from portal.accounts.models import Department, DepartmentKind, Role, User
from portal.accounts.services import create_user
from portal.addresses.models import Address
from portal.shop.delivery import DeliveryMethod
from portal.billing.models import AccountHolder, BillingAccount
from portal.catalog import rules as pricing
from portal.catalog.models import CopyrightStatus, Product
from portal.care import outside, services as care
from portal.copyright import services as clearing
from portal.demo import sample_pdfs
from portal.demo.catalog import load_catalog
from portal.documents import services as documents
from portal.extensions import db
from portal.orders import rules as order_rules
from portal.orders.models import (Order, OrderEvent, OrderFile,
                                  OrderStatus)
from portal.queue.models import Proof, Shipment, ShipmentKind
from portal.promises import rules as promise_rules
from portal.promises import services as promises
from portal.promises.models import Closure, OrderWork, Station
from portal.shop import clock
from portal.statements import services as statements
from portal.notices import tracking
from portal.spreadsheets import csv_text
from portal.terms.models import Term

PASSWORDS = {"customer": "print-demo-faculty", "admin": "print-demo-admin", "staff": "print-demo-staff"}

DEPARTMENTS = [
    ("Academics", DepartmentKind.ADMINISTRATIVE, "MS 101"), ("Athletics", DepartmentKind.ADMINISTRATIVE, "MS 220"),
    ("Admissions", DepartmentKind.ADMINISTRATIVE, "MS 140"), ("Administration", DepartmentKind.ADMINISTRATIVE, "MS 100"),
    ("Alumni", DepartmentKind.ADMINISTRATIVE, "MS 160"), ("School of Law", DepartmentKind.ACADEMIC, "MS 310"),
    ("History", DepartmentKind.ACADEMIC, "MS 420"), ("Biology", DepartmentKind.ACADEMIC, "MS 510"),
    ("English", DepartmentKind.ACADEMIC, "MS 430"), ("Economics", DepartmentKind.ACADEMIC, "MS 440"),
]

# Other customers whose orders fill the shop's history.
CUSTOMERS = [
    ("jordan.lee@example.edu", "Jordan Lee", "Athletics", "Field House", "Room 12"),
    ("amira.haddad@example.edu", "Amira Haddad", "Admissions", "Welcome Center", "Suite 200"),
    ("sam.whitfield@example.edu", "Sam Whitfield", "Alumni", "Alumni House", "Room 3"),
    ("grace.chen@example.edu", "Prof. Grace Chen", "Biology", "Life Sciences Building", "Room 412"),
    ("omar.farouk@example.edu", "Prof. Omar Farouk", "History", "McGraw Hall", "Room 230"),
    ("lucia.moreno@example.edu", "Prof. Lucía Moreno", "English", "Goldwin Smith Hall", "Room 250"),
    ("ben.okoro@example.edu", "Ben Okoro", "Academics", "Day Hall", "Room 300"),
    ("hannah.weiss@example.edu", "Prof. Hannah Weiss", "Economics", "Uris Hall", "Room 440"),
]

# A customer whose department used to order often and has not for nine weeks (overdue on the Relationships page).
QUIET = ("hannah.weiss@example.edu", 63)

READINGS = [
    ("Marbury v. Madison (1803), excerpts", 14), ("The Federalist No. 78", 8),
    ("McCulloch v. Maryland (1819), excerpts", 18), ("Brown v. Board of Education (1954)", 12),
    ("Notes on judicial review", 22), ("Constitutional interpretation: a primer", 30),
]


def demo_loaded() -> bool:
    return db.session.scalar(select(User).where(User.email == "faculty@example.edu")) is not None


def load(*, now: datetime, seed: int = 2026, history_days: int = 365) -> None:
    """Everything `make run` shows, dated from the shop's today (a demo loaded any day looks the same).
    Flushes; the caller commits."""
    rng = random.Random(seed)
    today = clock.shop_today(now)
    products = load_catalog()
    departments = {}
    for name, kind, mail_stop in DEPARTMENTS:
        departments[name] = Department(name=name, kind=kind, mail_stop=mail_stop)
        db.session.add(departments[name])
    db.session.flush()
    faculty = create_user(email="faculty@example.edu", name="Prof. Maya Okafor", password=PASSWORDS["customer"],
                          phone="555-013-2210", departments=[departments["School of Law"], departments["History"]])
    dept_admin = create_user(email="deptadmin@example.edu", name="Daniel Reyes", password=PASSWORDS["admin"],
                             phone="555-013-2200", departments=[departments["Alumni"]],
                             administers=[departments["School of Law"], departments["Alumni"]])
    create_user(email="staff@example.edu", name="Priya Natarajan", password=PASSWORDS["staff"], role=Role.STAFF,
                phone="555-013-4401")
    create_user(email="staff2@example.edu", name="Tom Becker", password=PASSWORDS["staff"], role=Role.STAFF,
                phone="555-013-4402")
    create_user(email="manager@example.edu", name="Rosa Alvarez", password=PASSWORDS["staff"], role=Role.ADMIN,
                phone="555-013-4400")

    law_mailroom = _address(faculty, "Law School mailroom", DeliveryMethod.CAMPUS, building="Myron Taylor Hall",
                            room="Room 120 (mailroom)", default=True)
    _address(faculty, "Pickup at the shop", DeliveryMethod.PICKUP)
    _address(faculty, "Home office", DeliveryMethod.CARRIER, street1="12 Elm Street", city="Ithaca", state="NY",
             postal_code="14850")
    law_materials = _account("10-4410-7200", "Law course materials", departments["School of Law"],
                             threshold=250000, approver=dept_admin, holders=[faculty, dept_admin], default_for=[faculty])
    history_account = _account("10-2230-7200", "History teaching supplies", departments["History"], holders=[faculty])
    expired_on = _month_end_before(today, months=3)
    summer_institute = _account("10-4410-7350", f"Law summer institute {expired_on.year}", departments["School of Law"],
                                holders=[faculty], active_until=expired_on)
    _address(dept_admin, "Alumni House office", DeliveryMethod.CAMPUS, building="Alumni House", room="Room 1", default=True)
    alumni = _account("20-5100-6100", "Alumni relations outreach", departments["Alumni"], holders=[dept_admin],
                      default_for=[dept_admin], threshold=500000, approver=dept_admin)

    for day in _winter_break(today):
        db.session.add(Closure(day=day, reason="Winter break"))

    reading_files = [documents.store_pdf(faculty, data=sample_pdfs.reading_pdf(title, pages), filename=f"{title}.pdf")
                     for title, pages in READINGS[:4]]
    symposium = documents.store_pdf(faculty, data=sample_pdfs.artwork_pdf("Law School Symposium 2026", 1),
                                    filename="Law School Symposium.pdf")
    customers = [(faculty, law_mailroom, law_materials, reading_files + [symposium])]
    for email, name, department, building, room in CUSTOMERS:
        user = create_user(email=email, name=name, password=PASSWORDS["customer"], departments=[departments[department]])
        address = _address(user, f"{department} office", DeliveryMethod.CAMPUS, building=building, room=room, default=True)
        code = f"{rng.randint(10, 40)}-{rng.randint(1000, 9999)}-{rng.randint(6000, 7999)}"
        account = _account(code, f"{department} printing", departments[department], holders=[user], default_for=[user])
        artwork = documents.store_pdf(user, data=sample_pdfs.artwork_pdf(f"{department} news", 2),
                                      filename=f"{department.lower()}-artwork.pdf")
        customers.append((user, address, account, [artwork]))
    customers.append((dept_admin, db.session.scalar(select(Address).where(Address.user_id == dept_admin.id)), alumni,
                      [documents.store_pdf(dept_admin, data=sample_pdfs.artwork_pdf("Alumni weekend", 2),
                                           filename="alumni-weekend-postcard.pdf")]))
    db.session.flush()
    staff = db.session.scalars(select(User).where(User.role != Role.CUSTOMER)).all()
    _history(rng, customers, products, now=now, days=history_days, staff=staff, history_account=history_account)
    # The summer institute's packs were charged to an account that has since expired: reordering one
    # shows how the portal asks for another account in place.
    calendar = promises.shop_calendar(today)
    for back in (84, 49):
        day = calendar.on_or_after(expired_on - timedelta(days=back))
        if today - timedelta(days=history_days) <= day <= today:
            _past_order(rng, (faculty, law_mailroom, summer_institute, reading_files), products["course-pack"],
                        day=day, now=now, calendar=calendar, staff=staff)
    # And a few jobs in the shop right now.
    for back, slug in ((4, "course-pack"), (2, "poster"), (1, "course-pack")):
        day = today - timedelta(days=back)
        if calendar.is_business_day(day):
            _past_order(rng, customers[0], products[slug], day=day, now=now, calendar=calendar, staff=staff)
    _todays_work(rng, customers, products, now=now, calendar=calendar, staff=staff)
    _terms(rng, customers, products, now=now, calendar=calendar, staff=staff)
    _copyright(faculty, now=now)
    _last_months_credit(customers[0][0], now=now)
    _care(rng, faculty, departments, now=now)


def _month_end_before(today: date, *, months: int) -> date:
    """The last day of the month `months` before this one (3 in November: August 31)."""
    end = today.replace(day=1) - timedelta(days=1)
    for _ in range(months - 1):
        end = end.replace(day=1) - timedelta(days=1)
    return end


def _winter_break(today: date) -> list[date]:
    """The shop's coming (or current) winter break: December 24 and 28 to 31, and January 2."""
    year = today.year - 1 if today <= date(today.year, 1, 2) else today.year
    return [date(year, 12, 24), *(date(year, 12, day) for day in range(28, 32)), date(year + 1, 1, 2)]


def _business_days_before(calendar, day: date, count: int) -> date:
    for _ in range(count):
        day -= timedelta(days=1)
        while not calendar.is_business_day(day):
            day -= timedelta(days=1)
    return day


def _todays_work(rng, customers, products: dict[str, Product], *, now: datetime, calendar, staff) -> None:
    """What a new user should find today, whatever day the demo is loaded: a job due today (the queue's
    "Due today"), a proof waiting for the customer's answer, and a delivery out on today's campus run;
    the last two are the faculty member's own, so they see them on their home and order pages."""
    today = clock.shop_today(now)
    faculty = customers[0]
    due = _past_order(rng, customers[1], products["flyer"], day=_business_days_before(calendar, today, 2), now=now,
                      calendar=calendar, staff=staff, stop_at=OrderStatus.PRINTING)
    _move(due, OrderStatus.FINISHING, at=now - timedelta(minutes=40), by=staff[0])
    due.promise_date = due.expected_date = due.planned_date = today

    waiting = _past_order(rng, faculty, products["booklet"], day=_business_days_before(calendar, today, 1), now=now,
                          calendar=calendar, staff=staff, stop_at=OrderStatus.RECEIVED)
    sent_at = now - timedelta(hours=20)
    proof_file = documents.store_pdf(staff[0], data=sample_pdfs.artwork_pdf("Proof 1: Law School Symposium", 2),
                                     filename="Law School Symposium, proof 1.pdf")
    waiting.proofs.append(Proof(round=1, file_id=proof_file.id, sent_at=sent_at, sent_by_id=staff[0].id,
                                message="Please check the speakers' names and the date on the cover."))
    _move(waiting, OrderStatus.PREPRESS, at=sent_at, by=staff[0], message="Proof 1 sent for your approval.")

    out = _past_order(rng, faculty, products["course-pack"], day=_business_days_before(calendar, today, 3), now=now,
                      calendar=calendar, staff=staff, stop_at=OrderStatus.FINISHING)
    _move(out, OrderStatus.READY, at=now - timedelta(hours=3), by=staff[1])
    _move(out, OrderStatus.SHIPPED, at=now - timedelta(minutes=30), by=staff[1],
          message="Out for delivery on today's campus run.")
    out.shipment = Shipment(kind=ShipmentKind.CAMPUS_RUN, run_on=today, dispatched_at=now - timedelta(minutes=30),
                            dispatched_by_id=staff[1].id)
    out.promise_date = out.expected_date = max(out.promise_date, today)
    db.session.flush()


# Works the shop is asked to clear (portal/copyright): the Copyright queue is not empty in the demo.
WORKS_TO_CLEAR = (("The Common Law", "Oliver Wendell Holmes Jr.", "Little, Brown", 40, 422),
                  ("Contracts: Cases and Doctrine", "Randy E. Barnett", "Aspen Publishing", 28, 1180))


def _copyright(faculty: User, *, now: datetime) -> None:
    """The faculty member's packs not yet printing ask the shop to clear a reading each (two at most)."""
    packs = db.session.scalars(select(Order).where(
        Order.customer_id == faculty.id, Order.course_code.is_not(None),
        Order.status.in_([OrderStatus.RECEIVED, OrderStatus.PREPRESS])).order_by(Order.promise_date)).all()
    calendar = promises.shop_calendar(clock.shop_today(now))
    for pack, (title, author, publisher, used, total) in zip(packs, WORKS_TO_CLEAR):
        reading = pack.files[-1]
        # ordered asking the shop to clear it: promised with the shop's usual clearance time, as the portal does
        pack.promise_date = pack.expected_date = calendar.add_business_days(
            pack.promise_date, promises.clearance_days())
        reading.title = title
        reading.copyright_status = CopyrightStatus.AWAITING_CLEARANCE
        reading.copyright_details = {"work_title": title, "work_author": author, "work_publisher": publisher,
                                     "pages_used": used, "total_pages": total}
        db.session.flush()
        clearing.open_requests(pack, now=now - timedelta(hours=2))


def _first_day_of(name: str) -> date:
    """A term's first day of classes as the demo campus keeps them: Spring the Tuesday after Martin Luther King Jr.
    Day (on or after January 19), Summer the first Monday of June, Fall the last Monday of August."""
    season, year = name.split(" ")
    start, weekday = {"Spring": (date(int(year), 1, 19), 1), "Summer": (date(int(year), 6, 1), 0),
                      "Fall": (date(int(year), 8, 25), 0)}[season]
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _terms(rng, customers, products: dict[str, Product], *, now: datetime, calendar, staff) -> None:
    """Last, this and next term on the calendar (Terms page, the configurator's deadline), and a few packs already
    ordered for next term by other instructors, one for the campus bookstore, so the term-start view has its rows
    and load. The faculty member had packs last term and has not ordered for next term: the reminder is theirs, and
    their past packs offer "Reprint for next term"."""
    today = clock.shop_today(now)
    names = [f"{season} {year}" for year in (today.year - 1, today.year, today.year + 1)
             for season in ("Spring", "Summer", "Fall")]
    days = {name: _first_day_of(name) for name in names}
    coming = next(name for name in names if days[name] > today)
    kept = [name for name in names if days[name] <= days[coming]][-3:]
    db.session.add_all(Term(name=name, first_day=days[name]) for name in kept)
    by_email = {owner[0].email: owner for owner in customers}
    for email in ("grace.chen@example.edu", "omar.farouk@example.edu", "lucia.moreno@example.edu"):
        user, address, account, files = by_email[email]
        if email == "lucia.moreno@example.edu":
            address = _address(user, "Campus bookstore", DeliveryMethod.BOOKSTORE)
        pack = _past_order(rng, (user, address, account, files), products["course-pack"],
                           day=_business_days_before(calendar, today, rng.randint(1, 3)), now=now, calendar=calendar,
                           staff=staff, stop_at=OrderStatus.RECEIVED)
        pack.term, pack.title = coming, f"{pack.course_code} course pack, {coming}"
        if address.kind == DeliveryMethod.BOOKSTORE:
            pack.student_price_cents, pack.copies_per_bundle = 2450, 25
    db.session.flush()


def _move(order: Order, status: OrderStatus, *, at: datetime, by: User, message: str | None = None) -> None:
    """The job moved on in the shop to `status` at `at` (through any stage it had not reached), with
    its timeline lines."""
    path = [OrderStatus.RECEIVED, *STAGES, OrderStatus.SHIPPED]
    for step in path[path.index(order.status) + 1: path.index(status) + 1]:
        order.events.append(OrderEvent(at=at, status=step, actor_id=by.id,
                                       message=message if message and step == status else _STEP_MESSAGES[step]))
    order.status, order.updated_at = status, at
    promises.job_moved(order, to=status)


def _address(user: User, label: str, kind: DeliveryMethod, *, default: bool = False, building: str = "",
             room: str = "", street1: str = "", city: str = "", state: str = "", postal_code: str = "") -> Address:
    address = Address(user_id=user.id, label=label, kind=kind, recipient=user.name, building=building, room=room,
                      street1=street1, city=city, state=state, postal_code=postal_code, is_default=default)
    db.session.add(address)
    db.session.flush()
    return address


def _account(code: str, name: str, department: Department, *, holders: list[User], default_for: list[User] = (),
             threshold: int | None = None, approver: User | None = None, active_until: date | None = None):
    account = BillingAccount(code=code, name=name, department_id=department.id, approval_threshold_cents=threshold,
                             approver_id=approver.id if approver else None, active_until=active_until)
    db.session.add(account)
    db.session.flush()
    for holder in holders:
        db.session.add(AccountHolder(account_id=account.id, user_id=holder.id, is_default=holder in default_for))
    db.session.flush()
    return account


QUANTITIES = {"flyer": [50, 100, 150, 200, 250, 500], "poster": [1, 1, 2, 3, 5], "booklet": [25, 50, 100, 200],
              "business-cards": [1, 1, 2], "postcard-mailer": [500, 1000, 2500], "letter-mailer": [250, 500, 1000]}
STAGES = [OrderStatus.PREPRESS, OrderStatus.PRINTING, OrderStatus.FINISHING, OrderStatus.READY]
JOB_MIX = [("course-pack", 5), ("flyer", 5), ("poster", 3), ("booklet", 2), ("business-cards", 2),
           ("postcard-mailer", 2), ("letter-mailer", 1)]


def _history(rng: random.Random, customers, products: dict[str, Product], *, now: datetime, days: int,
             staff: list[User], history_account: BillingAccount) -> None:
    """Past orders, about three a business day, most delivered on or before their promise."""
    today = clock.shop_today(now)
    calendar = promises.shop_calendar(today)
    slugs = [slug for slug, weight in JOB_MIX for _ in range(weight)]
    day = today - timedelta(days=days)
    while day <= today:
        if calendar.is_business_day(day):
            for _ in range(rng.choice([1, 2, 3, 3, 4])):
                owner = customers[0] if rng.random() < 0.08 else rng.choice(customers)
                if owner[0].email == QUIET[0] and (today - day).days < QUIET[1]:
                    continue  # Economics stopped ordering: the Relationships page lists it as overdue
                _past_order(rng, owner, products[rng.choice(slugs) if owner is not customers[0]
                                                 else rng.choice(["course-pack", "course-pack", "flyer", "poster"])],
                            day=day, now=now, calendar=calendar, staff=staff)
        day += timedelta(days=1)


def _past_order(rng, owner, product: Product, *, day: date, now: datetime, calendar, staff,
                stop_at: OrderStatus | None = None) -> Order:
    """An order placed on `day` and walked through the shop up to now (no further than `stop_at`)."""
    stations = {s.code: s for s in db.session.scalars(select(Station))}
    user, address, account, files = owner
    chosen = {option.code: rng.choice(option.choices) for option in product.options}
    if product.is_course_pack:
        enrollment = rng.choice([18, 24, 35, 42, 60, 85, 120])
        readings = files[:-1] if len(files) > 1 else files
        quantity, pieces = enrollment, readings[: rng.randint(min(2, len(readings)), len(readings))]
    else:
        enrollment = None
        quantity = rng.choice(QUANTITIES[product.slug])
        pieces = [files[-1]]
    pages = sum(f.page_count for f in pieces) or product.default_pages
    rush = rng.random() < 0.08
    quote = pricing.price(product.rules(), {c: ch.rules() for c, ch in chosen.items()}, quantity=quantity,
                          pages=pages, rush=rush)
    placed_at = datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=timezone.utc) + timedelta(hours=5)
    job = promises.Job(product_id=product.id, route=tuple(step.rule() for step in product.route),
                       chosen={c: ch.code for c, ch in chosen.items()}, quantity=quantity, pages=pages,
                       sheets=pricing.sheets_per_copy(pages, {c: ch.rules() for c, ch in chosen.items()}), rush=rush,
                       needs_proof=product.needs_proof)
    capacity = promise_rules.Capacity(calendar, {code: s.minutes_per_day for code, s in stations.items()})
    estimate = promise_rules.estimate(ordered_at=clock.shop_time(placed_at), cutoff=clock.cutoff(),
                                      capacity=capacity, work=job.work(), backlog={},
                                      proof_days=promise_rules.PROOF_ROUND_TRIP_DAYS if product.needs_proof else 0,
                                      buffer_days=promises.DEFAULT_BUFFER_DAYS, delivery_method=address.kind)
    # Most jobs arrive on the planned day, some a day later (inside the promise's margin), a few two.
    slip = rng.choices([0, 1, 2], weights=[74, 24, 2])[0]
    finished_on = calendar.add_business_days(estimate.planned_delivery, slip)
    term = f"{'Spring' if day.month < 6 else ('Summer' if day.month < 9 else 'Fall')} {day.year}"
    course = (("LAW 700" if account.code == "10-4410-7350" else rng.choice(["LAW 501", "LAW 612", "HIST 2100", "LAW 540"]))
              if product.is_course_pack else None)
    order = Order(
        idempotency_key=f"demo-{rng.getrandbits(64):016x}", customer_id=user.id, department_id=account.department_id,
        product_id=product.id, title=f"{course} course pack, {term}" if course else f"{product.name}: {pieces[0].original_name.removesuffix('.pdf')}",
        product_name=product.name, options={c: ch.code for c, ch in chosen.items()},
        option_labels=[[o.label, chosen[o.code].label] for o in product.options], quantity=quantity,
        pages_per_copy=pages, rush=rush, course_code=course, term=term if course else None,
        instructor=user.name if course else None, enrollment=enrollment, price_cents=quote.total_cents,
        price_lines=[[line.label, line.cents] for line in quote.lines],
        delivery_method=address.kind, address_id=address.id, ship_to=address.snapshot(),
        billing_account_id=account.id, billing=account.snapshot(), promise_date=estimate.delivery,
        expected_date=estimate.delivery, planned_date=estimate.planned_delivery, placed_at=placed_at,
        updated_at=placed_at)
    db.session.add(order)
    db.session.flush()
    order.number = order_rules.order_number(order.id, day)
    for position, stored in enumerate(pieces):
        order.files.append(OrderFile(file_id=stored.id, position=position, page_count=stored.page_count,
                                     title=stored.original_name.removesuffix(".pdf"),
                                     copyright_status=CopyrightStatus.PERMISSION_OBTAINED if course else None,
                                     copyright_details={"granted_by": "The publisher (licence on file)"} if course else None))
    order.events.append(OrderEvent(at=placed_at, status=OrderStatus.RECEIVED, actor_id=user.id,
                                   message=f"Order placed. Promised for {estimate.delivery:%A, %B %-d}."))
    # Walk the job through the shop up to today.
    steps = STAGES + [OrderStatus.SHIPPED if order.delivery_method == DeliveryMethod.CARRIER else None,
                      OrderStatus.DELIVERED]
    span = max(1, (finished_on - estimate.start).days)
    at = placed_at
    for index, status in enumerate(s for s in steps if s):
        step_day = estimate.start + timedelta(days=round(span * (index + 1) / len([s for s in steps if s])))
        at = datetime.combine(min(step_day, finished_on), time(14 + index % 3, 10 * index % 60), tzinfo=timezone.utc)
        if at > now or stop_at == OrderStatus.RECEIVED or order.status == stop_at:
            break
        order.status = status
        order.events.append(OrderEvent(at=at, status=status, actor_id=rng.choice(staff).id,
                                       message=_STEP_MESSAGES[status]))
        if status == OrderStatus.DELIVERED:
            order.delivered_on = finished_on
    order.updated_at = max(at, placed_at) if at <= now else placed_at
    for position, work in enumerate(job.work()):
        db.session.add(OrderWork(order_id=order.id, station_id=stations[work.station].id, position=position,
                                 stage=work.stage, minutes=work.minutes, rush=rush, done=False))
    db.session.flush()
    promises.job_moved(order, to=order.status)
    return order


_STEP_MESSAGES = {
    OrderStatus.PREPRESS: "Files checked and imposed.",
    OrderStatus.PRINTING: "On the press.",
    OrderStatus.FINISHING: "In the bindery.",
    OrderStatus.READY: "Finished and packed.",
    OrderStatus.SHIPPED: "Shipped by carrier.",
    OrderStatus.DELIVERED: "Delivered.",
}


def _last_months_credit(customer: User, *, now: datetime) -> None:
    """A credit on last month's statements: the customer's last job delivered then was reprinted."""
    last_month = clock.shop_today(now).replace(day=1) - timedelta(days=1)
    order = db.session.scalar(select(Order).where(
        Order.customer_id == customer.id, Order.status == OrderStatus.DELIVERED,
        Order.delivered_on >= last_month.replace(day=1), Order.delivered_on < last_month.replace(day=28))
        .order_by(Order.delivered_on.desc()).limit(1))
    manager = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    if order is not None and manager is not None:
        given = datetime.combine(order.delivered_on + timedelta(days=1), time(16, 0), tzinfo=timezone.utc)
        statements.credit_order(order, amount=f"{max(1, order.price_cents // 500)}.00", kind="reprint", actor=manager,
                                reason="Twelve copies had a smudged page 4; we reprinted them.", now=given)


COMMENTS = {5: ["Perfect, and a day early. Thank you!", "The binding on the course packs is the best we have had.",
                "Delivered straight to the lecture hall: exactly what we needed."],
            4: ["Good work; the proof took a day longer than I hoped.", "Colours were slightly darker than on screen."],
            3: ["Fine, but I had to call to find out where it was."],
            2: ["Several copies were missing pages 12 and 13."]}
# The purchasing office's outside print purchases, days back from today: Biology has drifted to an outside
# printer over the last three months, Athletics buys some of its work outside every month, English bought
# outside once, five months ago (at 100 % for three months, not six); everyone else sends the shop everything.
OUTSIDE = [("Biology", "Ithaca Print & Copy", back, "2400.00") for back in (8, 25, 45)] + [
    ("Athletics", "Big Red Signs", back, "310.00") for back in range(15, 365, 30)] + [
    ("English", "Campus Express Printing", 150, "1800.00")]


def _care(rng: random.Random, faculty: User, departments: dict[str, Department], *, now: datetime) -> None:
    """Care in every state: satisfaction answers (some with comments; a dissatisfied one opens a case by
    itself), cases open, overdue, waiting for the customer and made right, and the purchasing office's file of
    outside purchases, so the Care and Relationships pages show satisfaction, drifting and 100 % departments."""
    priya = db.session.scalar(select(User).where(User.email == "staff@example.edu"))
    manager = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    care.set_department_owner(department_id=departments["School of Law"].id, staff_id=priya.id, actor=manager)
    delivered = list(db.session.scalars(select(Order).where(Order.status == OrderStatus.DELIVERED)
                                        .order_by(Order.delivered_on, Order.id)))
    for order in delivered[-60:]:
        answered_at = datetime.combine(order.delivered_on + timedelta(days=1), time(15), tzinfo=timezone.utc)
        if answered_at > now or rng.random() < 0.3:
            continue
        score = rng.choices([5, 4, 3, 2], weights=[55, 30, 10, 5])[0]
        comment = rng.choice(COMMENTS[score]) if rng.random() < 0.4 or score <= 2 else None
        tracking.record_satisfaction(order, score, comment=comment, now=answered_at)
    mine = [order for order in delivered if order.customer_id == faculty.id]
    if mine:
        last = mine[-1]
        tracking.record_satisfaction(last, 1, comment="The covers were scuffed and two boxes were crushed.",
                                     now=max(now - timedelta(hours=2), last.placed_at))
    stories = [(20, "quality", "Page 4 is smudged on about a dozen copies.", "made_right"),
               (3, "wrong_quantity", "We received 100 copies instead of 120.", "reprint_offered"),
               (1, "late", "The packs were promised for Monday and are not here yet.", "overdue"),
               (0, "damaged", "One box arrived soaked from the rain.", "open")]
    left = mine[:-1]
    for days_back, cause, problem, state in stories:
        opened = now - timedelta(days=days_back, hours=1)
        order = next((order for order in reversed(left) if order.delivered_on < clock.shop_today(opened)), None)
        if order is None:
            continue
        left.remove(order)
        case = care.report(order=order, cause=cause, problem=problem, wanted="A reprint of what was wrong.",
                           attachment=None, now=opened, reporter=faculty)
        if state in ("made_right", "reprint_offered"):
            care.write(case, author=case.owner, body="I am sorry about that. Let me look into it today.",
                       now=opened + timedelta(hours=2))
        if state == "reprint_offered":
            care.offer_reprint(case, actor=case.owner, now=opened + timedelta(hours=3))
        if state == "made_right":
            care.resolve(case, summary="We reprinted the twelve copies and delivered them to the mailroom.",
                         actor=case.owner, now=opened + timedelta(days=2))
            care.answer_made_right(case, answer="yes", now=opened + timedelta(days=3))
    db.session.flush()
    today = clock.shop_today(now)
    rows = [["Department", "Vendor", "Date", "Amount"]] + [
        [name, vendor, (today - timedelta(days=back)).isoformat(), amount] for name, vendor, back, amount in OUTSIDE]
    data = csv_text(rows).encode()
    outside.apply(data, digest=outside.preview(data, now=now).digest, now=now)

