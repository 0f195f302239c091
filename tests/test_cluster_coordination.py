"""Several workers and app servers on one database: periodic work once per period, re-plans one at a time,
rate limits that hold under concurrency. Run on SQLite and on PostgreSQL (where the locks are advisory)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.background import PeriodicRun, once_per_period, period_start
from portal.database import exclusive
from portal.extensions import db
from portal.keeping import services as keeping
from portal.notices.models import TrackingLookup
from portal.promises.models import StationLoad
from tests.factories import NOW
from tests.notices_support import tracking_path


def test_periods_are_counted_from_the_epoch():
    moment = datetime(2026, 11, 23, 15, 7, 42, tzinfo=timezone.utc)
    assert period_start(moment, timedelta(minutes=1)) == datetime(2026, 11, 23, 15, 7, tzinfo=timezone.utc)
    assert period_start(moment, timedelta(minutes=5)) == datetime(2026, 11, 23, 15, 5, tzinfo=timezone.utc)


def test_a_period_runs_once_however_many_workers_ask(app):
    ran = []

    def worker():
        with app.app_context():
            once_per_period("test.sweep", timedelta(minutes=1), lambda: ran.append(1), now=NOW)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert ran == [1]
    with app.app_context():
        later = once_per_period("test.sweep", timedelta(minutes=1), lambda: "next minute", now=NOW + timedelta(minutes=1))
        assert later == "next minute"
        assert db.session.scalar(select(func.count()).select_from(PeriodicRun)) == 2


def test_old_claims_are_forgotten(app):
    with app.app_context():
        once_per_period("test.old", timedelta(minutes=1), lambda: None, now=NOW - timedelta(days=30))
        once_per_period("test.old", timedelta(minutes=1), lambda: None, now=NOW)
        assert db.session.scalars(select(PeriodicRun.period_start)).all() == [period_start(NOW, timedelta(minutes=1))]


def test_a_re_plan_while_another_runs_does_nothing(make, customer, ctx):
    make.order(customer)
    db.session.execute(delete(StationLoad))
    db.session.commit()
    with Session(db.engine) as other_worker:
        assert exclusive(other_worker, "promises-replan")  # another worker is mid re-plan
        if db.engine.dialect.name == "postgresql":
            assert keeping.replan(now=NOW) == 0
            assert db.session.scalar(select(func.count()).select_from(StationLoad)) == 0  # it wrote nothing
            db.session.rollback()
            other_worker.rollback()  # that worker's transaction ends, and with it the lock
        # (SQLite: background work takes the write lock at BEGIN, so two re-plans never overlap anyway.)
    keeping.replan(now=NOW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StationLoad)) > 0


def test_concurrent_tracking_lookups_never_pass_the_limit(app, make, customer, ctx):
    path = tracking_path(make.order(customer), now=NOW)
    limit = app.config["TRACKING_LOOKUPS_PER_WINDOW"]
    answers, barrier = [], threading.Barrier(12)

    def visitor(n: int):
        client = app.test_client()
        barrier.wait()
        for _ in range(5):
            answers.append(client.get(path).status_code)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 60
    assert answers.count(200) == limit and answers.count(429) == 60 - limit
    assert db.session.scalar(select(func.count()).select_from(TrackingLookup)) == limit
