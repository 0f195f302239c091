"""The catalog as a file: `flask catalog export` writes all of it, `flask catalog import` checks the
whole file and applies it in one transaction, or changes nothing and names the line of every problem.
The demo's catalog is such a file, loaded through the same import."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
import yaml
from sqlalchemy import func, select, text

from portal.accounts.models import Role
from portal.catalog import files, transfer
from portal.catalog.models import CatalogChange, OptionChoice, Product, ProductKind, ProductOption
from portal.demo.catalog import CATALOG_FILE, demo_catalog, load_catalog
from portal.extensions import db
from portal.orders.models import Order
from portal.promises.models import Station

TABLES = ("stations", "products", "product_options", "option_choices", "route_steps", "orders", "order_work",
          "mailing_lists")


def dump(app) -> dict[str, list[tuple]]:
    """Every row of the catalog's tables and of the orders, read in a fresh session."""
    with app.app_context():
        rows = {table: [tuple(map(str, row)) for row in db.session.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
                for table in TABLES}
        db.session.remove()
        return rows


def catalog_cli(app, *args):
    return app.test_cli_runner().invoke(args=["catalog", *args])


@pytest.fixture
def in_folder(tmp_path, monkeypatch):
    """The test's own folder as the working directory, so problems name `catalog.yaml` as typed."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def shop(make, customer):
    """The demo catalog with a placed order (its snapshot and planned work must never change)."""
    make.catalog()
    return make.order(customer)


def test_export_then_import_of_the_same_file_changes_nothing(app, shop, in_folder):
    exported = catalog_cli(app, "export")
    assert exported.exit_code == 0, exported.output
    (in_folder / "catalog.yaml").write_text(exported.output, encoding="utf-8")
    before = dump(app)

    result = catalog_cli(app, "import", "catalog.yaml")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "The catalog is unchanged."
    assert dump(app) == before
    assert catalog_cli(app, "export").output == exported.output  # byte for byte


def test_the_demo_loads_its_catalog_through_the_import_and_ships_what_export_writes(app, ctx):
    products = load_catalog()
    db.session.commit()
    assert set(products) == {p.slug for p in demo_catalog().products}
    assert files.write(transfer.export_catalog()) == CATALOG_FILE.read_text(encoding="utf-8")
    assert transfer.import_catalog(demo_catalog()) == []
    assert load_catalog() == products  # again: nothing added, nothing changed


def _edited(app, edit) -> str:
    """The shop's catalog exported, read as plain YAML, changed by `edit`, written back."""
    with app.app_context():
        document = yaml.safe_load(files.write(transfer.export_catalog()))
    edit(document)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def _product(document, slug):
    return next(p for p in document["products"] if p["slug"] == slug)


def _change_the_catalog(document):
    flyer = _product(document, "flyer")
    flyer["price"]["setup"] = "6.00"
    size = next(o for o in flyer["options"] if o["code"] == "size")
    size["choices"] = [c for c in size["choices"] if c["code"] != "half"]
    flyer["routing"] = [s for s in flyer["routing"] if s.get("when", {}).get("option") != "size"]
    document["stations"].append({"code": "laminator", "name": "Laminator", "minutes_per_day": 480})
    document["products"] = [p for p in document["products"] if p["slug"] != "course-pack"]
    document["products"].append({
        "slug": "laminated-poster", "name": "Laminated poster", "kind": "print",
        "quantity": {"min": 1, "max": 50, "default": 1, "unit": "poster"},
        "price": {"setup": "0", "per_copy": "12.50", "volume_breaks": [{"from": 10, "percent_off": 5}]},
        "options": [
            {"code": "size", "label": "Size", "choices": [{"code": "18x24", "label": "18 × 24 in", "default": True},
                                                          {"code": "24x36", "label": "24 × 36 in", "per_copy": "8"}]},
            {"code": "finish", "label": "Finish", "choices": [{"code": "gloss", "label": "Gloss"},
                                                              {"code": "matte", "label": "Matte", "per_copy": 1.5}]},
        ],
        "routing": [{"station": "wide_format", "stage": "printing", "setup_minutes": 5, "minutes_per_copy": 10},
                    {"station": "laminator", "stage": "finishing", "minutes_per_copy": 4,
                     "when": {"option": "finish", "choices": ["gloss"]}}],
    })


def test_an_import_changes_what_the_file_changes_retires_what_it_leaves_out_and_keeps_placed_orders(
        app, shop, in_folder):
    (in_folder / "catalog.yaml").write_text(_edited(app, _change_the_catalog), encoding="utf-8")
    orders_before = dump(app)["orders"]

    result = catalog_cli(app, "import", "catalog.yaml")

    assert result.exit_code == 0, result.output
    assert 'retired product "course-pack" (not in the file)' in result.output
    assert 'added product "laminated-poster"' in result.output and 'added station "laminator"' in result.output
    assert ('changed product "flyer": setup_cents, position, choice size/tabloid position, choice size/half removed, '
            'routing step 4 removed') in result.output
    with app.app_context():
        products = {p.slug: p for p in db.session.scalars(select(Product))}
        assert products["flyer"].setup_cents == 600
        assert [c.code for c in products["flyer"].options[0].choices] == ["letter", "tabloid"]
        retired = products["course-pack"]
        assert not retired.active and retired.position == len(products)  # kept, after the others
        assert db.session.get(Order, shop.id).product_id == retired.id
        poster = products["laminated-poster"]
        assert [(o.code, [c.code for c in o.choices]) for o in poster.options] == [
            ("size", ["18x24", "24x36"]), ("finish", ["gloss", "matte"])]
        assert poster.options[1].choices[1].per_copy_cents == Decimal("150")  # 1.5 dollars, read without a float
        assert [(s.station.code, s.when_choices) for s in poster.route] == [("wide_format", []),
                                                                            ("laminator", ["gloss"])]
        assert poster.volume_breaks == [[10, 5]] and poster.max_quantity == 50
        db.session.remove()
    assert dump(app)["orders"] == orders_before  # a placed order never changes

    again = catalog_cli(app, "export")
    assert "- slug: course-pack\n  name: Course pack\n  kind: course_pack\n  active: false\n" in again.output
    (in_folder / "catalog.yaml").write_text(again.output, encoding="utf-8")
    before = dump(app)
    assert catalog_cli(app, "import", "catalog.yaml").output.strip() == "The catalog is unchanged."
    assert dump(app) == before


def test_check_lists_the_changes_and_changes_nothing(app, shop, in_folder):
    (in_folder / "catalog.yaml").write_text(_edited(app, _change_the_catalog), encoding="utf-8")
    before = dump(app)
    result = catalog_cli(app, "import", "catalog.yaml", "--check")
    assert result.exit_code == 0, result.output
    assert 'retired product "course-pack"' in result.output and "nothing was changed (--check)" in result.output
    assert dump(app) == before


SMALL = """\
stations:
- {code: press, name: Press, minutes_per_day: 900}
products:
- slug: flyer
  name: Flyer
  kind: print
  quantity: {min: 10, max: 500, default: 10}
  price:
    setup: '5.00'
    volume_breaks: [{from: 100, percent_off: 5}]
  options:
  - code: color
    label: Colour
    choices:
    - {code: bw, label: Black and white, default: true, per_page: '0.045'}
  routing:
  - {station: press, stage: printing, minutes_per_impression: 0.01}
"""


def test_a_small_file_gives_its_values_and_what_it_leaves_out_takes_the_defaults():
    reading = files.read(SMALL)
    assert reading.problems == ()
    flyer = reading.catalog.products[0]
    assert (flyer.kind, flyer.active, flyer.quantity_step, flyer.unit_name, flyer.setup_cents) == (
        ProductKind.PRINT, True, 1, "copy", 500)
    assert flyer.options[0].choices[0].per_page_cents == Decimal("4.5")
    assert flyer.route[0].per_impression == Decimal("0.01") and flyer.route[0].setup_minutes == 0
    again = files.read(files.write(reading.catalog)).catalog
    assert dataclasses.replace(again, stations_line=0) == dataclasses.replace(reading.catalog, stations_line=0)


INVALID = """\
stations:
- {code: press, name: Press, minutes_per_day: 900}
- {code: press, name: Another press, minutes_per_day: 600}
products:
- slug: flyer
  name: Flyer
  kind: print
  colour: red
  quantity: {min: 10, max: 500, default: 10}
  price:
    setup: '-5.00'
    per_copy: 'a dollar'
    volume_breaks: [{from: 5, percent_off: 5}]
  options:
  - code: color
    label: Colour
    choices:
    - {code: bw, label: Black and white, default: true}
    - {code: bw, label: Black again}
  routing:
  - {station: bindery, stage: finishing}
  - {station: press, stage: printing, when: {option: sides, choices: [double]}}
- slug: flyer
  name: Poster
  kind: banner
  quantity: {min: ten, max: 5}
  production: {needs_proof: yes}
"""


def test_an_invalid_file_changes_nothing_and_names_the_line_of_every_problem(app, shop, in_folder):
    (in_folder / "catalog.yaml").write_text(INVALID, encoding="utf-8")
    before = dump(app)

    result = catalog_cli(app, "import", "catalog.yaml")

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        'catalog.yaml:3: station "press" is given twice (first on line 2)',
        'catalog.yaml:8: product "flyer": unknown key "colour" (known: slug, name, kind, active, summary, '
        "description, quantity, default_pages, price, production, options, routing)",
        'catalog.yaml:11: product "flyer": price.setup: -5.00 is negative',
        'catalog.yaml:12: product "flyer": price.per_copy: expected dollars like "0.75", found "a dollar"',
        'catalog.yaml:13: product "flyer": price.volume_breaks: a break from 5 is below the minimum quantity (10)',
        'catalog.yaml:19: product "flyer", option "color": choice "bw" is given twice (first on line 18)',
        'catalog.yaml:21: product "flyer": routing step 1: there is no station "bindery" in stations',
        'catalog.yaml:22: product "flyer": routing step 2: when.option: the product has no option "sides"',
        'catalog.yaml:23: product "flyer" is given twice (first on line 5)',
        'catalog.yaml:25: product "flyer": kind: "banner" is not one of course_pack, mailer, print',
        'catalog.yaml:26: product "flyer": quantity.min: expected a whole number, found "ten"',
        'catalog.yaml:27: product "flyer": production.needs_proof: expected true or false, found "yes"',
        "Nothing was changed: 12 problem(s) in catalog.yaml.",
    ]
    assert dump(app) == before


