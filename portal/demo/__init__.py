"""Demo data for `make run`: `flask --app wsgi demo load` (once; again does nothing)."""
from flask import Blueprint

blueprint = Blueprint("demo", __name__, cli_group="demo")
