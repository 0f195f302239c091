"""How fast the delivery estimate is, with a shop full of queued work: it runs on every configurator change.

    .venv/bin/python benchmarks/estimate.py                      # a fresh SQLite file in a temporary folder
    BENCH_OPEN_JOBS=2000 .venv/bin/python benchmarks/estimate.py

Times, with that many open jobs and their planned station work:
- the shop state an estimate starts from (calendar, capacity, queued minutes): loaded, as after any write, and
  kept (per process, under the data version and the day), as when nothing was written since;
- the pure estimate itself (portal/promises/rules.py), as each extra estimate in a request costs;
- the configurator's price-and-date fragment end to end (what htmx fetches when an option changes), with the shop
  state kept and with a write committed before each request;
- a full re-plan of every open order with every order's date changing (the worst case), a re-plan with nothing
  changed, and the worker's five-minute check that finds nothing changed since the last re-plan (and skips it).
Not a timed test: it prints a table, wall-clock and CPU (this process's, SQLite's included: on a machine whose cores
other work shares, the CPU column is what the code costs, the wall-clock one what it took).
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "test")

import time_machine  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select, update  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.orders.models import Order, OrderStatus  # noqa: E402
from portal.keeping import services as keeping  # noqa: E402
from portal.promises import services as promises  # noqa: E402
from portal.promises.models import OrderWork, Station  # noqa: E402
from tests.factories import NOW, Factory, job_values  # noqa: E402

OPEN_JOBS = int(os.environ.get("BENCH_OPEN_JOBS", 10_000))
STAGES = [OrderStatus.RECEIVED, OrderStatus.PREPRESS, OrderStatus.PRINTING, OrderStatus.FINISHING]


def build(app):
    """The catalog, one customer, and OPEN_JOBS open orders, each with minutes at three stations."""
    with app.app_context():
        upgrade()
        make = Factory()
        customer = make.customer()
        first = make.order(customer)
        stations = list(db.session.scalars(select(Station.id).order_by(Station.position)))
        columns = {c.key: getattr(first, c.key) for c in Order.__table__.columns
                   if c.key not in ("id", "number", "tracking_token")}
        rows = [{**columns, "idempotency_key": f"bench-{n}", "number": f"26-{n + 10:06d}",
                 "status": STAGES[n % len(STAGES)], "rush": n % 11 == 0} for n in range(OPEN_JOBS)]
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Order), rows[start:start + 5000])
        ids = db.session.scalars(select(Order.id).where(Order.idempotency_key.like("bench-%"))).all()
        work = [{"order_id": order_id, "station_id": stations[(n + step) % len(stations)], "position": step,
                 "stage": promises.STAGE_ORDER[step], "minutes": 5.0 + (n % 7), "rush": n % 11 == 0, "done": False}
                for n, order_id in enumerate(ids) for step in range(3)]
        for start in range(0, len(work), 5000):
            db.session.execute(insert(OrderWork), work[start:start + 5000])
        db.session.commit()
        return customer, make.stored_file(customer, pages=40)


def timed(function, repeat: int) -> list[tuple[float, float]]:
    timings = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        function()
        timings.append(((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000))
    return timings


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": tempfile.mkdtemp(), "SESSION_COOKIE_SECURE": False})
    with time_machine.travel(NOW, tick=False):
        customer, stored = build(app)
        from tests.conftest import PortalClient

        app.test_client_class = PortalClient
        client = app.test_client()
        client.sign_in(customer)
        rows = []
        with app.test_request_context():
            today = promises.shop_state(NOW).today
            rows.append(("shop state, loaded (a write since the last)", timed(lambda: promises.load_shop_state(today), 30)))

            def kept_state():
                promises.forget_state()  # a new request: what it finds kept for the data version
                promises.shop_state(NOW)

            rows.append(("shop state, kept (no write since)", timed(kept_state, 300)))
            state = promises.shop_state(NOW)
            configuration = Factory().configuration(customer, files=[stored])
            job = configuration.job()
            rows.append(("estimate, given the shop state", timed(
                lambda: promises.estimate_for(job, delivery_method="campus", now=NOW, state=state), 300)))
        values = job_values("course-pack", [stored])

        def fragment():
            values["enrollment"] = str(40 + len(rows))
            response = client.get("/products/course-pack", query_string=values,
                                  headers={"HX-Request": "true", "HX-Target": "quote"})
            assert response.status_code == 200 and "data-estimate" in response.get_data(as_text=True), response.status_code

        rows.append(("configurator fragment, end to end", timed(fragment, 30)))
        with app.app_context():
            def write_then_fragment():
                db.session.execute(update(Station).where(Station.position == 0).values(name=Station.name))
                db.session.commit()  # moves the data version on: the fragment loads the shop state again
                fragment()

            rows.append(("configurator fragment, a write before each", timed(write_then_fragment, 30)))

            def replan():
                promises.forget_state()
                keeping.replan(now=NOW)
                db.session.rollback()

            rows.append((f"re-plan every open order, all {OPEN_JOBS:,} changing", timed(replan, 3)))
            keeping.replan(now=NOW)
            db.session.commit()

            def replan_again():
                promises.forget_state()
                keeping.replan(now=NOW)
                db.session.commit()

            rows.append(("re-plan, nothing changed", timed(replan_again, 3)))

            def periodic_check():
                keeping.replan_is_due(now=NOW)
                db.session.rollback()

            rows.append(("five-minute check, nothing changed (skips the re-plan)", timed(periodic_check, 30)))
    print(f"{OPEN_JOBS:,} open jobs on {url.split(':')[0]}\n")
    print("| What | median ms | max ms | median CPU ms |\n|---|---:|---:|---:|")
    for name, timings in rows:
        wall, cpu = [t[0] for t in timings], [t[1] for t in timings]
        print(f"| {name} | {statistics.median(wall):.2f} | {max(wall):.2f} | {statistics.median(cpu):.2f} |")


if __name__ == "__main__":
    main()
