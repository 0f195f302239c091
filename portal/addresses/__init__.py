"""Delivery addresses on file."""
from flask import Blueprint

from portal.addresses.rules import one_line

blueprint = Blueprint("addresses", __name__)
blueprint.add_app_template_filter(one_line, "address_line")