@pytest.mark.parametrize(("written", "line", "message"), [
    ("stations: [\nproducts: []\n", 3, "not readable as YAML: expected ',' or ']'"),
    ("", 1, "the file is empty"),
    ("stations: []\nproducts: []\nextra: 1\n", 3, 'the catalog: unknown key "extra"'),
    ("stations: []\n", 1, "the catalog: products is missing"),
    ("stations: []\nproducts: []\n", 2, "products: the file lists none"),
    ("- a\n- b\n", 1, "the catalog: expected keys and values"),
    ("stations: &s []\nproducts: *s\n", 2, "aliases (*name) are not used in a catalog file"),
    ("stations: []\nproducts:\n- !!python/object:os.system {}\n", 3, "tags (like tag:yaml.org,2002:python/object:os.system)"),
    (SMALL.replace("min: 10,", "min: 10, max: 5,").replace("max: 500, ", ""), 7,
     "quantity.max: the maximum (5) is below the minimum (10)"),
    (SMALL.replace("default: 10}", "default: 15, step: 10}"), 7, "quantity.default: the usual quantity (15) is not a multiple"),
    (SMALL.replace("'0.045'", "'0.0000045'"), 15, "per_page: 0.0000045 has more than 5 decimals"),
    (SMALL.replace("percent_off: 5", "percent_off: 100"), 10, "percent_off: 100 is not between 1 and 99"),
    (SMALL.replace("stage: printing", "stage: binding"), 17, 'stage "binding" is not one of prepress'),
    (SMALL.replace("label: Colour", "label: [Colour]"), 13, "label: expected a single value, found a list"),
    (SMALL.replace("slug: flyer", "slug: Flyer Two"), 4, 'slug: "Flyer Two" may hold only lowercase'),
    (SMALL.replace("    choices:\n    - {code: bw, label: Black and white, default: true, per_page: '0.045'}\n",
                   "    choices: []\n"), 14, "an option needs at least one choice"),
    (SMALL.replace("minutes_per_day: 900}", "minutes_per_day: 900, minutes_by_weekday: {sat: 60}}"), 2,
     'minutes_by_weekday: unknown key "sat" (known: mon, tue, wed, thu, fri)'),
    (SMALL.replace("minutes_per_day: 900}", "minutes_per_day: 900, minutes_by_weekday: {fri: -1}}"), 2,
     "minutes_by_weekday.fri: -1 is not between 0 and 100,000"),
    (SMALL.replace("setup: '5.00'", "setup: '5.00'\n    minimum: '2.505'"), 10, "price.minimum: 2.505"),
])
def test_each_kind_of_problem_is_named_at_its_line(written, line, message):
    reading = files.read(written)
    assert reading.catalog is None
    assert any(p.line == line and message in p.message for p in reading.problems), reading.problems


