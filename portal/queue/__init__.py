"""The staff job queue: stages, the board, job pages, proofs, tickets and shipping."""
from flask import Blueprint

blueprint = Blueprint("queue", __name__, url_prefix="/staff")


def _register_customer_routes(state) -> None:
    """The customer's side of proofs lives under /orders, outside the staff prefix: registered with the queue."""
    from portal.queue.customer_routes import blueprint as customer_blueprint

    state.app.register_blueprint(customer_blueprint)


blueprint.record_once(_register_customer_routes)
