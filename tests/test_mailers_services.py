"""Mailer services on the database, without HTTP: the list kept, the mapping remembered, the
approval tied to what it showed, and the mailer part of configure() and place_order()."""
import pytest

from portal.catalog import forms as catalog_forms
from portal.catalog import services as catalog
from portal.documents import storage
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed
from portal.mailers import services
from portal.mailers.models import ColumnMapping
from portal.orders import services as orders
from tests.factories import MAILING_ROWS, NOW, job_values, list_bytes


def configured(user, mailing_id, **values):
    product = catalog.product_by_slug("postcard-mailer")
    form = catalog_forms.configurator_form(product, job_values("postcard-mailer", mailing_list=mailing_id, **values),
                                           today=NOW.date())
    form.validate()
    return catalog.configure(product, form, user, today=NOW.date(), now=NOW)


def test_an_accepted_list_is_kept_as_utf8_rows_under_a_generated_name(make, customer):
    products = make.catalog()
    mailing = services.accept_list(customer, product=products["postcard-mailer"],
                                   data=list_bytes(MAILING_ROWS, encoding="utf-16"), filename="../../etc/Alumni.txt")
    assert mailing.original_name == "Alumni.txt" and mailing.source_format == "utf-16"
    assert storage.read(mailing.storage_key).decode("utf-8").startswith("row,First name,")
    assert services.view(mailing).table.rows[0] == (2, ("Ana", "Lima", "12 Elm Street", "Ithaca", "NY", "14850"))


def test_a_saved_mapping_is_offered_again_for_the_same_columns_only(make, customer):
    products = make.catalog()
    rows = [["Who", "Where", "C", "S", "Z"], ["Ana Lima", "12 Elm Street", "Ithaca", "NY", "14850"]]
    first = services.accept_list(customer, product=products["postcard-mailer"], data=list_bytes(rows), filename="a.csv")
    assert not first.is_mapped
    services.save_mapping(customer, first, {"full_name": 0, "address1": 1, "city": 2, "state": 3, "zip": 4})
    db.session.commit()
    again = services.accept_list(customer, product=products["postcard-mailer"], data=list_bytes(rows), filename="b.csv")
    assert again.mapping_remembered and again.good_count == 1
    other = make.customer()
    theirs = services.accept_list(other, product=products["postcard-mailer"], data=list_bytes(rows), filename="c.csv")
    assert not theirs.is_mapped  # remembered per customer
    assert db.session.query(ColumnMapping).count() == 1


def test_an_approval_is_only_for_the_proof_it_was_given_for(make, customer):
    mailing = make.mailing_list(customer, approved=False)
    looks = services.appearance(mailing.product, {})
    with pytest.raises(ValidationFailed):
        services.approve_proof(mailing, looks, by=customer, now=NOW)  # no proof yet
    services.build_proof(mailing, looks, now=NOW)
    services.approve_proof(mailing, looks, by=customer, now=NOW)
    assert services.is_approved(mailing, looks)
    assert not services.is_approved(mailing, {**looks, "size": "6x11"})
    services.drop_problem_rows(mailing)  # nothing to drop: still the same list
    assert services.is_approved(mailing, looks)
    services.save_design(mailing, headline="Other words", message="", return_address="")
    assert not services.is_approved(mailing, looks)


def test_configure_refuses_another_customers_list_and_sets_the_quantity_from_ours(make, customer):
    make.catalog()
    theirs = make.mailing_list(make.customer())
    with pytest.raises(NotAllowed):
        configured(customer, theirs.id)
    ours = make.mailing_list(customer)
    config = configured(customer, ours.id, quantity="5000")
    assert config.quantity == 100 and config.problems == {}
    assert config.job_title() == "Postcard mailer: alumni.csv"
    late = configured(customer, ours.id, mail_date="2026-11-24")
    assert "at the earliest" in late.problems["mail_date"]
    assert "Upload your mailing list" in configured(customer, "").problems["mailing_list"]


def test_place_order_refuses_a_mailer_whose_approval_went_stale(make, customer):
    make.catalog()
    mailing = make.mailing_list(customer)
    config = configured(customer, mailing.id)
    mailing.headline = "Changed after approval"
    defaults = catalog.checkout_defaults(customer)
    with pytest.raises(ValidationFailed, match="Approve the proof"):
        orders.place_order(customer=customer, config=config, address=defaults.address,
                           account=defaults.holding.account, need_by=None, instructions="",
                           idempotency_key="k-1", now=NOW)
    db.session.rollback()
