"""The shop manager keeps the catalog: products, their options, prices, quantity rules and routing, and the
stations. Flush, never commit.

A product is saved from a ProductEntry (what the catalog file holds too, checked by the same rules) through
the file import's own code (transfer.apply_parts), so a form and a file change a product the same way.
Every change is recorded as CatalogChange rows (who, when, which field, old and new value: history.py).
A change takes effect for the next quote at once; placed orders keep their own snapshot of the product's
name, choices and price, and are never touched here.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.catalog import history, transfer
from portal.catalog.files import CatalogFile, ProductEntry, StationEntry
from portal.catalog.models import CatalogChange, OptionChoice, Product, ProductOption
from portal.catalog.services import product_by_slug
from portal.extensions import db
from portal.failures import Conflict, NotAllowed, ValidationFailed
from portal.promises.models import RouteStep, Station

HISTORY_PAGE = 50
SAVED_COLUMNS = tuple(name for name in transfer.PRODUCT_COLUMNS if name != "active")  # retire() sets active


def products() -> list[Product]:
    """Every product, on sale first in the catalog's order, then the retired ones."""
    return list(db.session.scalars(select(Product).order_by(Product.active.desc(), Product.position, Product.id)
                                   .options(joinedload(Product.replaced_by))))


def stations() -> list[Station]:
    return list(db.session.scalars(select(Station).order_by(Station.position, Station.id)))


def station_by_code(code: str) -> Station:
    """The station; raises NotAllowed when there is none."""
    station = db.session.scalar(select(Station).where(Station.code == code))
    if station is None:
        raise NotAllowed("station")
    return station


def product(slug: str) -> Product:
    """A product to edit, on sale or retired, with its options, choices and routing; NotAllowed when none."""
    return product_by_slug(slug, include_retired=True)


def last_change_id(product: Product | None) -> int:
    """The latest recorded change of the product (0: none): an edit form carries it, so a save over
    someone else's newer change is refused instead of undoing it."""
    if product is None or product.id is None:
        return 0
    return db.session.scalar(select(func.max(CatalogChange.id)).where(CatalogChange.product_id == product.id)) or 0


def _fields(product: Product) -> dict[str, str]:
    return history.product_fields(transfer.product_entry(product),
                                  product.replaced_by.name if product.replaced_by else None)


def _record(changes: list[history.Change], *, actor: User | None, now: datetime, product: Product | None = None,
            station_code: str | None = None) -> None:
    """Writes each change; with no actor, the change came from the catalog file (`flask catalog import`)."""
    for change in changes:
        db.session.add(CatalogChange(at=now, actor_id=actor.id if actor else None,
                                     product_id=product.id if product else None,
                                     station_code=station_code, field=change.field, old_value=change.old,
                                     new_value=change.new))


def save_product(*, product: Product | None, entry: ProductEntry, actor: User, now: datetime,
                 seen_change: int | None = None) -> Product:
    """Makes the product what `entry` says (a new product when `product` is None) and records each field
    that changed. The entry comes checked (forms.product_entry); this checks what needs the database:
    a new product's slug is not taken, each step's station exists. Raises ValidationFailed by field
    (slug, steps-N-station), Conflict when the product changed since `seen_change` (the form's
    last_change_id). A product keeps its place in the catalog and whether it is on sale (retire)."""
    if product is not None and seen_change is not None and last_change_id(product) != seen_change:
        raise Conflict(f"Someone else changed {product.name} since you opened it. The form now shows the product "
                       "as it is; make your change again.")
    known = {station.code: station for station in stations()}
    problems = {f"steps-{number}-station": f'There is no station "{step.station}"; add it under Stations first.'
                for number, step in enumerate(entry.route) if step.station not in known}
    if product is None and db.session.scalar(select(Product.id).where(Product.slug == entry.slug)):
        problems["slug"] = f'Another product already uses "{entry.slug}". Choose another.'
    if problems:
        raise ValidationFailed(problems)
    before = None
    if product is None:
        position = (db.session.scalar(select(func.max(Product.position))) or 0) + 1
        product = Product(slug=entry.slug, position=position, active=True)
        db.session.add(product)
    else:
        before = _fields(product)
    transfer.update_columns(product, entry, SAVED_COLUMNS, [])
    transfer.apply_parts(product, entry, known, [])
    db.session.flush()
    after = history.product_fields(replace(entry, active=product.active),
                                   product.replaced_by.name if product.replaced_by else None)
    _record(history.changes(before, after), actor=actor, now=now, product=product)
    db.session.flush()
    return product


def retire(*, product: Product, replaced_by: Product | None, actor: User, now: datetime) -> None:
    """Takes the product off the catalog: its past orders stay as they were, and a reorder of one names
    `replaced_by` (an active product other than this one) as what to order instead. Raises
    ValidationFailed on `replaced_by` otherwise, or when the product is already retired."""
    if not product.active:
        raise ValidationFailed({"": f"{product.name} is already retired."})
    if replaced_by is not None and (replaced_by.id == product.id or not replaced_by.active):
        raise ValidationFailed({"replaced_by": "Choose a product on sale, other than this one."})
    before = _fields(product)
    product.active, product.replaced_by = False, replaced_by
    db.session.flush()
    _record(history.changes(before, _fields(product)), actor=actor, now=now, product=product)
    db.session.flush()


