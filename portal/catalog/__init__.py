"""The catalog and the configurator: options, quantity, files, price and delivery estimate."""
from flask import Blueprint

from portal.catalog import kinds

blueprint = Blueprint("catalog", __name__, cli_group="catalog")  # flask catalog export | import
# Where a product kind shows what it adds (a mailer's list, mail class and date): see kinds.py.
blueprint.add_app_template_global(kinds.partial, "kind_partial")
