"""Delivery addresses on file."""
from flask import Blueprint

blueprint = Blueprint("addresses", __name__)
