"""Delivery addresses on file."""
from flask import Blueprint

blueprint = Blueprint("addresses", __name__)

from portal.addresses import routes  # noqa: E402,F401
