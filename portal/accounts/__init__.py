"""People: customers, departments, shop staff; signing in and out."""
from flask import Blueprint

blueprint = Blueprint("accounts", __name__)

from portal.accounts import routes  # noqa: E402,F401
