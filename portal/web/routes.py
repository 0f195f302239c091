"""Routes every deployment needs: the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory
from sqlalchemy import text

from portal.extensions import csrf, db

blueprint = Blueprint("web", __name__)


@blueprint.get("/healthz")
@csrf.exempt
def healthz():
    """Plain-text health: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means unhealthy
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@blueprint.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root whatever the page says (static/favicon.ico)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)
