"""Proactive notices (an outbox delivered by a worker) and tracking without signing in."""
from flask import Blueprint

blueprint = Blueprint("notices", __name__)
