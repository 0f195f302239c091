"""Proactive notices (an outbox delivered by a worker) and tracking without signing in."""
from flask import Blueprint

blueprint = Blueprint("notices", __name__)

from portal.notices import commands, routes, tasks  # noqa: E402,F401
