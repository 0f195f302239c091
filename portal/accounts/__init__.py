"""People: customers, departments, shop staff; signing in and out."""
from flask import Blueprint

blueprint = Blueprint("accounts", __name__, cli_group="users")
