"""The catalog file's services: the shop's whole catalog (products, options, prices, quantity rules,
routings, stations) exported as a CatalogFile, and a CatalogFile applied to it. Flush, never commit.

Rows are matched by their codes: products by slug, options by code within their product, choices by
code within their option, stations by code, routing steps by their place in the routing. A product
the file leaves out is retired (kept, with its orders); options, choices and routing steps it leaves
out are removed (orders keep what was chosen as codes and labels, never by id). Placed orders are
never touched: they carry their own snapshot of the price and the choices.
"""
from __future__ import annotations

from dataclasses import fields

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from portal.catalog.files import (CatalogFile, CatalogFileRefused, ChoiceEntry, OptionEntry, Problem, ProductEntry,
                                  RouteEntry, StationEntry)
from portal.catalog.models import OptionChoice, Product, ProductOption
from portal.extensions import db
from portal.promises.models import OrderWork, RouteStep, Station, StationDowntime, StationLoad

PRODUCT_COLUMNS = tuple(f.name for f in fields(ProductEntry) if f.name not in ("slug", "options", "route"))
CHOICE_COLUMNS = tuple(f.name for f in fields(ChoiceEntry) if f.name != "code")
STEP_COLUMNS = ("stage", "setup_minutes", "per_copy", "per_sheet", "per_impression", "when_option", "when_choices")


def _stations() -> list[Station]:
    return list(db.session.scalars(select(Station).order_by(Station.position, Station.id)))


def products_with_parts() -> list[Product]:
    """Every product, retired too, with its options, choices and routing loaded, in the catalog's order."""
    return list(db.session.scalars(select(Product).order_by(Product.position, Product.id).options(
        selectinload(Product.options).selectinload(ProductOption.choices),
        selectinload(Product.route).joinedload(RouteStep.station))))


def export_catalog() -> CatalogFile:
    """The shop's whole catalog as its file says it, retired products too (active: false), in the
    order the shop shows them."""
    stations = tuple(station_entry(s) for s in _stations())
    return CatalogFile(stations=stations, products=tuple(product_entry(product) for product in products_with_parts()))


def station_entry(station: Station) -> StationEntry:
    """A station as the catalog file says it: its usual minutes, and the weekdays that differ."""
    weekdays = station.minutes_on_weekdays()
    return StationEntry(code=station.code, name=station.name, minutes_per_day=station.minutes_per_day,
                        weekday_minutes=tuple((day, minutes) for day, minutes in weekdays.items()
                                              if minutes != station.minutes_per_day))


def set_station(station: Station, entry: StationEntry, changed: list[str]) -> None:
    """Makes a station's name and hours what `entry` says, noting which changed."""
    _update(station, entry, ("name", "minutes_per_day"), changed)
    weekdays = dict(entry.weekday_minutes) or None
    if (station.weekday_minutes or None) != weekdays:
        station.weekday_minutes = weekdays
        changed.append("minutes by weekday")


def product_entry(product: Product) -> ProductEntry:
    """One product as the catalog file says it (its options, choices and routing loaded)."""
    values = {name: getattr(product, name) for name in PRODUCT_COLUMNS}
    values["volume_breaks"] = tuple(tuple(b) for b in product.volume_breaks or ())
    options = tuple(OptionEntry(code=option.code, label=option.label, help=option.help, choices=tuple(
        ChoiceEntry(code=choice.code, **{name: getattr(choice, name) for name in CHOICE_COLUMNS})
        for choice in option.choices)) for option in product.options)
    route = tuple(_route_entry(step) for step in product.route)
    return ProductEntry(slug=product.slug, options=options, route=route, **values)


def _route_entry(step: RouteStep) -> RouteEntry:
    values = {name: getattr(step, name) for name in STEP_COLUMNS}
    values["when_choices"] = tuple(step.when_choices or ())
    return RouteEntry(station=step.station.code, **values)


def _stored(entry, name: str):
    """An entry's value as its column keeps it (JSON lists for tuples)."""
    value = getattr(entry, name)
    if name == "volume_breaks":
        return [list(b) for b in value]
    if name == "when_choices":
        return list(value)
    return value


def column_values(entry: ProductEntry) -> dict:
    """A product entry's values as Product's columns keep them."""
    return {name: _stored(entry, name) for name in PRODUCT_COLUMNS}


def _update(row, entry, names, changed: list[str]) -> None:
    """Sets each column that differs from the entry, noting its name; an equal value is left alone."""
    for name in names:
        value = _stored(entry, name)
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)


def _place(row, position: int, changed: list[str], what: str = "position") -> None:
    if row.position != position:
        row.position = position
        changed.append(what)


