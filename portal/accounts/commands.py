"""flask --app wsgi users create | invite | promote | deactivate: a fresh installation makes its first admin
without the demo, and the shop manages people from the command line."""
from __future__ import annotations

import click

from sqlalchemy import select

from portal.accounts import blueprint, links, services
from portal.accounts.models import Department, Role
from portal.database import utcnow
from portal.extensions import db
from portal.failures import ValidationFailed

ROLES = click.Choice([role.value for role in Role])


def _done(work, message) -> None:
    """Runs the change and commits it, then says `message(person)`; or says what was wrong and
    changes nothing (exit code 1)."""
    try:
        person = work()
    except ValidationFailed as refused:
        db.session.rollback()
        for field, problem in refused.errors.items():
            click.echo(f"{field or 'error'}: {problem}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(message(person))


@blueprint.cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=ROLES, default=Role.ADMIN.value, show_default=True)
@click.password_option(help="Asked for when not given (at least 10 characters).")
def create(email: str, name: str, role: str, password: str) -> None:
    """Adds a person who signs in with email and password (the first admin: --role admin)."""
    _done(lambda: services.add_person(email=email, name=name, password=password, role=Role(role)),
          lambda person: f"{person.email} can sign in now, as {role}.")


@blueprint.cli.command("invite")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--department", default="", help="The department's name or code (optional).")
def invite(email: str, name: str, department: str) -> None:
    """Emails a person without a campus account a one-time link, good for 7 days, to set a password."""
    def work():
        found = None
        if department:
            found = db.session.scalar(select(Department).where(
                (Department.name == department) | (Department.code == department)))
            if found is None:
                raise ValidationFailed({"department": f"No department is named {department!r}."})
        return links.invite(inviter=None, email=email, name=name, department_id=found.id if found else None,
                            now=utcnow())
    _done(work, lambda person: f"Invitation emailed to {person.email}; the link works for 7 days.")


@blueprint.cli.command("promote")
@click.argument("email")
@click.option("--role", type=ROLES, default=Role.STAFF.value, show_default=True)
def promote(email: str, role: str) -> None:
    """Makes a person staff or admin (or, with --role customer, removes their staff access)."""
    _done(lambda: services.set_role(services.person_by_email(email), Role(role)),
          lambda person: f"{person.email} is {role} now.")


@blueprint.cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stops a person signing in and ends their sessions at once; their orders stay."""
    _done(lambda: services.deactivate(services.person_by_email(email)),
          lambda person: f"{person.email} can no longer sign in.")
