"""The manager's Catalog area over HTTP: products, options, prices, quantity rules, routing and stations,
checked as typed (nothing saved), previewed as the customer will see them, saved with every change
recorded, retired with what replaced them; placed orders never change."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.accounts.models import Role
from portal.catalog import files, forms, transfer
from portal.catalog.models import CatalogChange, Product
from portal.extensions import db
from portal.orders.models import Order
from portal.promises import rules as promise_rules
from portal.promises import services as promises
from portal.promises.models import Station
from portal.shop.delivery import DeliveryMethod
from portal.shop.formats import long_day
from tests.factories import NOW

HTMX = {"HX-Request": "true"}
FLYER = "/staff/catalog/products/flyer"
FLYER_JOB = "quantity=100&opt_color=bw&opt_sides=single&opt_size=letter&opt_stock=bond20"


@pytest.fixture
def products(make):
    return make.catalog()


@pytest.fixture
def manager(make):
    return make.user(role=Role.ADMIN, name="Rosa Alvarez")


@pytest.fixture
def manager_client(app, manager, products):
    client = app.test_client()
    client.sign_in(manager)
    return client


def flat(values: dict, prefix: str = "") -> MultiDict:
    """Form values (forms.product_values) as a browser posts them: lists as name-0-field, ticked boxes as y."""
    posted = MultiDict()
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, list):
            for index, item in enumerate(value):
                posted.update(flat(item, f"{name}-{index}-"))
        elif isinstance(value, bool):
            if value:
                posted.add(name, "y")
        else:
            posted.add(name, value)
    return posted


def stored_form(app, slug: str = "flyer", **changes) -> MultiDict:
    """The product's edit form as the page fills it, with `changes` typed over it."""
    with app.app_context():
        product = db.session.scalar(select(Product).where(Product.slug == slug))
        posted = flat(forms.product_values(transfer.product_entry(product)))
    for name, value in changes.items():
        posted.setlist(name, [value])
    return posted


def catalog_file(app) -> str:
    """The whole catalog as its file: equal before and after means nothing was saved."""
    with app.app_context():
        return files.write(transfer.export_catalog())


def recorded(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CatalogChange))


def order_snapshot(app, order_id: int) -> tuple:
    with app.app_context():
        order = db.session.get(Order, order_id)
        return (order.product_name, order.options, order.option_labels, order.price_cents, order.price_lines,
                order.promise_date, order.quantity, order.product_id)


def price_shown(page: str) -> str:
    return re.search(r'data-price>([^<]+)<', page).group(1)


def test_only_the_shop_manager_reaches_the_catalog_area(app, make, customer_client, staff_client, products):
    for client in (customer_client, staff_client):
        assert client.get("/staff/catalog").status_code == 404
        assert client.get(FLYER).status_code == 404
        assert client.post(FLYER, data={"name": "Hijacked"}).status_code == 404
    assert "/staff/catalog" not in customer_client.get("/products").get_data(as_text=True)
    assert client.get("/staff/catalog", headers=HTMX).status_code == 404


def test_the_catalog_area_lists_products_and_stations_and_the_manager_finds_it_in_the_navigation(manager_client):
    page = manager_client.get("/staff/catalog").get_data(as_text=True)
    assert 'href="/staff/manage" aria-current="page">Manage</a>' in page  # the navigation's way to it
    assert 'href="/staff/catalog">Catalog</a>' in manager_client.get("/staff/manage").get_data(as_text=True)
    assert "Flyer" in page and "Course pack" in page and "Black-and-white presses" in page and "1,680" in page


