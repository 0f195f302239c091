"""The catalog and the configurator: options, quantity, files, price and delivery estimate."""
from flask import Blueprint

blueprint = Blueprint("catalog", __name__)
