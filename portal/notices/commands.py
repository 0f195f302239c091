"""flask --app wsgi notices sweep | check-delays | remind-terms"""
from __future__ import annotations

import click

from portal.database import utcnow
from portal.extensions import db
from portal.notices import blueprint, services, tasks


@blueprint.cli.command("sweep")
def sweep() -> None:
    """Runs the outbox sweep once: announces delays and delivers every email that is due."""
    report = tasks.run_sweep()
    click.echo(f"Sent {len(report.sent)}, retrying {len(report.retrying)}, failed {len(report.failed)}"
               + (" (mail server unreachable)" if report.unreachable else ""))


@blueprint.cli.command("check-delays")
def check_delays() -> None:
    """Announces a delay for every open order now expected after its promise (once per slip)."""
    announced = services.check_delays(now=utcnow())
    db.session.commit()
    click.echo(f"Announced {len(announced)} delay(s).")


@blueprint.cli.command("remind-terms")
def remind_terms() -> None:
    """Reminds instructors who had a course pack last term of the coming term's deadline (each once)."""
    click.echo(f"Reminded {tasks.run_term_reminders()} instructor(s).")
