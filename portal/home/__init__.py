"""The home page: a greeting, open orders and what to order again."""
from flask import Blueprint

blueprint = Blueprint("home", __name__)
