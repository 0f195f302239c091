"""The staff job queue: stages, the board, job pages, proofs, tickets and shipping."""
from flask import Blueprint

blueprint = Blueprint("queue", __name__, url_prefix="/staff")