def test_the_edit_page_starts_from_the_product_as_stored_with_its_preview(manager_client):
    response = manager_client.get(FLYER)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert 'name="setup" type="text" value="5.00"' in page
    assert 'name="options-0-choices-0-code"' in page and 'name="steps-0-station"' in page
    assert 'id="catalog-preview"' in page and "What the customer sees" in page
    assert 'class="error"' not in page


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("breaks-0-start", "5", "A break from 5 is below the minimum quantity (10)."),
    ("setup", "-1.00", "-1.00 is negative."),
    ("options-0-choices-0-per_page", "-0.01", "-0.01 is negative."),
    ("steps-0-station", "laminator", 'There is no station "laminator" in stations.'),
    ("default_quantity", "15", "The usual quantity (15) is not a multiple of the step (10)."),
    ("steps-1-when_choices", "bw, sepia", 'Option "color" has no choice "sepia".'),
])
def test_a_field_is_checked_as_it_is_typed_with_the_file_imports_rules_and_nothing_is_saved(
        app, manager_client, field, typed, message):
    typed_form = stored_form(app, **{field: typed})
    if field == "default_quantity":
        typed_form.setlist("quantity_step", ["10"])
    before = catalog_file(app)
    response = manager_client.get(FLYER, query_string={**typed_form.to_dict(flat=False), "_validate": field},
                                  headers={**HTMX, "HX-Target": f"{field}-problem"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert fragment.lstrip().startswith(f'<div class="field-problem" id="{field}-problem"')
    assert message in fragment.replace("&#34;", '"').replace("&quot;", '"')
    assert "<html" not in fragment
    assert recorded(app) == 0 and catalog_file(app) == before


def test_a_field_typed_right_answers_an_empty_slot(app, manager_client):
    response = manager_client.get(FLYER, query_string={**stored_form(app, setup="6.00").to_dict(flat=False),
                                                       "_validate": "setup"}, headers=HTMX)
    assert response.get_data(as_text=True).strip() == '<div class="field-problem" id="setup-problem" aria-live="polite"></div>'


def test_the_live_preview_prices_and_dates_the_product_as_typed_without_saving(app, manager_client):
    stored = manager_client.get(FLYER, headers={**HTMX, "HX-Target": "catalog-preview"}).get_data(as_text=True)
    typed = manager_client.get(FLYER, query_string=stored_form(app, setup="105.00").to_dict(flat=False),
                               headers={**HTMX, "HX-Target": "catalog-preview"}).get_data(as_text=True)
    assert typed.lstrip().startswith('<section id="catalog-preview"') and "<html" not in typed
    assert Decimal(price_shown(typed).strip("$").replace(",", "")) - Decimal(
        price_shown(stored).strip("$").replace(",", "")) == 100
    assert 'hx-get="/products/flyer"' not in typed  # the customer's quote, inert inside the editor
    assert "data-estimate" in typed
    assert recorded(app) == 0
    with app.app_context():
        assert db.session.scalar(select(Product.setup_cents).where(Product.slug == "flyer")) == 500


def test_preview_without_javascript_is_the_whole_page_with_what_was_typed(app, manager_client):
    page = manager_client.get(FLYER, query_string=stored_form(app, setup="-3").to_dict(flat=False)
                              ).get_data(as_text=True)
    assert "<html" in page and 'value="-3"' in page and "-3 is negative." in page
    assert recorded(app) == 0


def test_a_field_check_without_htmx_is_the_whole_page_with_the_problem_beside_the_field(app, manager_client):
    page = manager_client.get(FLYER, query_string={**stored_form(app, setup="-3").to_dict(flat=False),
                                                   "_validate": "setup"}).get_data(as_text=True)
    assert "<html" in page and "-3 is negative." in page
    assert recorded(app) == 0


def test_a_history_restore_request_gets_the_whole_page(manager_client):
    page = manager_client.get(FLYER, headers={**HTMX, "HX-History-Restore-Request": "true"}).get_data(as_text=True)
    assert "<html" in page


def test_saving_with_a_problem_keeps_what_was_typed_and_saves_nothing(app, manager_client):
    response = manager_client.post(FLYER, data=stored_form(app, setup="-5.00", name="Flyer deluxe",
                                                           **{"steps-0-station": "laminator"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Flyer deluxe"' in page and 'value="-5.00"' in page
    assert "-5.00 is negative." in page and "Nothing was saved" in page
    assert recorded(app) == 0
    with app.app_context():
        assert db.session.scalar(select(Product.name).where(Product.slug == "flyer")) == "Flyer"


def test_a_price_change_applies_to_the_next_quote_records_who_and_what_and_never_touches_a_placed_order(
        app, make, customer, customer_client, manager_client):
    placed = make.order(customer, "flyer", now=NOW - timedelta(days=30))
    before = order_snapshot(app, placed.id)
    assert price_shown(customer_client.get(f"/products/flyer?{FLYER_JOB}").get_data(as_text=True)) == "$10.50"

    response = manager_client.post(FLYER, data=stored_form(app, setup="6.00", **{"options-1-choices-0-per_page": "0.05"}))

    assert response.status_code == 303 and response.headers["Location"].endswith(FLYER)
    assert price_shown(customer_client.get(f"/products/flyer?{FLYER_JOB}").get_data(as_text=True)) == "$12.00"
    assert order_snapshot(app, placed.id) == before
    history = manager_client.get(f"{FLYER}/history").get_data(as_text=True)
    assert "Rosa Alvarez" in history and "Setup" in history and "$5.00" in history and "$6.00" in history
    assert "Option color, choice bw: per page" in history and "$0.045" in history and "$0.05" in history
    assert recorded(app) == 2
    assert "Flyer" in customer_client.get(f"/orders/{placed.number}").get_data(as_text=True)


def test_adding_and_removing_rows_shows_the_form_again_and_saves_nothing(app, manager_client):
    added = manager_client.post(FLYER, data=stored_form(app, action="add-option")).get_data(as_text=True)
    count = len(re.findall(r'name="options-\d+-code"', added))
    assert 'name="options-4-code"' in added and 'name="options-4-choices-0-code"' in added
    removed = manager_client.post(FLYER, data=stored_form(app, action="remove-option-0")).get_data(as_text=True)
    assert len(re.findall(r'name="options-\d+-code"', removed)) == count - 2
    step = manager_client.post(FLYER, data=stored_form(app, action="add-step")).get_data(as_text=True)
    assert "Choose a station" in step
    assert 'class="error"' not in added + removed + step
    assert recorded(app) == 0


def test_a_save_over_someone_elses_newer_change_is_refused_with_what_happened(app, manager_client):
    stale = stored_form(app, setup="7.00")
    stale.setlist("seen_change", ["0"])
    assert manager_client.post(FLYER, data=stored_form(app, setup="6.00", seen_change="0")).status_code == 303
    response = manager_client.post(FLYER, data=stale)
    assert response.status_code == 409
    assert "Someone else changed Flyer since you opened it" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Product.setup_cents).where(Product.slug == "flyer")) == 600


def new_product_form(**changes) -> MultiDict:
    """A laminated poster with two options and a two-step routing, as the manager fills the form."""
    posted = MultiDict({
        "name": "Laminated poster", "slug": "laminated-poster", "kind": "print", "unit_name": "poster",
        "summary": "Posters that survive a semester on a corkboard.", "description": "",
        "min_quantity": "1", "max_quantity": "200", "quantity_step": "1", "default_quantity": "10",
        "default_pages": "1", "setup": "8.00", "per_copy": "4.00", "per_page": "0", "rush_surcharge_percent": "50",
        "breaks-0-start": "50", "breaks-0-percent_off": "10", "base_days": "1", "pages_per_day": "50000",
        "needs_files": "y",
        "options-0-code": "size", "options-0-label": "Size", "options-0-help": "",
        "options-0-choices-0-code": "a2", "options-0-choices-0-label": "A2", "options-0-choices-0-is_default": "y",
        "options-0-choices-1-code": "a1", "options-0-choices-1-label": "A1", "options-0-choices-1-per_copy": "3.00",
        "options-1-code": "finish", "options-1-label": "Finish", "options-1-help": "",
        "options-1-choices-0-code": "gloss", "options-1-choices-0-label": "Gloss laminate",
        "options-1-choices-0-is_default": "y",
        "options-1-choices-1-code": "matte", "options-1-choices-1-label": "Matte laminate",
        "options-1-choices-1-per_copy": "0.50",
        "steps-0-station": "wide_format", "steps-0-stage": "printing", "steps-0-setup_minutes": "15",
        "steps-0-per_copy": "6",
        "steps-1-station": "bindery", "steps-1-stage": "finishing", "steps-1-setup_minutes": "10",
        "steps-1-per_copy": "4", "steps-1-when_option": "finish", "steps-1-when_choices": "gloss, matte",
    })
    for name, value in changes.items():
        posted.setlist(name, [value])
    return posted


def test_done_when_a_manager_changes_a_price_adds_a_product_and_a_customer_orders_it_at_the_new_price_and_date(
        app, make, customer, customer_client, manager_client):
    last_month = make.order(customer, "flyer", now=NOW - timedelta(days=30))
    before = order_snapshot(app, last_month.id)

    assert manager_client.post(FLYER, data=stored_form(app, setup="6.00")).status_code == 303
    added = manager_client.post("/staff/catalog/products/new", data=new_product_form())
    assert added.status_code == 303 and added.headers["Location"].endswith("/staff/catalog/products/laminated-poster")

    assert price_shown(customer_client.get(f"/products/flyer?{FLYER_JOB}").get_data(as_text=True)) == "$11.50"
    catalog = customer_client.get("/products").get_data(as_text=True)
    assert "Laminated poster" in catalog
    page = customer_client.get("/products/laminated-poster?quantity=20&opt_size=a1&opt_finish=matte"
                               ).get_data(as_text=True)
    assert 'name="opt_size"' in page and "Matte laminate" in page
    # setup $8 + 20 × ($4 + $3 A1 + $0.50 matte)
    assert price_shown(page) == "$158.00"
    promised = re.search(r'data-estimate>([^<]+)<', page).group(1)
    with app.app_context():
        product = db.session.scalar(select(Product).where(Product.slug == "laminated-poster"))
        route = tuple(step.rule() for step in product.route)
        assert [(r.station, r.per_copy) for r in route] == [("wide_format", 6.0), ("bindery", 4.0)]
        job = promises.Job(product_id=product.id, route=route, chosen={"size": "a1", "finish": "matte"}, quantity=20,
                           pages=1, sheets=1, rush=False, needs_proof=False)
        estimate = promises.estimate_for(job, delivery_method=DeliveryMethod.CAMPUS, now=NOW)
        without_routing = promises.estimate_for(promises.Job(
            product_id=product.id, route=(), chosen={}, quantity=20, pages=1, sheets=1, rush=False,
            needs_proof=False), delivery_method=DeliveryMethod.CAMPUS, now=NOW)
    assert promised == long_day(estimate.delivery)
    assert sum(w.minutes for w in job.work()) == pytest.approx(15 + 20 * 6 + 10 + 20 * 4)
    assert estimate.ready >= without_routing.ready

    placed = make.order(customer, "laminated-poster", opt_size="a1", opt_finish="matte", quantity="20")
    assert placed.price_cents == 15800 and placed.promise_date == estimate.delivery
    assert order_snapshot(app, last_month.id) == before


def test_a_new_product_is_checked_like_an_edit_and_its_slug_must_be_free(app, manager_client):
    taken = manager_client.post("/staff/catalog/products/new", data=new_product_form(slug="flyer"))
    assert taken.status_code == 422 and "Another product already uses &#34;flyer&#34;" in taken.get_data(as_text=True)
    bad = manager_client.post("/staff/catalog/products/new", data=new_product_form(
        **{"breaks-0-start": "500", "options-1-choices-1-code": "gloss", "steps-0-station": "nowhere"}))
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "A break from 500 is above the maximum quantity (200)." in page
    assert "Choice &#34;gloss&#34; is given twice." in page or "Choice &quot;gloss&quot; is given twice." in page
    assert "There is no station" in page and 'value="Laminated poster"' in page
    assert recorded(app) == 0


def test_the_new_product_page_starts_blank_without_errors_and_previews_once_named(app, manager_client):
    page = manager_client.get("/staff/catalog/products/new").get_data(as_text=True)
    assert 'class="error"' not in page and "Fix what the form marks" in page
    preview = manager_client.get("/staff/catalog/products/new", query_string=new_product_form().to_dict(flat=False),
                                 headers={**HTMX, "HX-Target": "catalog-preview"}).get_data(as_text=True)
    assert "Laminated poster" in preview and price_shown(preview) == "$48.00"  # 10 × $4 + $8


def test_a_retired_product_leaves_the_catalog_its_orders_stay_and_reorder_names_its_replacement(
        app, make, customer, customer_client, manager_client):
    placed = make.order(customer, "flyer")
    manager_client.post("/staff/catalog/products/new", data=new_product_form())
    before = order_snapshot(app, placed.id)

    response = manager_client.post(f"{FLYER}/retire", data={"replaced_by": "laminated-poster"})

    assert response.status_code == 303
    assert ">Flyer</a>" not in customer_client.get("/products").get_data(as_text=True)
    assert customer_client.get("/products/flyer").status_code == 404
    order_page = customer_client.get(f"/orders/{placed.number}")
    assert order_page.status_code == 200 and "Flyer" in order_page.get_data(as_text=True)
    assert "Flyer" in customer_client.get("/orders").get_data(as_text=True)
    reorder = customer_client.post(f"/orders/{placed.number}/reorder", data={"idempotency_key": "k" * 32},
                                   headers=HTMX).get_data(as_text=True)
    assert "It was replaced by Laminated poster" in reorder
    assert 'href="/products/laminated-poster">Order Laminated poster instead' in reorder
    assert order_snapshot(app, placed.id) == before
    history = manager_client.get(f"{FLYER}/history").get_data(as_text=True)
    assert "Replaced by" in history and "Laminated poster" in history and "Active" in history

    manager_client.post(f"{FLYER}/reinstate")
    assert ">Flyer</a>" in customer_client.get("/products").get_data(as_text=True)


def test_retiring_refuses_itself_or_an_unknown_product_as_its_replacement(app, manager_client):
    assert manager_client.post(f"{FLYER}/retire", data={"replaced_by": "flyer"}).status_code == 422
    unknown = manager_client.post(f"{FLYER}/retire", data={"replaced_by": "no-such-thing"})
    assert unknown.status_code == 422 and "Choose a product from the list." in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Product.active).where(Product.slug == "flyer")) is True


def test_stations_are_added_and_their_capacity_changed_with_each_change_recorded(app, manager_client):
    added = manager_client.post("/staff/catalog/stations/new", data={"code": "laminator", "name": "Laminator",
                                                                     "minutes_per_day": "480"})
    assert added.status_code == 303
    again = manager_client.post("/staff/catalog/stations/new", data={"code": "laminator", "name": "Another",
                                                                     "minutes_per_day": "0"})
    text = again.get_data(as_text=True)
    assert again.status_code == 422 and "0 is not between 1 and 100,000." in text and 'value="Another"' in text
    assert manager_client.post("/staff/catalog/stations/laminator", data={"name": "Laminator",
                                                                          "minutes_per_day": "960"}).status_code == 303
    page = manager_client.get("/staff/catalog/stations/laminator").get_data(as_text=True)
    assert "Minutes a day" in page and "480" in page and "960" in page and "Rosa Alvarez" in page
    with app.app_context():
        assert db.session.scalar(select(Station.minutes_per_day).where(Station.code == "laminator")) == 960
    # the new station is offered to routings at once
    assert '<option value="laminator">Laminator</option>' in manager_client.get(FLYER).get_data(as_text=True)
    assert manager_client.get("/staff/catalog/stations/nowhere").status_code == 404


def test_the_history_pages_fifty_changes_at_a_time(app, manager_client):
    for setup in range(60):
        manager_client.post(FLYER, data=stored_form(app, setup=f"{setup + 10}.00"))
    first = manager_client.get(f"{FLYER}/history").get_data(as_text=True)
    assert first.count("<tr><td><time") == 50 and "Older changes" in first
    second = manager_client.get(f"{FLYER}/history?page=2").get_data(as_text=True)
    assert second.count("<tr><td><time") == 10 and "Newer changes" in second


def test_markup_typed_in_a_product_is_escaped_in_the_editor_preview_and_history(app, manager_client):
    manager_client.post(FLYER, data=stored_form(app, name="<script>alert(1)</script>"))
    for path in (FLYER, f"{FLYER}/history", "/staff/catalog"):
        page = manager_client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_routing_model_is_the_same_one_the_promise_plans_with(app, manager_client):
    """A step's minutes reach the planner as typed (no float in storage)."""
    manager_client.post(FLYER, data=stored_form(app, **{"steps-0-setup_minutes": "12.5"}))
    with app.app_context():
        product = db.session.scalar(select(Product).where(Product.slug == "flyer"))
        assert product.route[0].setup_minutes == Decimal("12.5")
        assert isinstance(product.route[0].rule(), promise_rules.RouteStep)


def test_a_station_keeps_hours_by_weekday_and_the_delivery_date_plans_with_them(app, manager_client):
    wrong = manager_client.post("/staff/catalog/stations/new", data={
        "code": "laminator", "name": "Laminator", "minutes_per_day": "480", "fri": "-5", "mon": "lots"})
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'value="-5"' in text and 'value="lots"' in text
    with app.app_context():
        assert db.session.scalar(select(Station.id).where(Station.code == "laminator")) is None
    assert manager_client.post("/staff/catalog/stations/new", data={
        "code": "laminator", "name": "Laminator", "minutes_per_day": "480", "fri": "120", "tue": "480"}
    ).status_code == 303
    with app.app_context():
        station = db.session.scalar(select(Station).where(Station.code == "laminator"))
        assert station.weekday_minutes == {"fri": 120}  # Tuesday as usual is not kept apart
        capacity = promises.shop_state(NOW).capacity
        friday = NOW.date() + timedelta(days=(4 - NOW.weekday()) % 7)
        assert capacity.minutes_on("laminator", friday) == 120
        assert capacity.minutes_on("laminator", friday + timedelta(days=3)) == 480
    assert manager_client.post("/staff/catalog/stations/laminator", data={
        "name": "Laminator", "minutes_per_day": "480", "fri": ""}).status_code == 303
    page = manager_client.get("/staff/catalog/stations/laminator").get_data(as_text=True)
    assert "Minutes on Fridays" in page and "120" in page and "Rosa Alvarez" in page
    with app.app_context():
        assert db.session.scalar(select(Station.weekday_minutes).where(Station.code == "laminator")) is None


def test_a_minimum_charge_is_saved_and_shown_in_the_customer_price(app, manager_client, customer_client):
    refused_page = manager_client.post(FLYER, data=stored_form(app, minimum="-1"))
    assert refused_page.status_code == 422 and 'value="-1"' in refused_page.get_data(as_text=True)
    assert recorded(app) == 0
    assert manager_client.post(FLYER, data=stored_form(app, minimum="250.00")).status_code == 303
    page = customer_client.get(f"/products/flyer?{FLYER_JOB}").get_data(as_text=True)
    assert price_shown(page) == "$250.00" and "Minimum charge ($250.00 a job)" in page
    history = manager_client.get(f"{FLYER}/history").get_data(as_text=True)
    assert "Minimum charge" in history and "$250.00" in history
