"""Background work for care (huey): tell owners and the manager before a first answer is due."""
from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab

from portal.background import in_app, once_per_period
from portal.care import services
from portal.database import utcnow
from portal.extensions import db, huey

log = logging.getLogger("portal.care")


def _warn() -> None:
    warned = services.warn_nearly_due(now=utcnow())
    db.session.commit()
    if warned:
        log.info("Told owners of %s cases nearly due", len(warned))


@huey.periodic_task(crontab(minute="*/5"))
def warn_cases_nearly_due() -> None:
    """Every five minutes, once in the cluster: cases whose first answer is nearly due, told to owner and manager."""
    in_app(lambda: once_per_period("care.warn", timedelta(minutes=5), _warn))
