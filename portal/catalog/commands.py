"""flask --app wsgi catalog export > catalog.yaml | catalog import catalog.yaml [--check]: the whole
catalog (stations, products, options, prices, quantity rules, routings) as one file the shop edits."""
from __future__ import annotations

from pathlib import Path

import click

from portal.catalog import blueprint, files, management, transfer
from portal.extensions import db
from portal.shop.clock import utcnow


@blueprint.cli.command("export")
def export() -> None:
    """Writes the whole catalog, retired products too, as YAML to standard output."""
    click.echo(files.write(transfer.export_catalog()), nl=False)


def _refuse(path: str, problems) -> None:
    """Says every problem as `path:line: message` and ends with exit code 1, having changed nothing."""
    db.session.rollback()
    for problem in problems:
        click.echo(f"{path}:{problem.line}: {problem.message}", err=True)
    click.echo(f"Nothing was changed: {len(problems)} problem(s) in {path}.", err=True)
    raise SystemExit(1)


def _text(path: str) -> str:
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _refuse(path, [files.Problem(data.count(b"\n", 0, error.start) + 1, "not UTF-8 text")])
        raise


@blueprint.cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--check", is_flag=True, help="Check the file and list what it would change; change nothing.")
def import_file(path: str, check: bool) -> None:
    """Checks the whole file, then applies it in one transaction: products and stations are matched
    by slug and code, products left out are retired, and every change goes on the product's or the
    station's history as the catalog file's. On any problem, changes nothing, prints each with its line
    and exits with code 1."""
    reading = files.read(_text(path))
    if reading.catalog is None:
        _refuse(path, reading.problems)
    try:
        changes = management.import_catalog(reading.catalog, now=utcnow())
    except files.CatalogFileRefused as refused:
        _refuse(path, refused.problems)
    for change in changes:
        click.echo(change)
    if check:
        db.session.rollback()
        click.echo(f"{path} is a valid catalog; nothing was changed (--check): {len(changes)} change(s) to make.")
        return
    db.session.commit()
    click.echo(f"Catalog imported: {len(changes)} change(s)." if changes else "The catalog is unchanged.")
