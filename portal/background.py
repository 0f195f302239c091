"""Background work runs in the worker's own app, made once; tasks run outside any request. Periodic work
runs once per period in the whole cluster, however many workers there are (once_per_period)."""
from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta, timezone

from flask import Flask, has_app_context
from sqlalchemy import String, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from portal import logs
from portal.database import UTCDateTime, unversioned, utcnow
from portal.extensions import db

log = logging.getLogger("portal")
_app: Flask | None = None
_app_lock = threading.Lock()
_at_start = []
_make_app = None


def use_app_factory(make_app) -> None:
    """The worker (worker.py) says how to make its app: background work knows no domain above it."""
    global _make_app
    _make_app = make_app


def at_start(hook) -> None:
    """Something to run once when the worker's app is made (a warning about its configuration)."""
    _at_start.append(hook)


def worker_app() -> Flask:
    """The consumer's own app, made once (tasks run outside any request)."""
    global _app
    with _app_lock:
        if _app is None:
            if _make_app is None:
                raise RuntimeError("No app factory: start the worker with huey_consumer worker.huey")
            _app = _make_app()
            logs.configure(json_lines=_app.config["LOG_FORMAT"] == "json")
            for hook in _at_start:
                hook(_app)
    return _app


def in_app(work):
    """Runs `work` in the current app context, or in the worker's app with a fresh session."""
    if has_app_context():
        return work()
    with worker_app().app_context():
        try:
            return work()
        finally:
            db.session.remove()




class PeriodicRun(db.Model):
    """One period of one periodic task, claimed by the worker that runs it (the others see the row)."""

    __tablename__ = "periodic_runs"

    task: Mapped[str] = mapped_column(String(80), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    worker: Mapped[str] = mapped_column(String(120))


KEEP_RUNS = timedelta(days=8)  # longer than the longest period (a week)


def period_start(now: datetime, every: timedelta) -> datetime:
    """The start of the period `now` falls in, periods of `every` counted from the Unix epoch."""
    seconds = int(every.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=timezone.utc)


def once_per_period(task: str, every: timedelta, work, *, now: datetime | None = None):
    """Runs `work` if this worker is the first to claim this period of `task` (the claim is committed
    first, so every other worker sees it), else does nothing and returns None. Call it in an app context."""
    moment = now or utcnow()
    start = period_start(moment, every)
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    claimed = db.session.execute(
        dialect.insert(PeriodicRun).values(task=task, period_start=start, claimed_at=moment,
                                           worker=f"{socket.gethostname()}:{os.getpid()}")
        .on_conflict_do_nothing(index_elements=["task", "period_start"]).returning(PeriodicRun.task)
    ).scalar_one_or_none()
    if claimed is None:
        db.session.rollback()
        return None
    db.session.execute(delete(PeriodicRun).where(PeriodicRun.task == task, PeriodicRun.period_start < moment - KEEP_RUNS))
    unversioned(db.session)  # a claim every minute must not look like a change to what is kept under the data version
    db.session.commit()
    return work()
