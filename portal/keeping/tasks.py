"""Background work for promises (huey): keep expected dates current, and recalibrate weekly."""
from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab

from portal.background import in_app, once_per_period
from portal.database import utcnow
from portal.extensions import db, huey
from portal.keeping import services

log = logging.getLogger("portal.keeping")


def _replan() -> None:
    changed = services.replan(now=utcnow())
    db.session.commit()
    if changed:
        log.info("Re-planned: %s orders changed their expected date or risk", changed)


def _calibrate() -> None:
    runs = services.calibrate(now=utcnow())
    db.session.commit()
    for run in runs:
        log.info("Calibrated product %s: buffer %s business days (was %s, %s jobs)", run.product_id,
                 run.buffer_days, run.previous_buffer_days, run.samples)


def _replan_when_due() -> None:
    """Asked before claiming the period: while nothing the re-plan depends on changed, no worker claims or runs it."""
    due = services.replan_is_due(now=utcnow())
    db.session.rollback()
    if due:
        once_per_period("promises.replan", timedelta(minutes=5), _replan)


@huey.periodic_task(crontab(minute="*/5"))
def replan_open_orders() -> None:
    """Every five minutes, once in the cluster, unless nothing it depends on changed since the last re-plan:
    expected dates from the queue as it is (the delay notices read them)."""
    in_app(_replan_when_due)


@huey.periodic_task(crontab(day_of_week="0", hour="3", minute="0"))
def calibrate_promises() -> None:
    """Sundays at 3:00, once in the cluster: each product's buffer from the last six months of finished jobs."""
    in_app(lambda: once_per_period("promises.calibrate", timedelta(days=1), _calibrate))