def test_a_file_that_is_not_utf8_is_refused_at_its_line(app, ctx, in_folder):
    (in_folder / "catalog.yaml").write_bytes(SMALL.encode() + b"# caf\xe9\n")
    result = catalog_cli(app, "import", "catalog.yaml")
    assert result.exit_code == 1 and "catalog.yaml:18: not UTF-8 text" in result.output


def test_a_station_left_out_goes_unless_orders_have_work_planned_there(app, make, customer):
    make.catalog()
    catalog = transfer.export_catalog()
    without_mail_prep = dataclasses.replace(
        catalog, stations=tuple(s for s in catalog.stations if s.code != "mail_prep"), products=tuple(
            dataclasses.replace(p, route=tuple(s for s in p.route if s.station != "mail_prep"))
            for p in catalog.products))
    make.order(customer, "postcard-mailer")  # its work is planned at mail preparation

    with pytest.raises(files.CatalogFileRefused) as refused:
        transfer.import_catalog(without_mail_prep)
    assert refused.value.problems == (files.Problem(
        1, 'station "mail_prep" is not in the file, but orders have work planned there: keep it in stations'),)

    db.session.rollback()
    db.session.execute(text("DELETE FROM order_work"))
    assert 'removed station "mail_prep" (not in the file)' in transfer.import_catalog(without_mail_prep)
    assert db.session.scalar(select(Station).where(Station.code == "mail_prep")) is None


