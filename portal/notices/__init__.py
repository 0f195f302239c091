"""Proactive notices (an outbox delivered by a worker) and tracking without signing in."""
from flask import Blueprint

blueprint = Blueprint("notices", __name__)

from portal.notices import routes  # noqa: E402,F401
