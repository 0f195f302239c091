"""Copyright clearance for course packs (issue 17): the shop clears the readings an instructor asks it to,
remembers each clearance per work (the period it covers, its expiry) and reuses it; a fee granted is added
to the pack's price; a refusal is the instructor's to decide (remove, replace, or link it instead)."""
from flask import Blueprint

blueprint = Blueprint("copyright", __name__)