def test_options_and_choices_left_out_are_removed_while_orders_keep_their_codes_and_labels(app, make, customer):
    order = make.order(customer)
    catalog = transfer.export_catalog()
    pack = catalog.products[0]
    assert pack.slug == "course-pack"
    binding = next(o for o in pack.options if o.code == "binding")
    coil_only = dataclasses.replace(binding, choices=binding.choices[:1])
    fewer = dataclasses.replace(
        pack, options=tuple(coil_only if o.code == "binding" else o for o in pack.options if o.code != "stock"),
        route=tuple(s for s in pack.route if s.when_option != "binding" or s.when_choices == ("coil",)))
    changes = transfer.import_catalog(dataclasses.replace(catalog, products=(fewer,) + catalog.products[1:]))
    assert any("option stock removed" in change and "choice binding/perfect removed" in change for change in changes)
    db.session.commit()
    codes = db.session.scalars(select(ProductOption.code).join(Product).where(Product.slug == "course-pack")).all()
    assert sorted(codes) == ["binding", "color", "sides"]
    assert db.session.scalar(select(OptionChoice).where(OptionChoice.code == "perfect",
                                                        OptionChoice.option.has(code="binding"))) is not None  # booklet's
    kept = db.session.get(Order, order.id)
    assert kept.options["stock"] == "bond20" and any(label == "Paper" for label, _ in kept.option_labels)


def test_any_text_the_shop_keeps_comes_back_the_same(app, make):
    make.catalog()
    flyer = db.session.scalar(select(Product).where(Product.slug == "flyer"))
    flyer.name, flyer.summary = "yes", "100"  # words YAML would read as true and a number, unquoted
    flyer.description = "Line one: with a colon.\n  Indented, #not a comment.\n"
    flyer.options[0].help = "  spaces kept  "
    db.session.commit()
    written = files.write(transfer.export_catalog())
    assert transfer.import_catalog(files.read(written).catalog) == []
    assert files.write(transfer.export_catalog()) == written


@pytest.fixture
def manager_client(app, make):
    client = app.test_client()
    client.sign_in(make.user(role=Role.ADMIN))
    return client


def test_hours_by_weekday_and_a_minimum_charge_are_imported_exported_and_written_on_the_history(
        app, shop, in_folder, manager_client):
    def short_fridays(document):
        bindery = next(s for s in document["stations"] if s["code"] == "bindery")
        bindery["minutes_by_weekday"] = {"fri": 600, "mon": bindery["minutes_per_day"]}  # Monday as usual: left out
        _product(document, "flyer")["price"]["minimum"] = "25.00"

    (in_folder / "catalog.yaml").write_text(_edited(app, short_fridays), encoding="utf-8")
    result = catalog_cli(app, "import", "catalog.yaml")

    assert result.exit_code == 0, result.output
    assert 'changed station "bindery": minutes by weekday' in result.output
    assert 'changed product "flyer": minimum_cents' in result.output
    with app.app_context():
        assert db.session.scalar(select(Station.weekday_minutes).where(Station.code == "bindery")) == {"fri": 600}
        assert db.session.scalar(select(Product.minimum_cents).where(Product.slug == "flyer")) == 2500
        changes = {(c.station_code, c.field): (c.old_value, c.new_value, c.actor_id)
                   for c in db.session.scalars(select(CatalogChange))}
    assert changes == {("bindery", "Minutes on Fridays"): ("1,800", "600", None),
                       (None, "Minimum charge"): ("$0.00", "$25.00", None)}
    history = manager_client.get("/staff/catalog/products/flyer/history").get_data(as_text=True)
    assert "Minimum charge" in history and "$25.00" in history and "The catalog file" in history
    station_page = manager_client.get("/staff/catalog/stations/bindery").get_data(as_text=True)
    assert "Minutes on Fridays" in station_page and 'name="fri" type="text" value="600"' in station_page

    exported = catalog_cli(app, "export").output
    assert "minutes_by_weekday: {fri: 600}" in exported and "minimum: '25.00'" in exported
    (in_folder / "catalog.yaml").write_text(exported, encoding="utf-8")
    assert catalog_cli(app, "import", "catalog.yaml").output.strip() == "The catalog is unchanged."
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CatalogChange)) == 2  # nothing new recorded
