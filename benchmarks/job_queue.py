"""The staff queue with 10,000 open jobs and years of history: how long its pages take, how many queries.

    .venv/bin/python benchmarks/job_queue.py                     # a fresh SQLite file in a temporary folder
    DATABASE_URL=postgresql+psycopg://... benchmarks/job_queue.py  # an EMPTY PostgreSQL database (it is wiped)

Not a timed test: it prints a table. The page must issue the same number of queries as with a few jobs.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "test")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.orders.models import Order, OrderStatus  # noqa: E402
from portal.queue import rules  # noqa: E402
from tests.factories import NOW, Factory  # noqa: E402

OPEN_JOBS = int(os.environ.get("BENCH_OPEN_JOBS", 10_000))
HISTORY = int(os.environ.get("BENCH_HISTORY", 100_000))  # about three years at a busy shop
PAGES = ["/staff/queue", "/staff/queue/board", "/staff/queue?when=late", "/staff/queue?when=at_risk&rush=1",
         "/staff/queue?q=omar", "/staff/queue?stage=printing&page=20", "/staff/queue/counts"]


def build(app) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        make = Factory()
        make.catalog()
        customers = [make.customer(name=name) for name in ("Omar Farouk", "Grace Chen", "Sam Whitfield")]
        customers += [make.customer() for _ in range(40)]
        staff = [make.staff() for _ in range(12)]
        first = make.order(customers[0])
        columns = {c.key: getattr(first, c.key) for c in Order.__table__.columns if c.key not in ("id", "number", "tracking_token")}
        rows = []
        for n in range(OPEN_JOBS + HISTORY):
            is_open = n < OPEN_JOBS
            promise = NOW.date() + timedelta(days=(n % 40) - 10 if is_open else -(n % 1100) - 1)
            rows.append({**columns, "idempotency_key": f"bench-{n}", "number": f"{promise:%y}-{n + 10:06d}",
                         "status": rules.STAGES[n % len(rules.STAGES)] if is_open else OrderStatus.DELIVERED,
                         "customer_id": customers[n % len(customers)].id, "assigned_to_id": staff[n % 12].id,
                         "rush": n % 11 == 0, "promise_date": promise,
                         "expected_date": promise + timedelta(days=1 if n % 13 == 0 else 0),
                         "placed_at": NOW - timedelta(days=(n % 1100) + 3)})
            if len(rows) == 5000:
                db.session.execute(insert(Order), rows)
                rows = []
        if rows:
            db.session.execute(insert(Order), rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return staff[0]


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": tempfile.mkdtemp(), "SESSION_COOKIE_SECURE": False})
    started = time.perf_counter()
    staff = build(app)
    print(f"{OPEN_JOBS:,} open jobs and {HISTORY:,} delivered on {url.split(':')[0]} "
          f"(built in {time.perf_counter() - started:.0f} s)")
    from tests.conftest import PortalClient

    app.test_client_class = PortalClient
    client = app.test_client()
    client.sign_in(staff)
    with app.app_context():
        engine = db.engine
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    print(f"{'page':45} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for page in PAGES:
        timings = []
        for _ in range(7):
            statements.clear()
            start = time.perf_counter()
            response = client.get(page)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (page, response.status_code)
        queries = len([s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "PRAGMA"))])
        print(f"{page:45} {statistics.median(timings):10.0f} {max(timings):8.0f} {queries:8}")


if __name__ == "__main__":
    main()
