"""Care (issue 16): a problem report is a case with one named staff owner, from the first report to "did this
make it right?"."""
from flask import Blueprint

blueprint = Blueprint("care", __name__)
