"""Checkout, order history and the order page."""
from flask import Blueprint

blueprint = Blueprint("orders", __name__)
