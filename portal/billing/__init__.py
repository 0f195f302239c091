"""Department budget accounts on file."""
from flask import Blueprint

blueprint = Blueprint("billing", __name__)
