"""The staff job queue: stages, the board, job pages, proofs, tickets and shipping."""
from flask import Blueprint

blueprint = Blueprint("queue", __name__, url_prefix="/staff")

from portal.queue import routes  # noqa: E402,F401
from portal.queue.customer_routes import blueprint as customer_blueprint  # noqa: E402

# The customer's side of proofs lives under /orders, outside the staff prefix: registered with the queue.
blueprint.record_once(lambda state: state.app.register_blueprint(customer_blueprint))
