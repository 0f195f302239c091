"""Terms: each term's first day of classes, kept by the shop manager, and the deadline to order a course pack
for it (rules.py). The configurator shows the deadline; notices remind instructors who had a pack last term."""
from flask import Blueprint

blueprint = Blueprint("terms", __name__)
