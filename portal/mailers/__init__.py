"""Direct mailers: a mailing list merged into personalised pieces, with a proof."""
from flask import Blueprint

blueprint = Blueprint("mailers", __name__)
