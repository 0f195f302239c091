"""Direct mailers: a mailing list merged into personalised pieces, with a proof."""
from flask import Blueprint

blueprint = Blueprint("mailers", __name__)

from portal.mailers import routes  # noqa: E402,F401
