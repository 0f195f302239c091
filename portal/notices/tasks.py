"""Background work for notices (huey): delivery soon after a commit that wrote emails, and a
periodic sweep every minute, which is the source of truth (huey itself does not guarantee delivery).

The consumer (make worker, or make run alongside gunicorn) imports this module through worker.py.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from huey import crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.background import at_start, in_app, once_per_period
from portal.database import utcnow
from portal.extensions import db, huey
from portal.notices import delivery, services, term_reminders, tracking
from portal.accounts.events import link_issued
from portal.copyright.events import fee_needs_approval, reading_refused
from portal.orders.events import order_placed
from portal.web.routes import health_check

log = logging.getLogger("portal.notices")


@at_start
def _say_where_mail_goes(app) -> None:
    if not app.config.get("SMTP_HOST"):
        log.warning("No SMTP_HOST: email notices are written to %s", delivery.mail_dir(app))
def run_sweep(now: datetime | None = None) -> delivery.SweepReport:
    """Announces new delays, forgets old tracking lookups, and delivers every email that is due."""
    moment = now or utcnow()
    try:
        services.check_delays(now=moment)
        tracking.prune_lookups(now=moment)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("Checking for delays failed; delivering what is due anyway")
    return delivery.sweep(now=now)


@huey.task()
def deliver_notices() -> None:
    """Delivers what is due now: queued after a commit that wrote email notices."""
    in_app(lambda: delivery.sweep())


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Every minute, once in the cluster: the outbox sweep (delays, retries, notices whose worker died)."""
    in_app(lambda: once_per_period("notices.sweep_outbox", timedelta(minutes=1), run_sweep))


def run_term_reminders(now: datetime | None = None) -> int:
    """Writes the course-pack reminders due now (portal.notices.term_reminders) and commits; how many."""
    written = term_reminders.remind_instructors(now=now or utcnow())
    db.session.commit()
    if written:
        log.info("Reminded %s instructors of the coming term's course-pack deadline", len(written))
    return len(written)


@huey.periodic_task(crontab(minute="17"))
def remind_of_term_deadlines() -> None:
    """Every hour, once in the cluster: reminders to order next term's course packs (each sent once)."""
    in_app(lambda: once_per_period("notices.term_reminders", timedelta(hours=1), run_term_reminders))


def _deliver_soon(session: Session) -> None:
    if session.info.pop(services.SESSION_FLAG, False):
        try:
            deliver_notices()
        except Exception:  # the queue is down: the periodic sweep delivers them anyway
            log.warning("Could not queue notice delivery; the periodic sweep will send it", exc_info=True)


def _forget(session: Session) -> None:
    session.info.pop(services.SESSION_FLAG, None)


def init_app(app) -> None:
    """Called by create_app: deliver soon after a commit that wrote emails (forgotten on rollback), and
    announce every order placed and every account link made. Listeners are per process and added once,
    whatever the number of apps."""
    for name, listener in (("after_commit", _deliver_soon), ("after_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    health_check(app, "outbox", lambda: services.outbox_backlog(now=utcnow()))
    order_placed.connect(services.announce_placed)
    link_issued.connect(services.announce_link)
    reading_refused.connect(services.announce_refused)
    fee_needs_approval.connect(services.announce_fee_approval)
