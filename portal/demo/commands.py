"""flask --app wsgi demo load"""
from __future__ import annotations

import click

from portal.database import utcnow
from portal.demo import blueprint, data
from portal.extensions import db
from portal.keeping import services as keeping


@blueprint.cli.command("load")
@click.option("--days", default=365, show_default=True, help="Days of past orders to generate.")
def load(days: int) -> None:
    """Loads the demo campus once; run again, it does nothing."""
    if data.demo_loaded():
        click.echo("Demo data is already loaded.")
        return
    data.load(now=utcnow(), history_days=days)
    db.session.commit()
    keeping.calibrate(now=utcnow())
    keeping.replan(now=utcnow())
    db.session.commit()
    click.echo("Demo data loaded. Sign in as faculty@example.edu / print-demo-faculty.")
