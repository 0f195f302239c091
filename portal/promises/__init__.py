"""Delivery dates: the shop calendar and the estimate promised at ordering."""
from flask import Blueprint

blueprint = Blueprint("promises", __name__)

from portal.promises import routes  # noqa: E402,F401
