"""Monthly statements and the chargeback file: per department and per budget account, the orders charged
in a month, credits and adjustments, totals; the month close; the journal CSV for the finance system."""
from flask import Blueprint

blueprint = Blueprint("statements", __name__)
