"""Department budget accounts on file."""
from flask import Blueprint

blueprint = Blueprint("billing", __name__)

from portal.billing import routes  # noqa: E402,F401