def reinstate(*, product: Product, actor: User, now: datetime) -> None:
    """Puts a retired product back on the catalog (it no longer names a replacement)."""
    if product.active:
        raise ValidationFailed({"": f"{product.name} is on sale already."})
    before = _fields(product)
    product.active, product.replaced_by = True, None
    db.session.flush()
    _record(history.changes(before, _fields(product)), actor=actor, now=now, product=product)
    db.session.flush()


def save_station(*, station: Station | None, entry: StationEntry, actor: User, now: datetime) -> Station:
    """Makes the station what `entry` says (a new one when `station` is None), recording each change.
    Raises ValidationFailed on `code` when a new station's code is taken."""
    before = None
    if station is None:
        if db.session.scalar(select(Station.id).where(Station.code == entry.code)):
            raise ValidationFailed({"code": f'Another station already uses "{entry.code}". Choose another.'})
        position = (db.session.scalar(select(func.max(Station.position))) or 0) + 1
        station = Station(code=entry.code, position=position)
        db.session.add(station)
    else:
        before = history.station_fields(transfer.station_entry(station))
    transfer.set_station(station, entry, [])
    _record(history.changes(before, history.station_fields(entry)), actor=actor, now=now,
            station_code=entry.code)
    db.session.flush()
    return station


def import_catalog(catalog: CatalogFile, *, now: datetime, actor: User | None = None) -> list[str]:
    """Applies the catalog file (transfer.import_catalog: one transaction, or CatalogFileRefused having
    changed nothing) and records every field it changed on each product's and station's history, as the
    manager's forms do; `actor` None: the change is the file's. Returns the changes, one line each."""
    before_products = {p.slug: _fields(p) for p in transfer.products_with_parts()}
    before_stations = {s.code: history.station_fields(transfer.station_entry(s)) for s in stations()}
    lines = transfer.import_catalog(catalog)
    db.session.expire_all()
    for product in transfer.products_with_parts():
        _record(history.changes(before_products.get(product.slug), _fields(product)), actor=actor, now=now,
                product=product)
    after_stations = stations()
    for station in after_stations:
        _record(history.changes(before_stations.get(station.code), history.station_fields(transfer.station_entry(station))),
                actor=actor, now=now, station_code=station.code)
    for code in before_stations.keys() - {station.code for station in after_stations}:
        _record([history.Change("Station", code, history.NONE)], actor=actor, now=now, station_code=code)
    db.session.flush()
    return lines


def product_history(product: Product, *, page: int = 1) -> tuple[list[CatalogChange], bool]:
    """The product's recorded changes, newest first, a page at a time, and whether there are older ones."""
    rows = list(db.session.scalars(
        select(CatalogChange).where(CatalogChange.product_id == product.id).options(joinedload(CatalogChange.actor))
        .order_by(CatalogChange.id.desc()).offset((max(page, 1) - 1) * HISTORY_PAGE).limit(HISTORY_PAGE + 1)))
    return rows[:HISTORY_PAGE], len(rows) > HISTORY_PAGE


def station_history(station: Station, *, limit: int = HISTORY_PAGE) -> list[CatalogChange]:
    return list(db.session.scalars(
        select(CatalogChange).where(CatalogChange.station_code == station.code).options(joinedload(CatalogChange.actor))
        .order_by(CatalogChange.id.desc()).limit(limit)))


def draft(entry: ProductEntry, *, like: Product | None = None) -> Product:
    """The product as `entry` describes it, never stored (not in the session): what the manager's live
    preview prices and dates with the customer's own configurator. `like`: the stored product it edits
    (its id, for its calibrated buffer). Steps name stations by code; an unknown one is left out."""
    known = {station.code: station for station in stations()}
    made = Product(id=like.id if like is not None else None, slug=entry.slug or "new-product", position=0,
                   **transfer.column_values(entry))
    made.options = [ProductOption(code=option.code, label=option.label, help=option.help, position=number,
                                  choices=[OptionChoice(code=c.code, label=c.label, position=place,
                                                        is_default=c.is_default, per_copy_cents=c.per_copy_cents,
                                                        per_page_cents=c.per_page_cents,
                                                        per_sheet_cents=c.per_sheet_cents,
                                                        pages_per_sheet=c.pages_per_sheet, extra_days=c.extra_days)
                                           for place, c in enumerate(option.choices)])
                    for number, option in enumerate(entry.options)]
    made.route = [RouteStep(station=known[step.station], position=number, stage=step.stage,
                            setup_minutes=step.setup_minutes, per_copy=step.per_copy, per_sheet=step.per_sheet,
                            per_impression=step.per_impression, when_option=step.when_option,
                            when_choices=list(step.when_choices))
                  for number, step in enumerate(entry.route) if step.station in known]
    return made


def stored_entry(product: Product | None) -> ProductEntry | None:
    """The product as stored, as the catalog file says it (None for a new one)."""
    return transfer.product_entry(product) if product is not None else None

