"""Checkout, order history and the order page."""
from flask import Blueprint

blueprint = Blueprint("orders", __name__)

from portal.orders import routes  # noqa: E402,F401
