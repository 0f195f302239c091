"""Checkout, order history and the order page."""
from flask import Blueprint

from portal.orders.rules import cancel_deadline

blueprint = Blueprint("orders", __name__)
blueprint.add_app_template_filter(cancel_deadline)
