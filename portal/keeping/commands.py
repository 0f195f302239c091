"""flask --app wsgi promises replan | calibrate (the simulation is benchmarks/simulation.py)"""
from __future__ import annotations

import click

from portal.database import utcnow
from portal.extensions import db
from portal.keeping import blueprint, services


@blueprint.cli.command("replan")
def replan() -> None:
    """Recomputes every open order's expected date and who is at risk (the worker does this too)."""
    changed = services.replan(now=utcnow())
    db.session.commit()
    click.echo(f"{changed} orders changed.")


@blueprint.cli.command("calibrate")
def calibrate() -> None:
    """Sets each product's buffer from its finished jobs (the worker does this weekly)."""
    runs = services.calibrate(now=utcnow())
    db.session.commit()
    click.echo(f"{len(runs)} products recalibrated.")
