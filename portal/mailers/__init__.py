"""Direct mailers: a mailing list merged into personalised pieces, with a proof."""
from flask import Blueprint

blueprint = Blueprint("mailers", __name__)

from portal.mailers import forms, rules  # noqa: E402

# What the configurator, checkout and order page templates use to show a mailer.
blueprint.add_app_template_global(rules, "mailer_rules")
blueprint.add_app_template_global(forms.order_args, "order_job_args")
