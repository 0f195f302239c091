"""Delivery dates: the shop calendar and the estimate promised at ordering."""
from flask import Blueprint

blueprint = Blueprint("promises", __name__)