def import_catalog(catalog: CatalogFile) -> list[str]:
    """Makes the shop's catalog what the file says, and returns what changed, one line each (none:
    the file is the catalog as it is). Positions follow the file's order (products from 1, the rest
    from 0); retired products the file leaves out go after the rest. Raises CatalogFileRefused, having
    changed nothing, when a station the file leaves out is still used (by orders' planned work or a
    retired product's routing): a station with history stays."""
    changes: list[str] = []
    stations = {station.code: station for station in _stations()}
    products = {product.slug: product for product in products_with_parts()}
    listed = {entry.slug for entry in catalog.products}
    gone = [station for code, station in stations.items() if code not in {s.code for s in catalog.stations}]
    _refuse_used_stations(gone, [p for slug, p in products.items() if slug not in listed], catalog.stations_line)

    for position, entry in enumerate(catalog.stations):
        station = stations.get(entry.code)
        if station is None:
            stations[entry.code] = Station(code=entry.code, position=position)
            set_station(stations[entry.code], entry, [])
            db.session.add(stations[entry.code])
            changes.append(f'added station "{entry.code}"')
            continue
        changed: list[str] = []
        set_station(station, entry, changed)
        _place(station, position, changed)
        if changed:
            changes.append(f'changed station "{entry.code}": {", ".join(changed)}')

    for position, entry in enumerate(catalog.products, start=1):
        product = products.get(entry.slug)
        if product is None:
            product = Product(slug=entry.slug, position=position)
            _update(product, entry, PRODUCT_COLUMNS, [])
            db.session.add(product)
            changes.append(f'added product "{entry.slug}"')
            changed: list[str] = []
        else:
            changed = []
            _update(product, entry, PRODUCT_COLUMNS, changed)
            _place(product, position, changed)
        apply_parts(product, entry, stations, changed)
        if changed and entry.slug in products:
            changes.append(f'changed product "{entry.slug}": {", ".join(changed)}')

    left_out = [product for slug, product in products.items() if slug not in listed]
    for position, product in enumerate(left_out, start=len(catalog.products) + 1):
        if product.active:
            product.active = False
            changes.append(f'retired product "{product.slug}" (not in the file)')
        elif product.position != position:
            changes.append(f'moved retired product "{product.slug}" (not in the file) after the others')
        product.position = position

    db.session.flush()
    for station in gone:
        db.session.execute(delete(StationDowntime).where(StationDowntime.station_id == station.id))
        db.session.execute(delete(StationLoad).where(StationLoad.station_id == station.id))
        db.session.delete(station)
        changes.append(f'removed station "{station.code}" (not in the file)')
    db.session.flush()
    return changes


def _refuse_used_stations(gone: list[Station], retired: list[Product], line: int) -> None:
    problems = []
    for station in gone:
        if db.session.scalar(select(func.count()).select_from(OrderWork).where(OrderWork.station_id == station.id)):
            problems.append(Problem(line, f'station "{station.code}" is not in the file, but orders have work '
                                          "planned there: keep it in stations"))
        for product in retired:
            if any(step.station_id == station.id for step in product.route):
                problems.append(Problem(line, f'station "{station.code}" is not in the file, but the routing of '
                                              f'"{product.slug}" (retired) uses it: keep it in stations'))
    if problems:
        raise CatalogFileRefused(problems)


def apply_parts(product: Product, entry: ProductEntry, stations: dict[str, Station], changed: list[str]) -> None:
    """Makes a product's options, choices and routing what `entry` says (matched by code, steps by
    place), noting what changed; the manager's product form saves through this too."""
    _apply_options(product, entry, changed)
    _apply_route(product, entry, stations, changed)


def update_columns(row, entry, names, changed: list[str]) -> None:
    """Sets each of `names` on `row` that differs from `entry` (see _update)."""
    _update(row, entry, names, changed)


def _apply_options(product: Product, entry: ProductEntry, changed: list[str]) -> None:
    existing = {option.code: option for option in product.options}
    for position, option_entry in enumerate(entry.options):
        option = existing.get(option_entry.code)
        if option is None:
            option = ProductOption(code=option_entry.code, label=option_entry.label, help=option_entry.help,
                                   position=position)
            product.options.append(option)
            if product.id is not None:
                changed.append(f"option {option_entry.code} added")
        else:
            details: list[str] = []
            _update(option, option_entry, ("label", "help"), details)
            _place(option, position, details)
            changed.extend(f"option {option.code} {detail}" for detail in details)
        _apply_choices(option, option_entry, changed)
    for code, option in existing.items():
        if code not in {o.code for o in entry.options}:
            product.options.remove(option)
            changed.append(f"option {code} removed")


def _apply_choices(option: ProductOption, entry: OptionEntry, changed: list[str]) -> None:
    existing = {choice.code: choice for choice in option.choices}
    for position, choice_entry in enumerate(entry.choices):
        choice = existing.get(choice_entry.code)
        where = f"choice {entry.code}/{choice_entry.code}"
        if choice is None:
            choice = OptionChoice(code=choice_entry.code, position=position)
            _update(choice, choice_entry, CHOICE_COLUMNS, [])
            option.choices.append(choice)
            if option.id is not None:
                changed.append(f"{where} added")
            continue
        details: list[str] = []
        _update(choice, choice_entry, CHOICE_COLUMNS, details)
        _place(choice, position, details)
        changed.extend(f"{where} {detail}" for detail in details)
    for code, choice in existing.items():
        if code not in {c.code for c in entry.choices}:
            option.choices.remove(choice)
            changed.append(f"choice {entry.code}/{code} removed")


def _apply_route(product: Product, entry: ProductEntry, stations: dict[str, Station], changed: list[str]) -> None:
    steps = sorted(product.route, key=lambda step: step.position)
    for position, step_entry in enumerate(entry.route):
        station = stations[step_entry.station]
        if position >= len(steps):
            step = RouteStep(station=station, position=position)
            _update(step, step_entry, STEP_COLUMNS, [])
            product.route.append(step)
            if product.id is not None:
                changed.append(f"routing step {position + 1} added")
            continue
        step, details = steps[position], []
        if step.station is not station:
            step.station = station
            details.append("station")
        _update(step, step_entry, STEP_COLUMNS, details)
        _place(step, position, details)
        if details:
            changed.append(f"routing step {position + 1}: {', '.join(details)}")
    for step in steps[len(entry.route):]:
        product.route.remove(step)
        changed.append(f"routing step {step.position + 1} removed")
