"""flask --app wsgi promises replan | calibrate | simulate (the simulation itself is benchmarks/simulation.py)"""
from __future__ import annotations

import json
from datetime import date

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


@blueprint.cli.command("simulate")
@click.option("--days", type=int, default=120, show_default=True, help="Calendar days to simulate.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed: the same seed, the same shop.")
@click.option("--start", default="2026-08-03", show_default=True, help="First day, before the Fall term.")
@click.option("--scenario", default="mix", show_default=True, help="mix (the usual), surge, station-down or clearance.")
@click.option("--customers", type=int, default=24, show_default=True, help="Customers ordering: fewer, a quieter shop.")
@click.option("--keep", metavar="PATH", help="Keep the scratch SQLite database here, to look at afterwards.")
def simulate(days: int, seed: int, start: str, scenario: str, customers: int, keep: str | None) -> None:
    """Runs the shop for DAYS on a scratch database of its own and prints the promises kept as one JSON line
    (as benchmarks/simulation.py does; the app's own database is not touched)."""
    # Imported here, not at the top: benchmarks/ is a benchmark beside the portal, not part of the package (it is
    # not installed with it), and it drives every layer of the portal from above; only this command needs it.
    from benchmarks import simulation

    if scenario not in simulation.SCENARIOS:
        raise click.BadParameter(f"choose one of {', '.join(simulation.SCENARIOS)}.", param_hint="--scenario")
    try:
        first_day = date.fromisoformat(start)
    except ValueError:
        raise click.BadParameter("give the day as YYYY-MM-DD, like 2026-08-03.", param_hint="--start") from None
    summary = simulation.on_scratch_database(days=days, seed=seed, start=first_day, scenario=scenario, keep=keep,
                                             customers=customers)
    click.echo(json.dumps(summary))
