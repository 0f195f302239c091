"""Routes every deployment needs: the health check, the favicon."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, send_from_directory
from sqlalchemy import text

from portal.extensions import csrf, db, huey

blueprint = Blueprint("web", __name__)
log = logging.getLogger("portal.health")
CHECKS = "health_checks"


def health_check(app, name: str, check) -> None:
    """A part of the portal /healthz reports: `check()` returns what to say (a dict or a word) and raises
    when that part is down. Domains above the web register theirs (the file store, the outbox)."""
    app.extensions.setdefault(CHECKS, {})[name] = check


def _database():
    db.session.execute(text("SELECT 1"))
    return "ok"


def _queue():
    return {"pending_tasks": huey.pending_count()}


@blueprint.get("/healthz")
@csrf.exempt
def healthz():
    """JSON health: 200 when every part answers, 503 naming what does not (the database, the file store,
    the task queue), with the outbox backlog (how old the oldest email waiting is)."""
    report, healthy = {}, True
    for name, check in {"database": _database, "queue": _queue, **current_app.extensions.get(CHECKS, {})}.items():
        try:
            report[name] = check()
        except Exception as error:  # any failure of a part means that part is unhealthy
            db.session.rollback()
            log.warning("Health check %s failed: %s", name, error)
            report[name], healthy = "unreachable", False
    return {"status": "ok" if healthy else "error", **report}, 200 if healthy else 503


@blueprint.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root whatever the page says (static/favicon.ico)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)
