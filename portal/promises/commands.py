"""flask --app wsgi promises simulate | replan | calibrate"""
from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

import click

from portal.database import utcnow
from portal.extensions import db
from portal.promises import blueprint, services


@blueprint.cli.command("simulate")
@click.option("--days", default=120, show_default=True, help="Calendar days to simulate.")
@click.option("--seed", default=1, show_default=True, help="Random seed: the same seed, the same shop.")
@click.option("--start", default="2026-08-03", show_default=True, help="First day (before the Fall term).")
def simulate(days: int, seed: int, start: str) -> None:
    """Runs the shop for DAYS on a scratch database and prints one JSON line of promises kept."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.promises import simulation

    with tempfile.TemporaryDirectory(prefix="portal-sim-") as scratch:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(scratch) / 'sim.db'}",
                          "UPLOAD_DIR": str(Path(scratch) / "uploads")})
        with app.app_context():
            upgrade()
            summary = simulation.run(days=days, seed=seed, start=date.fromisoformat(start))
            db.session.remove()
            db.engine.dispose()
    click.echo(json.dumps(summary))


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
